import XCTest

@testable import DjangoRunner

/// The graph of a small synthetic project: what files are, the apps, the settings and
/// the edges Django's wiring adds.
final class ProjectGraphTests: XCTestCase {
  private func targets(of node: String, in graph: ProjectGraph) -> Set<String> {
    Set((graph.dependencies[node] ?? []).map(\.target))
  }

  // MARK: file kinds

  func testFileKindsByPath() {
    XCTAssertEqual(ProjectFileKind.of("shop/models.py"), .python(module: "shop.models", isPackage: false))
    XCTAssertEqual(ProjectFileKind.of("shop/utils/__init__.py"), .python(module: "shop.utils", isPackage: true))
    XCTAssertEqual(ProjectFileKind.of("shop/migrations/0001_initial.py"), .migration)
    XCTAssertEqual(
      ProjectFileKind.of("shop/migrations/__init__.py"), .python(module: "shop.migrations", isPackage: true))
    XCTAssertEqual(ProjectFileKind.of("shop/templates/shop/base.html"), .template(name: "shop/base.html"))
    XCTAssertEqual(ProjectFileKind.of("templates/admin/base_site.html"), .template(name: "admin/base_site.html"))
    XCTAssertEqual(ProjectFileKind.of("shop/fixtures/products.json"), .fixture(name: "products.json"))
    XCTAssertEqual(ProjectFileKind.of("shop/static/shop/site.css"), .other)
    XCTAssertEqual(ProjectFileKind.of("my-scripts/run.py"), .other, "not importable")
    XCTAssertEqual(ProjectFileKind.of("__init__.py"), .other)
    XCTAssertEqual(ProjectFileKind.of(""), .other)
  }

  // MARK: the project

  func testSettingsAppsAndTestModulesAreFound() throws {
    let project = try SyntheticProject()
    let graph = project.graph()
    XCTAssertEqual(graph.settingsModule, "site_config.settings")
    XCTAssertEqual(graph.settingsFiles, ["site_config/settings.py", "site_config/base.py", "site_config/__init__.py"])
    XCTAssertEqual(graph.apps.map(\.module), ["blog", "mail", "shop"], "an AppConfig path names its package")
    XCTAssertEqual(graph.app(containing: "shop/templates/shop/base.html")?.label, "shop")
    XCTAssertNil(graph.app(containing: "README.md"))
    XCTAssertEqual(
      Set(graph.testModules.values),
      [
        "shop.tests.test_money", "shop.tests.test_text", "shop.tests.test_views", "shop.tests.test_urls",
        "shop.tests.test_fixtures", "mail.tests", "blog.tests.test_posts", "blog.tests.test_feed",
      ])
    XCTAssertEqual(graph.settingsNamedFiles, ["shop/auth.py": "AUTHENTICATION_BACKENDS"])
  }

  func testAnExplicitSettingsModuleWinsOverManagePy() throws {
    let project = try SyntheticProject(replacing: ["site_config/test_settings.py": "from .settings import *\n"])
    let graph = ProjectGraph(root: project.root, settingsModule: "site_config.test_settings")
    XCTAssertEqual(graph.settingsModule, "site_config.test_settings")
    XCTAssertTrue(graph.settingsFiles.isSuperset(of: ["site_config/test_settings.py", "site_config/settings.py"]))
  }

  func testIgnoredFoldersAreNotRead() throws {
    let project = try SyntheticProject(replacing: [
      ".venv/lib/site.py": "import shop.models\n", "node_modules/x/y.py": "", "shop/__pycache__/models.py": "",
    ])
    let graph = project.graph()
    XCTAssertNil(graph.kind(of: ".venv/lib/site.py"))
    XCTAssertNil(graph.kind(of: "node_modules/x/y.py"))
    XCTAssertNil(graph.kind(of: "shop/__pycache__/models.py"))
  }

  // MARK: edges

  func testImportsReachTheModuleAndEveryPackageOnTheWay() throws {
    let graph = try SyntheticProject().graph()
    XCTAssertEqual(
      targets(of: "shop/tests/test_text.py", in: graph),
      ["shop/__init__.py", "shop/tests/__init__.py", "shop/utils/__init__.py"], "its own packages too")
    XCTAssertEqual(
      targets(of: "shop/utils/__init__.py", in: graph),
      ["shop/__init__.py", "shop/utils/__init__.py", "shop/utils/text.py"])
    XCTAssertEqual(
      targets(of: "shop/utils/text.py", in: graph), ["shop/__init__.py", "shop/utils/__init__.py", "shop/money.py"],
      "from ..money import cents")
    XCTAssertTrue(targets(of: "shop/urls.py", in: graph).contains("shop/views.py"), "from . import views")
  }

