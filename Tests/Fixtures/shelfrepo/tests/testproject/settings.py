SECRET_KEY = "shelfrepo-fixture-not-secret"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
INSTALLED_APPS = ["django.contrib.contenttypes", "shelf", "testapp"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
