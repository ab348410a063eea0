"""Settings for manage.py; runtests.py configures the same ones itself."""
SECRET_KEY = "sideeffects-fixture-not-secret"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "sideeffects"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
