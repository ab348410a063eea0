"""Settings of the cutshort fixture: parallel runs that Django ends before every
subsuite is done (--failfast, a runner that crashes). No test uses a database."""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "cutshort-fixture-not-secret"
DEBUG = False
ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "failfast",
    "doctests",
]

MIDDLEWARE = []

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "cutshort_default.sqlite3",
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
