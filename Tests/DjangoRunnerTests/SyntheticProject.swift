import Foundation

@testable import DjangoRunner

/// A small Django project written to a temporary folder for the selection tests: a
/// `shop` app (helpers, models, views behind the URLconf, templates, a fixture, a
/// middleware, an auth backend), a `mail` app whose receivers are connected in
/// `AppConfig.ready`, and an unrelated `blog` app.
struct SyntheticProject {
  let folder: TemporaryFolder

  static let files: [String: String] = [
    "manage.py": """
    import os, sys
    if __name__ == "__main__":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
        from django.core.management import execute_from_command_line
        execute_from_command_line(sys.argv)
    """,
    "requirements.txt": "Django>=5.2\n",
    "README.md": "# the shop\n",
    "site_config/__init__.py": "",
    "site_config/settings.py": """
    from .base import *  # noqa

    INSTALLED_APPS = [
        "django.contrib.contenttypes",
        "shop",
        "mail.apps.MailConfig",
        "blog",
    ]
    MIDDLEWARE = ["django.middleware.common.CommonMiddleware", "shop.middleware.TimingMiddleware"]
    ROOT_URLCONF = "site_config.urls"
    TEMPLATES = [{"OPTIONS": {"context_processors": ["shop.context.cart"]}}]
    AUTHENTICATION_BACKENDS = ["shop.auth.EmailBackend"]
    """,
    "site_config/base.py": "DEBUG = False\n",
    "site_config/urls.py": """
    from django.urls import include, path

    urlpatterns = [
        path("", include("shop.urls")),
        path("blog/", include("blog.urls")),
    ]
    """,
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/money.py": "def cents(amount):\n    return int(amount * 100)\n",
    "shop/models.py": """
    from django.db import models

    from .money import cents


    class Product(models.Model):
        def price_cents(self):
            return cents(self.price)
    """,
    "shop/views.py": """
    from django.shortcuts import render

    from .models import Product


    def detail(request, pk):
        return render(request, "shop/detail.html", {"product": Product.objects.get(pk=pk)})
    """,
    "shop/urls.py":
      "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('<int:pk>/', views.detail, name='detail')]\n",
    "shop/middleware.py": "class TimingMiddleware:\n    pass\n",
    "shop/context.py": "def cart(request):\n    return {}\n",
    "shop/auth.py": "class EmailBackend:\n    pass\n",
    "shop/utils/__init__.py": "from .text import slugify\n",
    "shop/utils/text.py": "from ..money import cents\n\ndef slugify(text):\n    return text.lower()\n",
    "shop/templates/shop/base.html": "<html>{% block content %}{% endblock %}</html>\n",
    "shop/templates/shop/detail.html": "{% extends \"shop/base.html\" %}{% load shop_tags %}\n",
    "shop/templates/shop/orphan.html": "<p>nobody names me</p>\n",
    "shop/templatetags/__init__.py": "",
    "shop/templatetags/shop_tags.py": "from django import template\n\nregister = template.Library()\n",
    "shop/fixtures/products.json": "[]\n",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": "from django.db import migrations\n",
    "shop/static/shop/site.css": "body {}\n",
    "shop/tests/__init__.py": "",
    "shop/tests/test_money.py": "from django.test import SimpleTestCase\n\nfrom shop.money import cents\n",
    "shop/tests/test_text.py": "from shop.utils import slugify\n",
    "shop/tests/test_views.py":
      "from django.test import TestCase\n\nclass T(TestCase):\n    def test(self):\n        self.client.get('/1/')\n",
    "shop/tests/test_urls.py": "from django.urls import reverse\n\nURL = reverse('detail', args=[1])\n",
    "shop/tests/test_fixtures.py":
      "from django.test import TestCase\n\nclass T(TestCase):\n    fixtures = ['products']\n",
    "mail/__init__.py": "",
    "mail/apps.py": """
    from django.apps import AppConfig


    class MailConfig(AppConfig):
        name = "mail"

        def ready(self):
            from . import receivers  # noqa: F401
    """,
    "mail/receivers.py": """
    from django.db.models.signals import post_save
    from django.dispatch import receiver

    from shop.models import Product

    from .sending import send


    @receiver(post_save, sender=Product)
    def product_saved(sender, instance, **kwargs):
        send(instance)
    """,
    "mail/sending.py": "def send(instance):\n    pass\n",
    "mail/tests.py": "from django.test import TestCase\n\nfrom mail.sending import send\n",
    "blog/__init__.py": "",
    "blog/models.py": "from django.db import models\n\nclass Post(models.Model):\n    pass\n",
    "blog/urls.py": "urlpatterns = []\n",
    "blog/tests/__init__.py": "",
    "blog/tests/test_posts.py": "from blog.models import Post\n",
    "blog/tests/test_feed.py": "from blog.models import Post\n",
  ]

  /// Writes the project, with `changes` replacing or adding files and the files in
  /// `removing` left out.
  init(replacing changes: [String: String] = [:], removing: Set<String> = []) throws {
    folder = try TemporaryFolder("djdash-selection")
    for (path, text) in Self.files.merging(changes, uniquingKeysWith: { $1 }) where !removing.contains(path) {
      try folder.write(path, text)
    }
  }

  var root: String { folder.path }

  func graph() -> ProjectGraph { ProjectGraph(root: root) }

  func write(_ path: String, _ text: String) throws { try folder.write(path, text) }

  func delete(_ path: String) throws { try FileManager.default.removeItem(atPath: root + "/" + path) }
}
