import DjangoRunner
import TestSupport
import XCTest

/// The hook reports the templates each test rendered, for the selection.
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
}
