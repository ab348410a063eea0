import XCTest

@testable import DjangoRunner

/// Which tests a change selects in a small synthetic project (see SyntheticProject):
/// recall first, unrelated apps left out, minimal labels.
final class TestSelectorTests: XCTestCase {
  private var project: SyntheticProject!

  override func setUpWithError() throws {
    project = try SyntheticProject()
  }

  override func tearDown() {
    project = nil
  }

  private func selection(_ paths: String..., in project: SyntheticProject? = nil) -> TestSelection {
    TestSelector(graph: (project ?? self.project).graph()).selection(for: paths)
  }

  private func assertSelects(
    _ selection: TestSelection, _ labels: [String], file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(selection.labels, labels, "\(selection.explanations)", file: file, line: line)
    XCTAssertFalse(selection.isEverything, file: file, line: line)
  }

  /// Whether `module` runs under one of the selected labels.
  private func covers(_ selection: TestSelection, _ module: String) -> Bool {
    selection.isEverything || selection.labels.contains { module == $0 || module.hasPrefix($0 + ".") }
  }

  // MARK: Python imports

  func testAPureHelperSelectsItsImporters() {
    let selection = selection("shop/money.py")
    for module in ["shop.tests.test_money", "shop.tests.test_text", "shop.tests.test_views"] {
      XCTAssertTrue(covers(selection, module), "\(module) in \(selection.labels)")
    }
    XCTAssertFalse(covers(selection, "blog.tests.test_posts"), "\(selection.labels)")
    XCTAssertFalse(covers(selection, "blog.tests.test_feed"), "\(selection.labels)")
  }

  func testAModuleReExportedByAPackageInitSelectsWhoImportsThePackage() {
    assertSelects(selection("shop/utils/text.py"), ["shop.tests.test_text"])
    XCTAssertEqual(
      selection("shop/utils/text.py").explanations["shop.tests.test_text"],
      ["shop/utils/text.py (changed)", "shop/utils/__init__.py imports it", "shop/tests/test_text.py imports it"])
  }

  func testATestModuleSelectsItself() {
    assertSelects(selection("shop/tests/test_money.py"), ["shop.tests.test_money"])
  }

  func testModelsOfOneAppSelectTheWholeAppAsOneLabel() {
    assertSelects(selection("blog/models.py"), ["blog"])
  }

  // MARK: the URLconf

  func testAViewReachedOnlyThroughTheURLconfSelectsTheClientUsers() {
    let selection = selection("shop/views.py")
    assertSelects(selection, ["shop.tests.test_views"])
    XCTAssertEqual(
      selection.explanations["shop.tests.test_views"],
      [
        "shop/views.py (changed)", "shop/urls.py imports it", "site_config/urls.py names it (\"shop.urls\")",
        "(the test client) serves it (ROOT_URLCONF)", "shop/tests/test_views.py uses the test client",
      ])
  }

  func testAViewBodyChangeDoesNotSelectReverseUsers() {
    XCTAssertFalse(covers(selection("shop/views.py"), "shop.tests.test_urls"))
  }

  func testAURLModuleChangeSelectsReverseUsersToo() {
    assertSelects(selection("shop/urls.py"), ["shop.tests.test_urls", "shop.tests.test_views"])
  }

  func testMiddlewareIsServedByTheClientNotABroadChange() {
    assertSelects(selection("shop/middleware.py"), ["shop.tests.test_views"])
    assertSelects(selection("shop/context.py"), ["shop.tests.test_views"])
  }

  // MARK: signals

  func testAReceiverConnectedInReadySelectsTheTestsUsingTheSender() {
    let selection = selection("mail/receivers.py")
    XCTAssertTrue(covers(selection, "mail.tests"), "\(selection.labels)")
    XCTAssertTrue(covers(selection, "shop.tests.test_views"), "\(selection.labels)")
    XCTAssertTrue(covers(selection, "shop.tests.test_money"), "importers of shop.* run the receivers")
    XCTAssertFalse(covers(selection, "blog.tests.test_posts"), "\(selection.labels)")
  }