  func testDottedStringsNameModules() throws {
    let graph = try SyntheticProject().graph()
    XCTAssertTrue(targets(of: "site_config/urls.py", in: graph).isSuperset(of: ["shop/urls.py", "blog/urls.py"]))
    XCTAssertTrue(targets(of: "site_config/settings.py", in: graph).contains("shop/middleware.py"))
  }

  func testTheClientServesTheURLconfMiddlewareAndContextProcessors() throws {
    let graph = try SyntheticProject().graph()
    let served = targets(of: VirtualNode.client, in: graph)
    XCTAssertTrue(
      served.isSuperset(of: ["site_config/urls.py", "shop/middleware.py", "shop/context.py", VirtualNode.urls]),
      "\(served)")
    XCTAssertFalse(served.contains("shop/auth.py"))
  }

  func testTheResolverReadsOnlyURLModules() throws {
    let graph = try SyntheticProject().graph()
    XCTAssertEqual(
      targets(of: VirtualNode.urls, in: graph), ["site_config/urls.py", "shop/urls.py", "blog/urls.py"])
  }

  func testTemplatesExtendAndLoadTags() throws {
    let graph = try SyntheticProject().graph()
    XCTAssertEqual(
      targets(of: "shop/templates/shop/detail.html", in: graph),
      ["shop/templates/shop/base.html", "shop/templatetags/shop_tags.py"])
    XCTAssertTrue(targets(of: "shop/views.py", in: graph).contains("shop/templates/shop/detail.html"))
  }

  func testAReceiverConnectedInReadyIsADependencyOfWhatItImports() throws {
    let graph = try SyntheticProject().graph()
    let reasons = (graph.dependencies["shop/models.py"] ?? []).filter { $0.target == "mail/receivers.py" }
    XCTAssertEqual(reasons.map(\.reason), [.receivesSignals])
    XCTAssertTrue(targets(of: "mail/apps.py", in: graph).contains("mail/receivers.py"), "imported inside ready()")
  }

  func testALazyModelReferenceNamesTheModels() throws {
    let project = try SyntheticProject(replacing: [
      "blog/models.py":
        "from django.db import models\n\nclass Post(models.Model):\n    product = models.ForeignKey('shop.Product', on_delete=models.CASCADE)\n"
    ])
    let graph = project.graph()
    XCTAssertTrue(targets(of: "blog/models.py", in: graph).contains("shop/models.py"))
  }

  func testWithoutSettingsTopLevelPackagesWithAppFilesAreApps() throws {
    let project = try SyntheticProject(removing: ["manage.py"])
    let graph = project.graph()
    XCTAssertNil(graph.settingsModule)
    XCTAssertEqual(graph.apps.map(\.module), ["blog", "mail", "shop"])
  }

  // MARK: updates

  func testUpdateAfterAFileGainsAnImport() throws {
    let project = try SyntheticProject()
    var graph = project.graph()
    XCTAssertFalse(targets(of: "blog/models.py", in: graph).contains("shop/money.py"))
    try project.write("blog/models.py", "from shop.money import cents\n")
    graph.update(["blog/models.py"])
    XCTAssertTrue(targets(of: "blog/models.py", in: graph).contains("shop/money.py"))
    XCTAssertTrue(graph.directDependents(of: "shop/money.py").contains { $0.node == "blog/models.py" })
  }

  func testUpdateOfADeletedAndOfANewFile() throws {
    let project = try SyntheticProject()
    var graph = project.graph()
    let files = graph.fileCount
    try project.delete("shop/money.py")
    try project.write("shop/tax.py", "from .models import Product\n")
    graph.update(["shop/money.py", "shop/tax.py"])
    XCTAssertNil(graph.kind(of: "shop/money.py"))
    XCTAssertEqual(graph.kind(of: "shop/tax.py"), .python(module: "shop.tax", isPackage: false))
    XCTAssertEqual(graph.fileCount, files)
    XCTAssertEqual(graph.directDependents(of: "shop/money.py").count, 0)
    XCTAssertEqual(
      Set(graph.importers(ofMissing: "shop.money")),
      ["shop/models.py", "shop/tests/test_money.py", "shop/utils/text.py"])
  }

