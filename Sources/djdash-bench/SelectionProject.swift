import DjangoRunner
import Foundation

/// A large Django project for the selection and watch benches, written to a temporary
/// folder: `apps` apps, each with models, views, urls, apps (whose `ready()` connects
/// signals), admin, forms, a services package, a utils package, template tags,
/// templates, migrations and a tests package; modules import each other inside the app
/// and from a few other apps, as a real project does. About 50 modules and 8,300 lines
/// per app. It runs: its migrations create the models, its 300 tests an app pass or fail
/// (their assertions are arithmetic on made-up services).
struct SelectionProject {
  let folder: String
  let root: String
  private(set) var lines = 0
  private(set) var bytes = 0

  static let services = 20
  static let utils = 5
  static let testModules = 12
  static let templates = 8

  /// A service module in the middle of the project: what the update bench edits.
  var changingFile: String { "app\(apps / 2)/services/s7.py" }
  var modelsFile: String { "app\(apps / 2)/models.py" }
  var templateFile: String { "app\(apps / 2)/templates/app\(apps / 2)/page_3.html" }
  let apps: Int

  init(apps: Int) throws {
    self.apps = apps
    folder = try makeTemporaryFolder(prefix: "djdash-selection-bench")
    root = folder + "/site"
    try write("manage.py", Self.manage)
    try write("site_config/__init__.py", "")
    try write("site_config/settings.py", settings())
    try write("site_config/urls.py", rootURLs())
    try write("templates/site_base.html", "<html><body>{% block content %}{% endblock %}</body></html>\n")
    for app in 0..<apps { try writeApp(app) }
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: folder)
  }

  private mutating func write(_ path: String, _ text: String) throws {
    let full = root + "/" + path
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: full, atomically: false, encoding: .utf8)
    lines += text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    bytes += text.utf8.count
  }

  // MARK: the project

  private static let manage = """
    #!/usr/bin/env python
    import os
    import sys

    if __name__ == "__main__":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)

    """

  private func settings() -> String {
    var text = "from pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\n\nINSTALLED_APPS = [\n"
    text += "    \"django.contrib.contenttypes\",\n    \"django.contrib.auth\",\n"
    for app in 0..<apps { text += "    \"app\(app).apps.App\(app)Config\",\n" }
    text +=
      "]\n\nSECRET_KEY = \"bench\"\nUSE_TZ = True\nDEFAULT_AUTO_FIELD = \"django.db.models.AutoField\"\n"
      + "ALLOWED_HOSTS = [\"testserver\"]\n\nMIDDLEWARE = [\n    \"django.middleware.common.CommonMiddleware\",\n    \"app0.middleware.TimingMiddleware\",\n]\n"
    text += "ROOT_URLCONF = \"site_config.urls\"\n"
    text += """
      TEMPLATES = [
          {
              "BACKEND": "django.template.backends.django.DjangoTemplates",
              "DIRS": [BASE_DIR / "templates"],
              "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["app0.context.site"]},
          },
      ]
      DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

      """
    return text
  }

  private func rootURLs() -> String {
    var text = "from django.urls import include, path\n\nurlpatterns = [\n"
    for app in 0..<apps { text += "    path(\"app\(app)/\", include(\"app\(app).urls\")),\n" }
    return text + "]\n"
  }

  // MARK: one app

  /// Apps this one imports from: a few earlier ones, so the graph has long chains.
  private func neighbours(of app: Int) -> [Int] {
    [app - 1, app - 7, app / 2].filter { $0 >= 0 && $0 != app }.reduce(into: []) {
      if !$0.contains($1) { $0.append($1) }
    }
  }

  private mutating func writeApp(_ app: Int) throws {
    let name = "app\(app)"
    let others = neighbours(of: app)
    try write("\(name)/__init__.py", "default_app_config = \"\(name).apps.App\(app)Config\"\n")
    try write(
      "\(name)/apps.py",
      """
      from django.apps import AppConfig


      class App\(app)Config(AppConfig):
          name = "\(name)"
          verbose_name = "App \(app)"

          def ready(self):
              from . import signals  # noqa: F401

      """)
    try write("\(name)/models.py", models(app, others))
    try write("\(name)/views.py", views(app))
    try write(
      "\(name)/urls.py",
      """
      from django.urls import path

      from . import views

      app_name = "\(name)"

      urlpatterns = [
      \((0..<Self.templates).map { "    path(\"page/\($0)/\", views.page_\($0), name=\"page_\($0)\")," }.joined(separator: "\n"))
      ]

      """)
    try write(
      "\(name)/signals.py",
      """
      from django.db.models.signals import post_save
      from django.dispatch import receiver

      from .models import Record\(app)
      from .services import s1


      @receiver(post_save, sender=Record\(app), dispatch_uid="\(name).record_saved")
      def record_saved(sender, instance, created, **kwargs):
          if created:
              s1.service_1_0(instance.amount)

      """ + filler(seed: app, functions: 6))
    try write(
      "\(name)/admin.py",
      "from django.contrib import admin\n\nfrom .models import Record\(app)\n\nadmin.site.register(Record\(app))\n")
    try write(
      "\(name)/forms.py",
      "from django import forms\n\nfrom .models import Record\(app)\n\n\nclass RecordForm(forms.ModelForm):\n"
        + "    class Meta:\n        model = Record\(app)\n        fields = [\"name\", \"amount\"]\n\n"
        + filler(seed: app + 1, functions: 8))
    if app == 0 {
      try write(
        "app0/middleware.py",
        "class TimingMiddleware:\n    def __init__(self, get_response):\n        self.get_response = get_response\n\n"
          + "    def __call__(self, request):\n        return self.get_response(request)\n")
      try write("app0/context.py", "def site(request):\n    return {\"site\": \"bench\"}\n")
    }
    // services: a chain inside the app, plus the neighbours' services.
    try write("\(name)/services/__init__.py", "from .s0 import service_0_0  # noqa: F401\n")
    for index in 0..<Self.services {
      var text = "\"\"\"Service \(index) of \(name).\"\"\"\nimport logging\nfrom decimal import Decimal\n\n"
      text +=
        "from ..models import Record\(app)\nfrom ..utils.u\(index % Self.utils) import helper_\(index % Self.utils)_0\n"
      if index > 0 { text += "from .s\(index - 1) import service_\(index - 1)_0\n" }
      if let other = others.first, index % 4 == 0 {
        text += "from app\(other).services.s\(index) import service_\(index)_1 as neighbour\n"
      }
      text +=
        "\nlogger = logging.getLogger(__name__)\n\n"
        + filler(seed: app * 100 + index, functions: 23, prefix: "service_\(index)")
      try write("\(name)/services/s\(index).py", text)
    }
    try write("\(name)/utils/__init__.py", "")
    for index in 0..<Self.utils {
      var text = "import re\nimport json\n\n"
      if index > 0 { text += "from .u\(index - 1) import helper_\(index - 1)_0  # noqa: F401\n\n" }
      text += filler(seed: app * 10 + index, functions: 23, prefix: "helper_\(index)")
      try write("\(name)/utils/u\(index).py", text)
    }
    try write("\(name)/templatetags/__init__.py", "")
    try write(
      "\(name)/templatetags/\(name)_tags.py",
      "from django import template\n\nfrom ..utils.u0 import helper_0_0\n\nregister = template.Library()\n\n\n"
        + "@register.filter\ndef money(value):\n    return helper_0_0(value)\n")
    for index in 0..<Self.templates {
      let parent = index == 0 ? "site_base.html" : "\(name)/page_0.html"
      var text = "{% extends \"\(parent)\" %}\n{% load \(name)_tags %}\n{% block content %}\n"
      if index % 3 == 1 { text += "{% include \"\(name)/page_\(index - 1).html\" %}\n" }
      for row in 0..<30 { text += "<p>{{ record.name }} row \(row): {{ record.amount|money }}</p>\n" }
      try write("\(name)/templates/\(name)/page_\(index).html", text + "{% endblock %}\n")
    }
    try write("\(name)/migrations/__init__.py", "")
    for index in 0..<3 {
      var dependencies = index == 0 ? others.prefix(1).map { "(\"app\($0)\", \"0001_step\")" } : ["(\"\(name)\", \"000\(index)_step\")"]
      var operations = ""
      if index == 0 {
        operations = """
          migrations.CreateModel(
                      name="Record\(app)",
                      fields=[
                          ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False)),
                          ("name", models.CharField(max_length=100)),
                          ("amount", models.DecimalField(max_digits=8, decimal_places=2)),
          \(others.first.map { "                (\"parent\", models.ForeignKey(null=True, on_delete=models.SET_NULL, to=\"app\($0).record\($0)\")),\n" } ?? "")            ],
                  ),
          """
      }
      dependencies.sort()
      try write(
        "\(name)/migrations/000\(index + 1)_step.py",
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
          + "    dependencies = [\(dependencies.joined(separator: ", "))]\n    operations = [\(operations)]\n")
    }
    try write("\(name)/tests/__init__.py", "")
    for index in 0..<Self.testModules {
      var text = "from decimal import Decimal\n\nfrom django.test import TestCase\n"
      let usesClient = index % 3 == 0
      if usesClient { text += "from django.urls import reverse\n" }
      text += "\nfrom \(name).models import Record\(app)\nfrom \(name).services.s\(index) import service_\(index)_0\n"
      if index == 5 { text += "from \(name).forms import RecordForm\n" }
      text += "\n\nclass Service\(index)Tests(TestCase):\n"
      if index == 7 { text += "    fixtures = [\"\(name)_records.json\"]\n\n" }
      for method in 0..<25 {
        text += "    def test_case_\(method)(self):\n"
        if usesClient && method % 5 == 0 {
          text += "        response = self.client.get(reverse(\"\(name):page_\(method % Self.templates)\"))\n"
          text += "        self.assertEqual(response.status_code, 200)\n\n"
        } else {
          text +=
            "        record = Record\(app).objects.create(name=\"r\(method)\", amount=Decimal(\"\(method).50\"))\n"
          text += "        self.assertEqual(service_\(index)_0(record.amount), record.amount * \(method % 4))\n\n"
        }
      }
      try write("\(name)/tests/test_service_\(index).py", text)
    }
    try write("\(name)/fixtures/\(name)_records.json", "[]\n")
  }

  private func models(_ app: Int, _ others: [Int]) -> String {
    var text = "from decimal import Decimal\n\nfrom django.db import models\n\n"
    for other in others { text += "from app\(other).models import Record\(other)  # noqa: F401\n" }
    text += "from .utils.u0 import helper_0_0\n\n\nclass Record\(app)(models.Model):\n"
    text +=
      "    name = models.CharField(max_length=100)\n    amount = models.DecimalField(max_digits=8, decimal_places=2)\n"
    if let other = others.first {
      text += "    parent = models.ForeignKey(\"app\(other).Record\(other)\", null=True, on_delete=models.SET_NULL)\n"
    }
    text +=
      "\n    def __str__(self):\n        return self.name\n\n    def doubled(self):\n        return helper_0_0(self.amount) * 2\n\n\n"
    return text + filler(seed: app * 7, functions: 15)
  }

  private func views(_ app: Int) -> String {
    var text = "from django.shortcuts import get_object_or_404, render\n\nfrom .forms import RecordForm\n"
    text += "from .models import Record\(app)\nfrom .services import s0, s2\n\n"
    for index in 0..<Self.templates {
      text += """


        def page_\(index)(request):
            records = Record\(app).objects.order_by("name")[:20]
            total = s0.service_0_0(sum(record.amount for record in records))
            return render(request, "app\(app)/page_\(index).html", {"records": records, "total": total, "form": RecordForm()})

        """
    }
    return text + "\n\n" + filler(seed: app * 3, functions: 10)
  }

  /// `functions` plain functions of about eight lines each: a docstring, arithmetic,
  /// a loop, strings and a comment that mentions import, as real code does.
  private func filler(seed: Int, functions: Int, prefix: String = "fill") -> String {
    var text = ""
    for index in 0..<functions {
      text += """
        def \(prefix)_\(index)(value, factor=\((seed + index) % 9 + 1)):
            \"\"\"Step \(index): scale ``value`` (import nothing here).\"\"\"
            result = value
            for step in range(\(index % 5 + 1)):
                result = result * factor + step  # from the last step
            label = "step-\(index)-{}".format(step)
            if not label:
                raise ValueError(f"no label for {value!r}")
            return result


        """
    }
    return text
  }
}