  func testAReceiverNamingItsSenderByALazyStringSelectsTheTestsUsingTheSender() throws {
    let project = try SyntheticProject(replacing: [
      "mail/receivers.py": """
      from django.db.models.signals import post_save
      from django.dispatch import receiver


      @receiver(post_save, sender="shop.Product")
      def product_saved(sender, instance, **kwargs):
          pass
      """,
      "shop/tests/test_products.py": "from shop.models import Product\n",
    ])
    let selection = selection("mail/receivers.py", in: project)
    XCTAssertTrue(covers(selection, "shop.tests.test_products"), "\(selection.labels)")
    XCTAssertFalse(covers(selection, "blog.tests.test_posts"), "\(selection.labels)")
  }

  // MARK: class labels

  private func mixedProject(_ module: String) throws -> SyntheticProject {
    try SyntheticProject(replacing: [
      "shop/alpha.py": "def one():\n    return 1\n",
      "shop/beta.py": "def two():\n    return 2\n",
      "shop/tests/test_mixed.py": module,
    ])
  }

  private let mixed = """
    from django.test import Client, SimpleTestCase

    from shop import beta
    from shop.alpha import one


    def helper():
        return beta.two()


    class Mixin:
        def check(self):
            return helper()


    class AlphaTests(SimpleTestCase):
        def test_one(self):
            self.assertEqual(one(), 1)


    class BetaTests(Mixin, SimpleTestCase):
        def test_two(self):
            self.assertEqual(self.check(), 2)


    class PageTests(SimpleTestCase):
        def test_page(self):
            self.client.get("/1/")
    """

  func testOnlyTheClassesThatUseAChangeRun() throws {
    let project = try mixedProject(mixed)
    assertSelects(selection("shop/alpha.py", in: project), ["shop.tests.test_mixed.AlphaTests"])
    // Through a module function and a mixin.
    let beta = selection("shop/beta.py", in: project)
    assertSelects(beta, ["shop.tests.test_mixed.BetaTests"])
    XCTAssertEqual(
      beta.explanations["shop.tests.test_mixed.BetaTests"]?.last, "(its classes BetaTests use it)")
    // The test client: the class that uses it, beside the other modules that do.
    let views = selection("shop/views.py", in: project)
    XCTAssertTrue(views.labels.contains("shop.tests.test_mixed.PageTests"), "\(views.labels)")
    XCTAssertFalse(views.labels.contains { $0.hasPrefix("shop.tests.test_mixed.Alpha") }, "\(views.labels)")
  }

  func testWhatRunsForEveryClassKeepsTheModuleWhole() throws {
    // Module-level code using the import.
    let constant = try mixedProject(mixed + "\nVALUE = one()\n")
    assertSelects(selection("shop/alpha.py", in: constant), ["shop.tests.test_mixed"])
    // A base class from elsewhere: maybe a TestCase, maybe not.
    let foreign = try mixedProject(mixed.replacingOccurrences(of: "class AlphaTests(SimpleTestCase)", with: "class AlphaTests(Base)"))
    assertSelects(selection("shop/alpha.py", in: foreign), ["shop.tests.test_mixed"])
    // A star import.
    let star = try mixedProject("from shop.alpha import *\n" + mixed)
    assertSelects(selection("shop/beta.py", in: star), ["shop.tests.test_mixed"])
    // setUpModule runs for every class.
    let setup = try mixedProject(mixed + "\ndef setUpModule():\n    one()\n")
    assertSelects(selection("shop/alpha.py", in: setup), ["shop.tests.test_mixed"])
    // The test module itself, changed.
    assertSelects(selection("shop/tests/test_mixed.py", in: try mixedProject(mixed)), ["shop.tests.test_mixed"])
  }

  func testAnOutlineBindsEachImportedNameAlone() {
    XCTAssertEqual(
      TestModuleOutline.boundNames("from a.b import c, d as e"), ["c": "from a.b import c", "e": "from a.b import d as e"])
    XCTAssertEqual(TestModuleOutline.boundNames("import a.b, c as d"), ["a": "import a.b", "d": "import c as d"])
    XCTAssertNil(TestModuleOutline.boundNames("from a import *"))
    XCTAssertEqual(TestModuleOutline.bases("class A(x.Mixin, django.test.TestCase, metaclass=M):"), ["Mixin", "TestCase"])
  }

  // MARK: templates and fixtures

  func testATemplateSelectsThroughWhatExtendsItAndTheViewNamingIt() {
    let selection = selection("shop/templates/shop/base.html")
    assertSelects(selection, ["shop.tests.test_views"])
    XCTAssertEqual(
      selection.explanations["shop.tests.test_views"]?.prefix(3),
      [
        "shop/templates/shop/base.html (changed)", "shop/templates/shop/detail.html extends or includes it",
        "shop/views.py names the template (\"shop/detail.html\")",
      ])
  }

