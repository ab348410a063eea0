import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A Django project written to a temporary folder: SQLite (the test database in
/// memory), one app `bench` with a model and a generated suite of trivial tests,
/// `shopbench` with a suite of everyday ones (see EverydaySuite), and `sqlbench`, whose
/// tests flood the database with queries.
struct GeneratedProject {
  /// The temporary folder (removed by `remove()`).
  let folder: String
  /// The project root, with manage.py.
  let root: String
  let tests: Int
  let classes: Int
  let failing: Int
  let ormTests: Int
  let everyday: EverydaySuite

  /// Labels of the query-flood tests.
  static let ormFloodLabel = "sqlbench.test_flood.QueryFloodTests.test_orm_exists"
  static let rawFloodLabel = "sqlbench.test_flood.QueryFloodTests.test_raw_cursor"
  static let overCapLabel = "sqlbench.test_flood.OverCapTests.test_raw_cursor_over_cap"

  init(tests: Int, classes requestedClasses: Int = 60, everydayTests: Int) throws {
    folder = try makeTemporaryFolder(prefix: "djdash-bench")
    root = folder + "/site"
    self.tests = tests
    let classes = max(1, min(requestedClasses, tests))
    self.classes = classes

    var files: [String: String] = [
      "manage.py": Self.manage,
      "benchsite/__init__.py": "",
      "benchsite/settings.py": Self.settings,
      "benchsite/urls.py":
        "from django.urls import include, path\n\nurlpatterns = [path(\"\", include(\"shopbench.urls\"))]\n",
      "bench/__init__.py": "",
      "bench/models.py": Self.models,
      "bench/migrations/__init__.py": "",
      "bench/migrations/0001_initial.py": Self.migration,
      "bench/tests/__init__.py": "",
      "sqlbench/__init__.py": "",
      "sqlbench/test_flood.py": Self.flood,
      "stopbench/__init__.py": "",
      "stopbench/tests.py": Self.stopTests,
    ]
    // The suite: `classes` classes over modules of 5, alternating TestCase and SimpleTestCase.
    var failing = 0
    var ormTests = 0
    var global = 0
    let perModule = 5
    for module in 0..<((classes + perModule - 1) / perModule) {
      var source = "from django.test import SimpleTestCase, TestCase\n\nfrom bench.models import Item\n"
      for index in (module * perModule)..<min(classes, (module + 1) * perModule) {
        let count = tests / classes + (index < tests % classes ? 1 : 0)
        let usesDatabase = index % 2 == 0
        source +=
          "\n\nclass \(usesDatabase ? "Stock" : "Pure")Tests\(index)(\(usesDatabase ? "TestCase" : "SimpleTestCase")):\n"
        if usesDatabase {
          source += """
                @classmethod
                def setUpTestData(cls):
                    cls.seed = Item.objects.create(name="seed", qty=1)

            """
        }
        for method in 0..<count {
          defer { global += 1 }
          source += "\n    def test_\(String(format: "%04d", global))(self):\n"
          if global % 250 == 137 {
            failing += 1
            source += "        self.assertEqual(\(global) * 2, \(global * 2 + 1), \"generated failure\")\n"
          } else if usesDatabase && method % 5 == 0 {
            ormTests += 1
            switch global % 3 {
            case 0:
              source += "        self.assertTrue(Item.objects.filter(pk=self.seed.pk).exists())\n"
            case 1:
              source += """
                        Item.objects.create(name="t\(global)", qty=\(global))
                        self.assertEqual(Item.objects.filter(qty=\(global)).count(), 1)

                """
            default:
              source += """
                        item = Item.objects.create(name="t\(global)", qty=\(global))
                        Item.objects.filter(pk=item.pk).update(qty=F("qty") + 1)
                        self.assertEqual(Item.objects.get(pk=item.pk).qty, \(global + 1))

                """
            }
          } else {
            switch global % 4 {
            case 0:
              source +=
                "        self.assertEqual(sum(range(\(global % 50))), \((global % 50) * (global % 50 - 1) / 2))\n"
            case 1: source += "        self.assertIn(\"\(global)\", \"test-\(global)-name\")\n"
            case 2: source += "        self.assertTrue(\(global) % 2 in (0, 1))\n"
            default: source += "        self.assertEqual(\"bench\".upper(), \"BENCH\")\n"
            }
          }
        }
      }
      if source.contains("F(\"qty\")") {
        source = source.replacingOccurrences(
          of: "from django.test import", with: "from django.db.models import F\nfrom django.test import", options: [],
          range: source.range(of: "from django.test import"))
      }
      files["bench/tests/test_generated_\(String(format: "%02d", module)).py"] = source
    }
    self.failing = failing
    self.ormTests = ormTests
    everyday = EverydaySuite(tests: everydayTests)
    files.merge(everyday.files) { $1 }

    for (path, text) in files {
      let full = root + "/" + path
      try FileManager.default.createDirectory(
        atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: full, atomically: false, encoding: .utf8)
    }
  }

  /// Label of the slow database tests the interruption section stops.
  static let stopLabel = "stopbench"

  /// Two TestCase classes of slow tests (STOP_BENCH_SECONDS each, default 0) that use
  /// the database, so a stop has databases to tear down.
  static let stopTests = """
    import os
    import time

    from django.test import TestCase

    from bench.models import Item


    def slow():
        Item.objects.count()
        time.sleep(float(os.environ.get("STOP_BENCH_SECONDS", "0")))


    class SlowA(TestCase):
        def test_1(self): slow()
        def test_2(self): slow()
        def test_3(self): slow()
        def test_4(self): slow()


    class SlowB(TestCase):
        def test_1(self): slow()
        def test_2(self): slow()
        def test_3(self): slow()
        def test_4(self): slow()

    """

  func remove() {
    try? FileManager.default.removeItem(atPath: folder)
  }

  // MARK: files

  static let manage = """
    #!/usr/bin/env python
    import os
    import sys

    if __name__ == "__main__":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)

    """

  static let settings = """
    from pathlib import Path

    BASE_DIR = Path(__file__).resolve().parent.parent
    SECRET_KEY = "djdash-bench-not-secret"
    DEBUG = False
    ALLOWED_HOSTS = ["*"]
    INSTALLED_APPS = ["bench", "shopbench"]
    MIDDLEWARE = []
    ROOT_URLCONF = "benchsite.urls"
    TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
    # Tests run on SQLite's in-memory test database (Django's default for SQLite).
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "bench.sqlite3"}}
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    USE_TZ = True

    """

  static let models = """
    from django.db import models


    class Item(models.Model):
        name = models.CharField(max_length=100)
        qty = models.IntegerField(default=0)
        created = models.DateTimeField(auto_now_add=True)

    """

  static let migration = """
    from django.db import migrations, models


    class Migration(migrations.Migration):
        initial = True
        dependencies = []
        operations = [
            migrations.CreateModel(
                name="Item",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=100)),
                    ("qty", models.IntegerField(default=0)),
                    ("created", models.DateTimeField(auto_now_add=True)),
                ],
            ),
        ]

    """

  /// Each test prints `DJDASH_BENCH_LOOP <kind> <queries> <seconds>` for its query loop
  /// alone (captured into the test's stdout under djdash).
  static let flood = """
    import os
    import time

    from django.db import connection
    from django.test import TestCase

    from bench.models import Item

    QUERIES = int(os.environ.get("DJDASH_BENCH_QUERIES", "20000"))
    OVER_CAP = int(os.environ.get("DJDASH_BENCH_OVER_CAP", "60000"))


    def raw_loop(count):
        with connection.cursor() as cursor:
            for i in range(count):
                cursor.execute("SELECT %s", [i])
                cursor.fetchone()


    class QueryFloodTests(TestCase):
        @classmethod
        def setUpTestData(cls):
            Item.objects.create(name="seed", qty=1)

        def test_orm_exists(self):
            start = time.perf_counter()
            for i in range(QUERIES):
                Item.objects.filter(pk=i).exists()
            print("DJDASH_BENCH_LOOP orm %d %.6f" % (QUERIES, time.perf_counter() - start))

        def test_raw_cursor(self):
            start = time.perf_counter()
            raw_loop(QUERIES)
            print("DJDASH_BENCH_LOOP raw %d %.6f" % (QUERIES, time.perf_counter() - start))


    class OverCapTests(TestCase):
        def test_raw_cursor_over_cap(self):
            start = time.perf_counter()
            raw_loop(OVER_CAP)
            print("DJDASH_BENCH_LOOP overcap %d %.6f" % (OVER_CAP, time.perf_counter() - start))

    """
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
