import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// The selection against real Django: each case breaks one file of a copy of the demo
/// shop, runs the whole suite, and checks that every test the edit broke is under a
/// selected label, and that apps the edit cannot reach are left out.
final class SelectionMutationTests: XCTestCase {
  /// One copy of the demo and its verdicts before any edit, shared by every case.
  private struct Baseline {
    var project: String
    var python: String
    var outcomes: [String: TestOutcome]
  }

  nonisolated(unsafe) private static var shared: Baseline?

  private func baseline() throws -> Baseline {
    if let shared = Self.shared { return shared }
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let run = try TestRun.run(project: project, python: python)
    XCTAssertEqual(run.outcomes.count, 54, "the demo's whole suite ran: \(run.runnerOutput)")
    XCTAssertGreaterThan(run.outcomes.values.filter { $0 == .pass }.count, 40)
    let baseline = Baseline(project: project, python: python, outcomes: run.outcomes)
    Self.shared = baseline
    return baseline
  }

  private func isSelected(_ name: String, by selection: TestSelection) -> Bool {
    selection.isEverything || selection.labels.contains { name == $0 || name.hasPrefix($0 + ".") }
  }

  /// Applies `replacements` to `path` in the demo copy, checks the selection against
  /// what broke, restores the file, and returns the selection and the broken tests.
  @discardableResult
  private func mutate(
    _ path: String, _ replacements: [(String, String)], mustBreak expected: [String], mustNotSelect unrelated: [String],
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> TestSelection {
    let baseline = try baseline()
    let full = baseline.project + "/" + path
    let original = try String(contentsOfFile: full, encoding: .utf8)
    defer { try? original.write(toFile: full, atomically: true, encoding: .utf8) }
    var mutated = original
    for (old, new) in replacements {
      XCTAssertTrue(mutated.contains(old), "\(path) holds \(old)", file: file, line: line)
      mutated = mutated.replacingOccurrences(of: old, with: new)
    }
    try mutated.write(toFile: full, atomically: true, encoding: .utf8)

    let selection = TestSelector(graph: ProjectGraph(root: baseline.project)).selection(for: [path])
    let run = try TestRun.run(project: baseline.project, python: baseline.python)
    // Broken: passed before and now fails, errors or is gone; or a new failing id
    // (a module that no longer loads, a class whose set-up fails).
    var broken: [String] = []
    for (id, outcome) in baseline.outcomes where outcome == .pass {
      let after = run.outcomes[id]
      if after == nil || after == .fail || after == .error { broken.append(id) }
    }
    for (id, outcome) in run.outcomes where baseline.outcomes[id] == nil && outcome.failsTheRun {
      broken.append(DjangoOracle.dottedName(of: id))
    }
    broken.sort()
    for id in expected {
      XCTAssertTrue(broken.contains(id), "the edit of \(path) breaks \(id); broke \(broken)", file: file, line: line)
    }
    for id in broken {
      XCTAssertTrue(
        isSelected(id, by: selection), "\(id) broke but \(path) selects \(selection.labels)", file: file, line: line)
    }
    for name in unrelated {
      XCTAssertFalse(
        isSelected(name, by: selection), "\(path) selects \(name): \(selection.explanations)", file: file, line: line)
    }
    print("\(path): broke \(broken.count) tests; selected \(selection.labels)\(selection.isEverything ? " (all)" : "")")
    return selection
  }

  func testAPureHelperBreakingEveryPriceShown() throws {
    let selection = try mutate(
      "catalog/pricing.py", [("return \"${:,.2f}\".format(", "return \"USD {:,.2f}\".format(")],
      mustBreak: [
        "catalog.tests.test_pricing.MoneyHelperTests.test_format_price_adds_thousands_separator",
        "catalog.tests.test_views.ProductListViewTests.test_shows_category_and_formatted_price",
        "orders.tests.test_views.OrderDetailViewTests.test_order_detail_totals",
      ],
      mustNotSelect: [])
    // Every app imports the pricing helpers (through catalog.models): no app is unrelated.
    XCTAssertFalse(selection.broadReasons.contains { $0.hasPrefix("catalog/pricing.py") }, "not a broad rule")
  }

  func testAViewReachedOnlyThroughTheURLconf() throws {
    let selection = try mutate(
      "catalog/views.py",
      [
        ("Product.objects.active().order_by(\"name\")", "Product.objects.active().order_by(\"-name\")"),
        ("\"on_sale\": current < product.price", "\"on_sale\": current <= product.price"),
      ],
      mustBreak: [
        "catalog.tests.test_views.ProductListViewTests.test_lists_active_products_alphabetically",
        "catalog.tests.test_views.ProductDetailViewTests.test_garden_product_shows_regular_price",
      ],
      mustNotSelect: [
        "catalog.tests.test_pricing", "catalog.tests.test_models", "notifications", "orders.tests.test_models",
      ]
    )
    XCTAssertEqual(selection.explanations["catalog.tests.test_views"]?.dropFirst().first, "catalog/urls.py imports it")
  }

  func testATemplateExtendingTheBase() throws {
    try mutate(
      "catalog/templates/catalog/product_detail.html",
      [("<h1>{{ product.name }}</h1>", "<h2>{{ product.name }}</h2>"), ("Sold out", "Out of stock")],
      mustBreak: [
        "catalog.tests.test_views.ProductDetailViewTests.test_detail_page",
        "catalog.tests.test_views.ProductDetailViewTests.test_sold_out_product_has_no_buy_form",
      ],
      mustNotSelect: [
        "catalog.tests.test_pricing", "catalog.tests.test_models", "notifications", "orders.tests.test_models",
      ]
    )
  }

  func testASignalHandlerReachedOnlyThroughAppConfigReady() throws {
    try mutate(
      "notifications/signals.py",
      [("if instance.status == Order.Status.PLACED:", "if instance.status == Order.Status.CANCELLED:")],
      mustBreak: [
        "notifications.tests.OrderPlacedMailTests.test_mail_recipients",
        "notifications.tests.OrderPlacedMailTests.test_cancelling_sends_no_mail",
        "orders.tests.test_checkout.CheckoutViewTests.test_checkout_sends_one_confirmation_mail",
      ],
      mustNotSelect: ["catalog.tests.test_pricing", "catalog.tests.test_models"])
  }

  func testAModelMethod() throws {
    try mutate(
      "orders/models.py",
      [("return [(item.unit_price, item.quantity) for item", "return [(item.unit_price, item.quantity * 2) for item")],
      mustBreak: [
        "orders.tests.test_models.OrderModelTests.test_bulk_order_gets_discount_and_free_shipping",
        "orders.tests.test_views.OrderDetailViewTests.test_order_detail_totals",
        "notifications.tests.OrderPlacedMailTests.test_mail_body_lists_items_and_total",
      ],
      mustNotSelect: ["catalog.tests.test_pricing", "catalog.tests.test_models"])
  }

  func testSettingsSelectEverything() throws {
    let selection = try mutate(
      "shopsite/settings.py",
      [("SHOP_SUPPORT_EMAIL = \"support@cornershop.example\"", "SHOP_SUPPORT_EMAIL = \"help@cornershop.example\"")],
      mustBreak: [
        "notifications.tests.OrderPlacedMailTests.test_mail_recipients",
        "orders.tests.test_checkout.CheckoutViewTests.test_checkout_sends_one_confirmation_mail",
      ],
      mustNotSelect: [])
    XCTAssertTrue(selection.isEverything)
    XCTAssertEqual(selection.broadReasons, ["shopsite/settings.py: settings: every test"])
  }

  func testAnUnknownModuleThatNoLongerLoadsIsCaughtByItsAppsTests() throws {
    // A module nothing imports, with a syntax error: only its app's tests are run.
    let baseline = try baseline()
    let path = baseline.project + "/orders/exports.py"
    try "def broken(:\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let selection = TestSelector(graph: ProjectGraph(root: baseline.project)).selection(for: ["orders/exports.py"])
    XCTAssertEqual(selection.labels, ["orders"])
  }
}