  func testATemplateNothingNamesSelectsItsAppAndTheClientUsers() {
    assertSelects(selection("shop/templates/shop/orphan.html"), ["shop"])
  }

  func testATemplateAGenericViewPicksByConventionSelectsThroughTheViewsOfItsModel() throws {
    let project = try SyntheticProject(replacing: [
      "shop/templates/shop/product_list.html": "<ul></ul>\n",
      "shop/listing.py":
        "from django.views.generic import ListView\n\nfrom .models import Product\n\nclass ProductList(ListView):\n    model = Product\n",
      "shop/archive.py":
        "from django.views.generic import ArchiveIndexView\n\nfrom .models import Product\n\nclass Old(ArchiveIndexView):\n    queryset = Product.objects.all()\n",
      "shop/tests/test_listing.py": "from shop.listing import ProductList\n",
      "shop/tests/test_archive.py": "from shop.archive import Old\n",
    ])
    let selection = selection("shop/templates/shop/product_list.html", in: project)
    // Not the app's other tests, nor every test the client serves.
    assertSelects(selection, ["shop.tests.test_archive", "shop.tests.test_listing"])
    XCTAssertEqual(
      selection.explanations["shop.tests.test_listing"],
      [
        "shop/templates/shop/product_list.html (changed)",
        "shop/listing.py has a class-based view of product, which picks it by its name",
        "shop/tests/test_listing.py imports it",
      ])
    // Another model's conventional name, with no view of it: the fallback stays.
    assertSelects(self.selection("shop/templates/shop/orphan.html", in: project), ["shop"])
    XCTAssertEqual(TestSelector.conventionalModel(of: "shop/order_item_archive_year.html"), "order_item")
    XCTAssertEqual(TestSelector.conventionalModel(of: "shop/product_confirm_delete.html"), "product")
    XCTAssertNil(TestSelector.conventionalModel(of: "shop/partials/product_list.html"))
    XCTAssertNil(TestSelector.conventionalModel(of: "shop/home.html"))
  }

  func testARecordedRenderAddsTheTestsThatRenderedTheTemplate() throws {
    let project = try SyntheticProject(replacing: ["mail/templates/mail/notice.html": "<p>{{ text }}</p>\n"])
    var selector = TestSelector(graph: project.graph())
    let before = selector.selection(for: ["mail/templates/mail/notice.html"])
    XCTAssertFalse(covers(before, "blog.tests.test_posts"), "\(before.labels)")
    selector.recordRenders(["blog.tests.test_posts.PostTests.test_title": ["mail/notice.html"]])
    let selection = selector.selection(for: ["mail/templates/mail/notice.html"])
    XCTAssertTrue(covers(selection, "blog.tests.test_posts"), "\(selection.labels)")
    XCTAssertFalse(covers(selection, "blog.tests.test_feed"), "\(selection.labels)")
    XCTAssertEqual(
      selection.explanations["blog.tests.test_posts"],
      ["mail/templates/mail/notice.html (changed)", "blog/tests/test_posts.py rendered it in the last run"])
    // Nothing names it, so its app's tests and the client's stay selected too.
    XCTAssertTrue(covers(selection, "mail.tests"), "\(selection.labels)")
  }

  func testATagLibrarySelectsTheTemplatesLoadingIt() {
    assertSelects(selection("shop/templatetags/shop_tags.py"), ["shop.tests.test_views"])
  }

  func testAFixtureSelectsTheTestsNamingIt() {
    assertSelects(selection("shop/fixtures/products.json"), ["shop.tests.test_fixtures"])
  }

  // MARK: broad changes

  func testSettingsSelectEverything() {
    for path in ["site_config/settings.py", "site_config/base.py"] {
      let selection = selection(path)
      XCTAssertTrue(selection.isEverything, path)
      XCTAssertEqual(selection.labels, ["blog", "mail", "shop"], path)
      XCTAssertEqual(selection.broadReasons, ["\(path): settings: every test"])
      XCTAssertEqual(selection.broadAsSettings, [path], "records may narrow its function bodies")
    }
  }