  func testUpdateGivesTheSameGraphAsABuild() throws {
    let project = try SyntheticProject()
    var graph = project.graph()
    try project.write("mail/sending.py", "from blog.models import Post\n")
    try project.write("shop/templates/shop/orphan.html", "{% extends 'shop/base.html' %}")
    graph.update(["mail/sending.py", "shop/templates/shop/orphan.html"])
    let built = project.graph()
    XCTAssertEqual(
      graph.dependencies.mapValues { Set($0.map(\.target)) }, built.dependencies.mapValues { Set($0.map(\.target)) })
    XCTAssertEqual(reverseEdges(of: graph), reverseEdges(of: built))
  }

  func testUpdatesBackAndForthGiveTheSameReverseEdgesAsABuild() throws {
    let project = try SyntheticProject()
    var graph = project.graph()
    let original = Set(graph.directDependents(of: "shop/money.py").map(\.node))
    try project.write("blog/models.py", "from shop.money import cents\n")
    graph.update(["blog/models.py"])
    XCTAssertEqual(reverseEdges(of: graph), reverseEdges(of: project.graph()))
    try project.write("blog/models.py", SyntheticProject.files["blog/models.py"] ?? "")
    graph.update(["blog/models.py"])
    XCTAssertEqual(reverseEdges(of: graph), reverseEdges(of: project.graph()))
    XCTAssertEqual(Set(graph.directDependents(of: "shop/money.py").map(\.node)), original)
  }

  /// Every node's direct dependents with why, order aside.
  private func reverseEdges(of graph: ProjectGraph) -> [String: Set<String>] {
    var result: [String: Set<String>] = [:]
    for node in Set(graph.dependencies.values.flatMap { $0.map(\.target) }) {
      let dependents = Set(graph.directDependents(of: node).map { "\($0.node) \($0.reason.phrase)" })
      if !dependents.isEmpty { result[node] = dependents }
    }
    return result
  }
}

/// Settings laid out as cookiecutter-django does: INSTALLED_APPS summed from lists,
/// local apps inside the project's package.
final class SplitAppListTests: XCTestCase {
  func testAppsNamedInListsThatInstalledAppsAddsUp() throws {
    let project = try SyntheticProject(replacing: [
      "site_config/settings.py": """
      DJANGO_APPS = ["django.contrib.contenttypes"]
      LOCAL_APPS = ["shop", "mail.apps.MailConfig", "blog", "corner.billing.apps.BillingConfig"]
      INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS
      ROOT_URLCONF = "site_config.urls"
      """,
      "corner/__init__.py": "",
      "corner/billing/__init__.py": "",
      "corner/billing/apps.py": """
      from django.apps import AppConfig


      class BillingConfig(AppConfig):
          name = "corner.billing"

          def ready(self):
              from . import receivers  # noqa: F401
      """,
      "corner/billing/receivers.py": """
      from django.db.models.signals import post_save
      from django.dispatch import receiver

      from shop.models import Product


      @receiver(post_save, sender=Product)
      def bill(sender, instance, **kwargs):
          pass
      """,
      "corner/billing/tests.py": "from django.test import TestCase\n",
    ])
    let graph = project.graph()
    XCTAssertEqual(graph.apps.map(\.module), ["blog", "corner.billing", "mail", "shop"])
    XCTAssertEqual(graph.settingsNamedFiles, [:], "an app is not a module that only settings use")
    let selector = TestSelector(graph: graph)
    XCTAssertEqual(selector.selection(for: ["blog/models.py"]).labels, ["blog"])
    XCTAssertEqual(
      selector.selection(for: ["corner/billing/rates.csv"]).labels, ["corner"], "its only test module is under corner")
    let receiver = selector.selection(for: ["corner/billing/receivers.py"]).labels
    XCTAssertTrue(
      receiver.contains { "shop.tests.test_views".hasPrefix($0) },
      "the receiver connected in ready() runs when shop's products are saved: \(receiver)")
    XCTAssertFalse(receiver.contains { "blog.tests.test_feed".hasPrefix($0) }, "\(receiver)")
  }
}
