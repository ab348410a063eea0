import DjangoRunner
import XCTest

/// The rest of the suite behind a selection: every known test the selection left out, in
/// the fewest labels, never one it ran.
final class RestOfSuiteTests: XCTestCase {
  let known = [
    "shop.tests.test_cart.CartTests.test_add",
    "shop.tests.test_cart.CartTests.test_remove",
    "shop.tests.test_cart.TotalsTests.test_sum",
    "shop.tests.test_views.PageTests.test_home",
    "orders.tests.OrderTests.test_place",
    "orders.tests.OrderTests.test_cancel",
  ]

  func testWholeModulesTheSelectionLeftOutAreOneLabelEach() {
    XCTAssertEqual(
      RestOfSuite.labels(known: known, selected: ["shop.tests.test_cart"], scope: []),
      ["shop.tests.test_views", "orders.tests"])
  }

  func testPartOfAModuleOrClassNarrowsToClassesAndMethods() {
    XCTAssertEqual(
      RestOfSuite.labels(known: known, selected: ["shop.tests.test_cart.CartTests.test_add"], scope: []),
      [
        "shop.tests.test_cart.CartTests.test_remove", "shop.tests.test_cart.TotalsTests", "shop.tests.test_views",
        "orders.tests",
      ])
    XCTAssertEqual(
      RestOfSuite.labels(known: known, selected: ["shop.tests.test_cart.TotalsTests"], scope: []),
      ["shop.tests.test_cart.CartTests", "shop.tests.test_views", "orders.tests"])
  }

  func testNeverAPackageDiscoveryMightNotFindEveryModuleOf() {
    // Both shop modules are left out, but `shop.tests` (a package) is not used: a module run
    // by name need not match the discovery pattern.
    XCTAssertEqual(
      RestOfSuite.labels(known: known, selected: ["orders.tests"], scope: []),
      ["shop.tests.test_cart", "shop.tests.test_views"])
  }

  func testTheRestStaysInsideTheDashboardsLabels() {
    XCTAssertEqual(RestOfSuite.labels(known: known, selected: ["shop.tests.test_views"], scope: ["shop"]), ["shop.tests.test_cart"])
    XCTAssertEqual(
      RestOfSuite.labels(known: known, selected: ["shop.tests.test_cart.CartTests"], scope: ["shop.tests.test_cart"]),
      ["shop.tests.test_cart.TotalsTests"])
  }

  func testNothingLeftWhenTheSelectionCoveredEveryKnownTest() {
    XCTAssertEqual(RestOfSuite.labels(known: known, selected: ["shop", "orders"], scope: []), [])
    XCTAssertEqual(RestOfSuite.labels(known: [], selected: ["shop"], scope: []), [])
  }

  func testASelectedLabelNoKnownTestMatchesStillKeepsItsModuleOut() {
    // A new test class the dashboard has not seen ran in the selection: its module is not
    // run again as a whole.
    XCTAssertEqual(
      RestOfSuite.labels(known: known, selected: ["orders.tests.NewTests"], scope: []),
      ["shop.tests.test_cart", "shop.tests.test_views", "orders.tests.OrderTests"])
  }
}