  func testASharedTestHelperSelectsEverything() throws {
    let project = try SyntheticProject(replacing: [
      "shop/tests/factories.py": "from shop.models import Product\n",
      "shop/tests/test_money.py": "from shop.money import cents\nfrom shop.tests.factories import Product\n",
      "blog/tests/base.py": "BASE = 1\n",
      "blog/tests/test_feed.py": "from blog.models import Post\nfrom blog.tests.base import BASE\n",
    ])
    for path in ["shop/tests/factories.py", "blog/tests/base.py"] {
      let selection = selection(path, in: project)
      XCTAssertTrue(selection.isEverything, path)
      XCTAssertEqual(selection.broadReasons, ["\(path): a shared test helper: every test"])
    }
    // A test module or a tests package's __init__ is no shared helper: the graph knows them.
    XCTAssertFalse(selection("shop/tests/test_money.py", in: project).isEverything)
    XCTAssertFalse(selection("shop/tests/__init__.py", in: project).isEverything)
  }

  func testAModuleInATestsFolderThatNoTestImportsIsFollowedThroughTheGraph() throws {
    // A test project's view, reached through its URLconf: not every test.
    let project = try SyntheticProject(replacing: [
      "shop/tests/views.py": "def page(request): pass\n",
      "shop/tests/urls.py": "from shop.tests import views\nurlpatterns = []\n",
      "shop/tests/test_views.py":
        "from django.test import TestCase\n\nclass T(TestCase):\n    urls = \"shop.tests.urls\"\n",
    ])
    let selection = selection("shop/tests/views.py", in: project)
    XCTAssertFalse(selection.isEverything, "\(selection.broadReasons)")
    XCTAssertTrue(covers(selection, "shop.tests.test_views"), "\(selection.labels)")
    XCTAssertFalse(covers(selection, "blog.tests.test_posts"), "\(selection.labels)")
  }

  func testAModuleARunRecordedATestImportingIsADependencyOfItsModule() throws {
    let project = try SyntheticProject(replacing: ["blog/feeds.py": "FEEDS = []\n"])
    var selector = TestSelector(graph: project.graph())
    XCTAssertFalse(covers(selector.selection(for: ["blog/feeds.py"]), "shop.tests.test_money"))
    var recorded = RecordedEdges()
    var report = TestReport(id: "shop.tests.test_money.MoneyTests.test_cents", outcome: .pass)
    report.imported = ["blog/feeds.py", "not/a/project/file.py"]
    XCTAssertTrue(recorded.add(report))
    XCTAssertFalse(recorded.add(report), "nothing new the second time")
    selector.recordImports(recorded.imports)
    let selection = selector.selection(for: ["blog/feeds.py"])
    XCTAssertTrue(covers(selection, "shop.tests.test_money"), "\(selection.labels)")
    XCTAssertEqual(
      selection.explanations["shop.tests.test_money"],
      ["blog/feeds.py (changed)", "shop/tests/test_money.py imported it in an earlier run"])
  }

