import DjangoRunner
import TestSupport
import XCTest

/// The hook reports the templates each test rendered and the views its requests
/// resolved to, for the selection.
final class TemplateRecordingTests: XCTestCase {
  func testEachTestReportsTheTemplatesItRendered() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    var request = RunRequest()
    request.labels = ["catalog.tests.test_views", "catalog.tests.test_pricing"]
    let run = try TestRun.run(project: project, python: python, request: request)
    let detail = try XCTUnwrap(run.report("catalog.tests.test_views.ProductDetailViewTests.test_detail_page"))
    XCTAssertEqual(detail.templates, ["catalog/base.html", "catalog/product_detail.html"])
    let pricing = try XCTUnwrap(run.report("catalog.tests.test_pricing.MoneyHelperTests.test_line_total"))
    XCTAssertEqual(pricing.templates, [])
  }

  /// Recording on (Python 3.13): a rendered project template is a unit the test executed,
  /// its parent too; Django's own templates are not the project's.
  func testRecordingNamesTheTemplateFilesATestRendered() throws {
    let python = try DjangoVersion.v61.python()
    let project = try TestPaths.copy(TestPaths.demo)
    var request = RunRequest()
    request.labels = ["catalog.tests.test_views", "catalog.tests.test_pricing"]
    let run = try TestRun.run(project: project, python: python, request: request, environment: ["DJDASH_RECORD": "1"])
    let detail = try XCTUnwrap(run.report("catalog.tests.test_views.ProductDetailViewTests.test_detail_page"))
    let rendered = detail.executed.filter { $0.value == ["<template>"] }.keys.sorted()
    XCTAssertEqual(
      rendered, ["catalog/templates/catalog/base.html", "catalog/templates/catalog/product_detail.html"],
      "\(detail.executed)")
    let pricing = try XCTUnwrap(run.report("catalog.tests.test_pricing.MoneyHelperTests.test_line_total"))
    XCTAssertFalse(pricing.executed.values.contains(["<template>"]), "\(pricing.executed)")
  }

  func testEachTestReportsTheViewsItsRequestsResolvedToAndARunKeepsThem() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    // A URLconf only one test class names, with a class-based view.
    try """
    from django.urls import path
    from django.views.generic import TemplateView


    class Ping(TemplateView):
        template_name = "catalog/base.html"


    urlpatterns = [path("ping/", Ping.as_view())]
    """.write(toFile: project + "/catalog/pingurls.py", atomically: true, encoding: .utf8)
    try """
    from django.test import SimpleTestCase, override_settings


    @override_settings(ROOT_URLCONF="catalog.ping" + "urls")
    class PingTests(SimpleTestCase):
        def test_ping(self):
            self.assertEqual(self.client.get("/ping/").status_code, 200)
    """.write(toFile: project + "/catalog/tests/test_ping.py", atomically: true, encoding: .utf8)
    var request = RunRequest()
    request.labels = ["catalog.tests.test_views", "catalog.tests.test_pricing", "catalog.tests.test_ping"]
    let run = try TestRun.run(project: project, python: python, request: request)
    let detail = try XCTUnwrap(run.report("catalog.tests.test_views.ProductDetailViewTests.test_detail_page"))
    XCTAssertEqual(detail.resolved, ["catalog/views.py"])
    XCTAssertEqual(try XCTUnwrap(run.report("catalog.tests.test_ping.PingTests.test_ping")).resolved, ["catalog/pingurls.py"])
    XCTAssertEqual(try XCTUnwrap(run.report("catalog.tests.test_pricing.MoneyHelperTests.test_line_total")).resolved, [])
    // Kept for the selection: a save of the view module selects the test that requested it,
    // which names its URLconf by a computed string no graph follows (its import, recorded
    // too, says so as well).
    let edges = RecordedEdges.load(projectRoot: project)
    XCTAssertEqual(edges.resolved["catalog.tests.test_ping.PingTests"], ["catalog/pingurls.py"])
    let affected = try Shell.djdash(["affected", "--why", "catalog/pingurls.py"], in: project)
    XCTAssertTrue(affected.stdout.contains("catalog.tests.test_ping"), affected.output)
  }
}
