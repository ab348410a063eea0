"""Settings of the kitchen fixture: every kind of test result djdash must report."""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "kitchen-fixture-not-secret"
DEBUG = False
ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "verdicts",
    "capture",
    "broken",
    "crashy",
    "order",
]

MIDDLEWARE = []
ROOT_URLCONF = "kitchen.urls"

# Two SQLite aliases. Tests never touch these files: the test databases are
# Django's default in-memory ones (file:memorydb_<alias>?mode=memory&cache=shared).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "kitchen_default.sqlite3",
    },
    "other": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "kitchen_other.sqlite3",
    },
}
DATABASE_ROUTERS = ["kitchen.routers.NoteRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_I18N = True
USE_TZ = True
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"

TEST_RUNNER = "kitchen.runner.KitchenRunner"

# Django 6.1's mailers (earlier versions ignore the setting). Django's test runner swaps
# every alias's backend for locmem and keeps the alias in each message's sent_using.
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
    "notifications": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
}