  func testAViewARunRecordedATestsRequestResolvingToIsADependencyOfItsModule() throws {
    let project = try SyntheticProject(replacing: ["blog/views.py": "def feed(request):\n    pass\n"])
    var selector = TestSelector(graph: project.graph())
    XCTAssertFalse(covers(selector.selection(for: ["blog/views.py"]), "shop.tests.test_money"))
    var recorded = RecordedEdges()
    var report = TestReport(id: "shop.tests.test_money.MoneyTests.test_cents", outcome: .pass)
    report.resolved = ["blog/views.py"]
    XCTAssertTrue(recorded.add(report))
    selector.recordResolutions(recorded.resolved)
    let selection = selector.selection(for: ["blog/views.py"])
    XCTAssertEqual(
      selection.explanations["shop.tests.test_money"],
      ["blog/views.py (changed)", "shop/tests/test_money.py requested a URL that resolved to it in an earlier run"])
    // An older file without the field still reads.
    let old = try JSONDecoder().decode(RecordedEdges.self, from: Data(#"{"renders":{},"imports":{"a.B":["x.py"]}}"#.utf8))
    XCTAssertEqual(old.imports["a.B"], ["x.py"])
    XCTAssertTrue(old.resolved.isEmpty)
  }

  func testOverriddenURLconfsAndMiddlewareAreNamedByTheirStrings() throws {
    let project = try SyntheticProject(replacing: [
      "shop/alt_urls.py": "from django.urls import path\n\nfrom .altviews import page\n\nurlpatterns = [path('', page)]\n",
      "shop/altviews.py": "def page(request):\n    pass\n",
      "shop/tests/test_alt.py": """
        from django.test import SimpleTestCase, modify_settings, override_settings


        @override_settings(ROOT_URLCONF="shop.alt_urls")
        class AltTests(SimpleTestCase):
            pass


        @modify_settings(MIDDLEWARE={"append": "shop.middleware.TimingMiddleware"})
        class TimedTests(SimpleTestCase):
            pass


        class AttrTests(SimpleTestCase):
            urls = "shop.alt_urls"
        """,
    ])
    let views = selection("shop/altviews.py", in: project)
    XCTAssertEqual(
      views.explanations["shop.tests.test_alt.AltTests"] ?? views.explanations["shop.tests.test_alt"],
      [
        "shop/altviews.py (changed)", "shop/alt_urls.py imports it",
        "shop/tests/test_alt.py names it (\"shop.alt_urls\")", "(its classes AltTests, AttrTests use it)",
      ])
    let middleware = selection("shop/middleware.py", in: project)
    XCTAssertTrue(covers(middleware, "shop.tests.test_alt.TimedTests"), "\(middleware.labels)")
  }

  func testAModuleDjangoLoadedAtSetupChangedOutsideFunctionBodiesSelectsEverything() throws {
    let models = """
      from django.db import models

      class Post(models.Model):
          title = models.CharField(max_length=50)

          def shout(self):
              return self.title.upper()
      """
    let project = try SyntheticProject(replacing: ["blog/models.py": models])
    var selector = TestSelector(graph: ProjectGraph(root: project.root, loadedAtSetup: ["blog/models.py"]))
    // Inside a method: what Django set up is the same; the graph decides.
    try project.write("blog/models.py", models.replacingOccurrences(of: "upper()", with: "lower()"))
    let inBody = selector.selection(afterChanging: ["blog/models.py"])
    XCTAssertFalse(inBody.isEverything, "\(inBody.broadReasons)")
    XCTAssertEqual(inBody.labels, ["blog"])
    // A field: the model Django set up changed.
    try project.write("blog/models.py", models.replacingOccurrences(of: "max_length=50", with: "max_length=80"))
    let field = selector.selection(afterChanging: ["blog/models.py"])
    XCTAssertTrue(field.isEverything)
    XCTAssertEqual(
      field.broadReasons, ["blog/models.py: loaded by django.setup() and changed outside function bodies: every test"])
    // A module the runner did not load at setup keeps the graph's selection.
    try project.write("blog/urls.py", "urlpatterns = [1]\n")
    XCTAssertFalse(selector.selection(afterChanging: ["blog/urls.py"]).isEverything)
  }

  func testAModuleTheURLconfImportsThatNoLongerCompilesSelectsEverything() throws {
    // runtests.py sets the settings, whose ROOT_URLCONF imports the views: Django's system
    // checks import them before any test.
    let folder = try TemporaryFolder()
    try folder.write(
      "runtests.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"tests.settings\")\n")
    try folder.write("tests/__init__.py")
    try folder.write("tests/settings.py", "ROOT_URLCONF = \"tests.urls\"\nINSTALLED_APPS = [\"lib\", \"tests\"]\n")
    try folder.write("tests/urls.py", "from lib.views import page\nurlpatterns = []\n")
    try folder.write("tests/test_forms.py", "from lib.forms import Form\n")
    try folder.write("tests/test_views.py", "from lib.views import page\n")
    try folder.write("lib/__init__.py")
    try folder.write("lib/views.py", "def page(request): pass\n")
    try folder.write("lib/forms.py", "class Form: pass\n")
    let graph = ProjectGraph(root: folder.path, entryScript: "runtests.py")
    XCTAssertEqual(graph.settingsModule, "tests.settings")
    XCTAssertTrue(graph.loadedBeforeTests.contains("lib/views.py"))
    let selector = TestSelector(graph: graph)
    let broken = selector.selection(for: ["lib/views.py"], uncompilable: ["lib/views.py"])
    XCTAssertTrue(broken.isEverything)
    XCTAssertEqual(
      broken.broadReasons,
      [
        "lib/views.py: no longer compiles, and Django imports it before any test (django.setup() or the system checks): every test"
      ])
    // One that compiles follows the graph; one no test loads early fails only its importers.
    XCTAssertEqual(selector.selection(for: ["lib/views.py"]).labels, ["tests.test_views"])
    XCTAssertEqual(
      selector.selection(for: ["lib/forms.py"], uncompilable: ["lib/forms.py"]).labels, ["tests.test_forms"])
  }

  func testRecordedEdgesAreMergedIntoTheProjectsFile() throws {
    let folder = try TemporaryFolder()
    var first = RecordedEdges()
    var report = TestReport(id: "a.tests.T.test_one", outcome: .pass)
    report.templates = ["a/page.html"]
    first.add(report)
    RecordedEdges.merge(first, projectRoot: folder.path)
    var second = RecordedEdges()
    report.templates = []
    report.imported = ["a/extra.py"]
    second.add(report)
    RecordedEdges.merge(second, projectRoot: folder.path)
    let kept = RecordedEdges.load(projectRoot: folder.path)
    XCTAssertEqual(kept.renders, ["a.tests.T": ["a/page.html"]])
    XCTAssertEqual(kept.imports, ["a.tests.T": ["a/extra.py"]])
  }

  func testAManagementCommandSelectsTheTestsCallingItByName() throws {
    let project = try SyntheticProject(replacing: [
      "shop/management/__init__.py": "",
      "shop/management/commands/__init__.py": "",
      "shop/management/commands/base.py": "class ShopCommand: pass\n",
      "shop/management/commands/rebuild_prices.py": "from .base import ShopCommand\n",
      "blog/tests/test_posts.py": "from django.core.management import call_command\ncall_command(\"rebuild_prices\")\n",
    ])
    for path in ["shop/management/commands/rebuild_prices.py", "shop/management/commands/base.py"] {
      let selection = selection(path, in: project)
      XCTAssertTrue(covers(selection, "blog.tests.test_posts"), "\(path): \(selection.labels)")
      XCTAssertFalse(covers(selection, "blog.tests.test_feed"), "\(path): \(selection.labels)")
    }
    XCTAssertEqual(
      selection("shop/management/commands/rebuild_prices.py", in: project).explanations["blog.tests.test_posts"],
      [
        "shop/management/commands/rebuild_prices.py (changed)",
        "blog/tests/test_posts.py calls the management command (\"rebuild_prices\")",
      ])
  }

  func testTemplateSyntaxInAPythonStringSelectsThroughTagsAndTemplates() throws {
    let project = try SyntheticProject(replacing: [
      "blog/tests/test_feed.py":
        "from django.template import Template\nT = Template(\"{% load shop_tags %}{% include 'shop/base.html' %}\")\n",
      "shop/templates/shop/base.html": "<html></html>\n",
    ])
    for path in ["shop/templatetags/shop_tags.py", "shop/templates/shop/base.html"] {
      let selection = selection(path, in: project)
      XCTAssertTrue(covers(selection, "blog.tests.test_feed"), "\(path): \(selection.labels)")
      XCTAssertFalse(covers(selection, "blog.tests.test_posts"), "\(path): \(selection.labels)")
    }
  }

  func testAMigrationSelectsEverything() {
    let selection = selection("shop/migrations/0001_initial.py")
    XCTAssertTrue(selection.isEverything)
    XCTAssertEqual(selection.labels(within: []), [])
  }

  func testAModuleSettingsNameSelectsEverything() {
    let selection = selection("shop/auth.py")
    XCTAssertTrue(selection.isEverything)
    XCTAssertEqual(selection.broadReasons, ["shop/auth.py: named by AUTHENTICATION_BACKENDS in settings: every test"])
  }

  func testRequirementsAndManagePySelectEverything() {
    XCTAssertTrue(selection("requirements.txt").isEverything)
    XCTAssertTrue(selection("requirements/dev.in").isEverything)
    XCTAssertTrue(selection("manage.py").isEverything)
  }

  // MARK: what the graph cannot see

  func testAnUnknownFileInAnAppSelectsThatAppsTests() {
    assertSelects(selection("shop/static/shop/site.css"), ["shop"])
    assertSelects(selection("blog/notes.txt"), ["blog"])
  }

  func testAFileOutsideEveryAppSelectsNothingAndSaysWhy() {
    let selection = selection("README.md")
    XCTAssertTrue(selection.isEmpty)
    XCTAssertEqual(selection.unaffected, ["README.md: outside every app and nothing depends on it"])
  }

  func testANewModuleNothingImportsSelectsItsAppsTests() throws {
    var selector = TestSelector(graph: project.graph())
    try project.write("blog/feeds.py", "def latest():\n    return []\n")
    assertSelects(selector.selection(afterChanging: ["blog/feeds.py"]), ["blog"])
  }

  func testADeletedModuleSelectsItsImporters() throws {
    var selector = TestSelector(graph: project.graph())
    try project.delete("shop/money.py")
    let selection = selector.selection(afterChanging: ["shop/money.py"])
    for module in ["shop.tests.test_money", "shop.tests.test_text", "shop.tests.test_views"] {
      XCTAssertTrue(covers(selection, module), "\(module) in \(selection.labels)")
    }
    XCTAssertFalse(covers(selection, "blog.tests.test_feed"))
    XCTAssertNil(selector.graph.kind(of: "shop/money.py"))
  }

  func testADeletedModuleKnownOnlyFromItsImportersStillSelectsThem() throws {
    try project.delete("shop/money.py")
    let selection = selection("shop/money.py")
    XCTAssertTrue(covers(selection, "shop.tests.test_money"), "\(selection.labels)")
  }

  func testADeletedTemplateSelectsWhatUsedIt() throws {
    var selector = TestSelector(graph: project.graph())
    try project.delete("shop/templates/shop/base.html")
    assertSelects(selector.selection(afterChanging: ["shop/templates/shop/base.html"]), ["shop.tests.test_views"])
  }

  func testAfterAFileGainsAnImportItsNewDependencySelectsIt() throws {
    var selector = TestSelector(graph: project.graph())
    XCTAssertFalse(covers(selector.selection(for: ["shop/money.py"]), "blog.tests.test_feed"))
    try project.write("blog/tests/test_feed.py", "from blog.models import Post\nfrom shop.money import cents\n")
    assertSelects(selector.selection(afterChanging: ["blog/tests/test_feed.py"]), ["blog.tests.test_feed"])
    XCTAssertTrue(covers(selector.selection(for: ["shop/money.py"]), "blog.tests.test_feed"))
  }

  func testATestPackageInitIsLoadedWithEveryTestModuleInIt() throws {
    let project = try SyntheticProject(replacing: [
      "shop/tests/__init__.py": "from .helpers import make_product  # noqa\n",
      "shop/tests/helpers.py": "def make_product():\n    pass\n",
      "shop/tests/test_views.py":
        "from shop.tests.helpers import make_product\n\ndef test(self):\n    self.client.get('/')\n",
    ])
    let selection = selection("shop/tests/__init__.py", in: project)
    XCTAssertEqual(selection.labels, ["shop"], "every module of shop.tests runs its __init__ on import")
  }

  // MARK: several files

  func testSeveralFilesGiveTheUnionWithMinimalLabels() {
    assertSelects(selection("blog/models.py", "shop/views.py"), ["blog", "shop.tests.test_views"])
  }

  // MARK: labels within a scope

  func testLabelsWithinAScope() {
    let selection = TestSelection(labels: ["blog", "shop.tests.test_views", "shop.tests.test_money"])
    XCTAssertEqual(selection.labels(within: []), ["blog", "shop.tests.test_views", "shop.tests.test_money"])
    XCTAssertEqual(selection.labels(within: ["shop"]), ["shop.tests.test_views", "shop.tests.test_money"])
    XCTAssertEqual(selection.labels(within: ["blog.tests.test_feed.FeedTests"]), ["blog.tests.test_feed.FeedTests"])
    XCTAssertEqual(selection.labels(within: ["mail"]), [])
    // Directory and file labels, as manage.py test takes them.
    XCTAssertEqual(selection.labels(within: ["shop/"]), ["shop.tests.test_views", "shop.tests.test_money"])
    XCTAssertEqual(selection.labels(within: ["./blog/tests/test_feed.py"]), ["blog.tests.test_feed"])
    XCTAssertEqual(selection.labels(within: ["shopping"]), [], "a prefix of a name is not a package")
    XCTAssertEqual(
      selection.labels(within: ["shop.tests.test_views", "shop.tests"]),
      ["shop.tests.test_views", "shop.tests.test_money"])
  }

  func testEverythingWithinAScopeIsTheScope() {
    let selection = TestSelection(labels: ["blog", "shop"], isEverything: true)
    XCTAssertEqual(selection.labels(within: ["shop.tests", "blog"]), ["shop.tests", "blog"])
    XCTAssertEqual(selection.labels(within: []), [])
  }
}
