import Foundation
import XCTest

@testable import DjangoRunner

/// The records of what each test executed, and the rule that narrows a save confined to
/// function bodies to the tests that ran a changed function.
final class FunctionNarrowingTests: XCTestCase {
  private let utilsV1 = """
    TAX = 20

    def price(cents):
        return cents * (100 + TAX) // 100

    def label(name):
        def clean(text):
            return text.strip()
        return clean(name).title()

    class Cart:
        def add(self, item):
            self.items.append(item)

        def total(self):
            return sum(price(i) for i in self.items)
    """

  private func utils(_ old: String, _ new: String) -> String {
    XCTAssertTrue(utilsV1.contains(old))
    return utilsV1.replacingOccurrences(of: old, with: new)
  }

  private let modules = ["shop.tests.test_cart", "shop.tests.test_price", "blog.tests"]

  private func report(_ id: String, _ executed: [String: [String]], setup: [String: [String]] = [:]) -> TestReport {
    var report = TestReport(id: id, outcome: .pass)
    report.executed = executed
    report.setupExecuted = setup
    return report
  }

  /// Records of a complete run of the shop's two test modules against `utilsV1`.
  private func records(setup: [String: [String]] = [:]) -> ExecutionRecords {
    var records = ExecutionRecords()
    let definitions: (String) -> PythonDefinitions? = { [utilsV1] path in
      path == "shop/utils.py" ? PythonDefinitions(source: utilsV1) : nil
    }
    let reports = [
      report(
        "shop.tests.test_cart.CartTests.test_add", ["shop/utils.py": ["Cart.add"]], setup: setup),
      report(
        "shop.tests.test_cart.CartTests.test_total",
        ["shop/utils.py": ["Cart.total", "Cart.total.<locals>.<genexpr>", "price"]]),
      report("shop.tests.test_cart.CartTests.test_empty", [:]),
      report("shop.tests.test_price.PriceTests.test_price", ["shop/utils.py": ["price"]]),
      report("shop.tests.test_price.PriceTests.test_label", ["shop/utils.py": ["label", "label.<locals>.clean"]]),
    ]
    for report in reports { records.record(report, definitions: definitions) }
    records.recordCompleteSuite("shop.tests.test_cart", tests: Set(reports.prefix(3).map(\.id)))
    records.recordCompleteSuite("shop.tests.test_price", tests: Set(reports.suffix(2).map(\.id)))
    return records
  }

  private let graphSelection = TestSelection(labels: ["shop"])

  private func narrow(
    _ new: String, records: ExecutionRecords? = nil, selection: TestSelection? = nil
  ) -> FunctionNarrowing.Decision {
    FunctionNarrowing.narrow(
      selection ?? graphSelection, changes: ["shop/utils.py": DefinitionDiff(old: utilsV1, new: new)],
      records: records ?? self.records(), testModules: modules)
  }

  // MARK: records

  func testRecordsKeepTheOutermostFunctionAndTheModuleLevel() {
    let records = records()
    let executed = records.executed(by: "shop.tests.test_price.PriceTests.test_label")?.map(\.name).sorted()
    XCTAssertEqual(executed, ["<module>", "label"])
    let total = records.executed(by: "shop.tests.test_cart.CartTests.test_total")?.map(\.name).sorted()
    XCTAssertEqual(total, ["<module>", "Cart.total", "price"])
    XCTAssertEqual(records.executed(by: "shop.tests.test_cart.CartTests.test_empty"), [])
    let prints = DefinitionDiff.fingerprints(of: utilsV1)
    for function in records.executed(by: "shop.tests.test_cart.CartTests.test_total") ?? [] {
      XCTAssertEqual(function.fingerprint, prints[function.name])
    }
    // Each (file, function, fingerprint) once, shared by the tests.
    XCTAssertEqual(records.functions.count, 5)
  }

  func testAnUnreadableFileIsRecordedAsNeverFresh() {
    var records = ExecutionRecords()
    records.record(report("a.tests.T.test_x", ["a/gone.py": ["f"]]), definitions: { _ in nil })
    XCTAssertEqual(records.executed(by: "a.tests.T.test_x")?.map(\.fingerprint), ["", ""])
  }

  func testTheFileRoundTripsAndDropsWhatNoRecordUses() throws {
    var records = records(setup: ["shop/utils.py": ["price"]])
    // test_label runs again against a new `label`: its old function is no longer used.
    let newSource = utils("return clean(name).title()", "return clean(name).upper()")
    records.record(
      report("shop.tests.test_price.PriceTests.test_label", ["shop/utils.py": ["label"]]),
      definitions: { _ in PythonDefinitions(source: newSource) })
    XCTAssertEqual(records.functions.count, 6)
    let decoded = try XCTUnwrap(ExecutionRecords(data: records.encoded()))
    XCTAssertEqual(decoded.functions.count, 5, "the old `label` is no test's any more")
    XCTAssertEqual(decoded.suites, records.suites)
    XCTAssertEqual(Set(decoded.tests.keys), Set(records.tests.keys))
    for id in records.tests.keys {
      XCTAssertEqual(
        Set(decoded.executed(by: id) ?? []), Set(records.executed(by: id) ?? []), id)
    }
    XCTAssertEqual(decoded.setupFunctions.map(\.name).sorted(), ["<module>", "price"])
    XCTAssertNil(ExecutionRecords(data: Data("{\"version\":2}".utf8)))
    XCTAssertNil(ExecutionRecords(data: Data("not json".utf8)))
    XCTAssertEqual(ExecutionRecords.numberList([0, 10, 255, 4096]), "0 a ff 1000")
    XCTAssertEqual(ExecutionRecords.numbers(in: "0 a ff 1000", below: 5000), [0, 10, 255, 4096])
    XCTAssertEqual(ExecutionRecords.numbers(in: "3 zz 1000 ffffffffffffffffff 2", below: 100), [3, 2])
  }

  func testSavedAndLoadedFromTheProjectFolder() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("djdash-executed-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    XCTAssertTrue(ExecutionRecords.load(projectRoot: root).isEmpty)
    let records = records()
    records.save(projectRoot: root)
    XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/.djdash/executed.json"))
    XCTAssertEqual(ExecutionRecords.load(projectRoot: root).suites, records.suites)
  }

  func testACompleteSuiteDropsTestsTheModuleNoLongerHas() {
    var records = records()
    records.recordCompleteSuite(
      "shop.tests.test_cart",
      tests: ["shop.tests.test_cart.CartTests.test_add", "shop.tests.test_cart.CartTests.test_total"])
    XCTAssertNil(records.tests["shop.tests.test_cart.CartTests.test_empty"])
    XCTAssertNotNil(records.tests["shop.tests.test_price.PriceTests.test_price"])
  }

  func testForgettingTestsUnderLabels() {
    var records = records()
    records.forget(testsUnder: ["shop.tests.test_cart.CartTests"])
    XCTAssertNil(records.tests["shop.tests.test_cart.CartTests.test_add"])
    XCTAssertNil(records.suites["shop.tests.test_cart"], "the module is no longer completely recorded")
    XCTAssertNotNil(records.suites["shop.tests.test_price"])
    records.forget(testsUnder: ["shop"])
    XCTAssertTrue(records.tests.isEmpty)
    XCTAssertTrue(records.suites.isEmpty)
    // `shop.tests.test_cart2` is not under `shop.tests.test_cart`.
    XCTAssertFalse(ExecutionRecords.isTest("shop.tests.test_cart2.T.t", under: "shop.tests.test_cart"))
  }

  func testLoadingThousandsOfTestsIsFast() throws {
    var records = ExecutionRecords()
    let files = (0..<200).map { "app\($0 % 20)/module\($0).py" }
    for test in 0..<5000 {
      var executed: [String: [String]] = [:]
      for call in 0..<60 { executed[files[(test + call * 7) % files.count], default: []].append("f\(call % 15)") }
      records.record(report("app.tests.T.test_\(test)", executed), definitions: { _ in nil })
    }
    let data = try records.encoded()
    let start = Date()
    let decoded = ExecutionRecords(data: data)
    let seconds = Date().timeIntervalSince(start)
    XCTAssertEqual(decoded?.tests.count, 5000)
    print("executed.json: \(data.count / 1024) KiB for 5000 tests, read in \(Int(seconds * 1000)) ms")
    XCTAssertLessThan(seconds, 5, "a debug build; release is several times faster")
  }

  func testRecordingARun() {
    var records = ExecutionRecords()
    let definitions: (String) -> PythonDefinitions? = { [utilsV1] _ in PythonDefinitions(source: utilsV1) }
    var setUpFailed = TestReport(id: "setUpClass (shop.tests.test_price.PriceTests)", outcome: .error)
    setUpFailed.kind = .suiteError
    let reports = [
      report(
        "shop.tests.test_cart.CartTests.test_add", ["shop/utils.py": ["Cart.add"]], setup: ["shop/utils.py": ["price"]]),
      report("shop.tests.test_cart.CartTests.test_total", ["shop/utils.py": ["Cart.total"]]),
      setUpFailed,
    ]
    records.recordRun(
      reports, labels: ["shop/tests/"], testModules: modules, isComplete: true, definitions: definitions)
    XCTAssertEqual(
      Set(records.tests.keys), ["shop.tests.test_cart.CartTests.test_add", "shop.tests.test_cart.CartTests.test_total"])
    XCTAssertEqual(
      records.suites, ["shop.tests.test_cart": Set(reports.prefix(2).map(\.id))], "test_price did not set up")
    XCTAssertEqual(records.setupFunctions.map(\.name).sorted(), ["<module>", "price"])

    var stopped = ExecutionRecords()
    stopped.recordRun(reports, labels: [], testModules: modules, isComplete: false, definitions: definitions)
    XCTAssertEqual(stopped.tests.count, 2)
    XCTAssertTrue(stopped.suites.isEmpty, "a stopped run proves no module complete")

    // A complete run of everything replaces what ran outside tests.
    records.recordRun(
      [report("blog.tests.T.test_x", [:])], labels: [], testModules: ["blog.tests"], isComplete: true,
      definitions: definitions)
    XCTAssertTrue(records.setupFunctions.isEmpty)
    XCTAssertEqual(records.suites["blog.tests"], ["blog.tests.T.test_x"])
  }

  func testRunDefinitionsReadEachFileOnceAndNotAfterTheRunStarted() {
    let start = Date(timeIntervalSince1970: 1_000)
    var reads: [String] = []
    var files = RunDefinitions(projectRoot: "/p", runStart: start) { path in
      reads.append(path)
      switch path {
      case "/p/a.py": return ("def f():\n    return 1\n", start.addingTimeInterval(-5))
      case "/p/saved.py": return ("def g():\n    return 1\n", start.addingTimeInterval(1))
      case "/p/page.html": return ("{{ f }}", start.addingTimeInterval(-5))
      default: return nil
      }
    }
    XCTAssertEqual(files.definitions(of: "a.py").map { Set($0.functions.keys) }, ["f"])
    XCTAssertNotNil(files.definitions(of: "a.py"))
    XCTAssertNil(files.definitions(of: "saved.py"), "saved during the run: not what its tests ran")
    XCTAssertNil(files.definitions(of: "gone.py"))
    XCTAssertNil(files.definitions(of: "gone.py"))
    XCTAssertEqual(
      files.definitions(of: "page.html"), PythonDefinitions(template: "{{ f }}"), "a template rendered: one unit")
    XCTAssertEqual(reads, ["/p/a.py", "/p/saved.py", "/p/gone.py", "/p/page.html"])
    var records = ExecutionRecords()
    records.record(report("t.T.test", ["a.py": ["f"], "saved.py": ["g"]])) { files.definitions(of: $0) }
    XCTAssertEqual(
      records.executed(by: "t.T.test")?.filter { $0.path == "saved.py" }.map(\.fingerprint), ["", ""])
    XCTAssertEqual(
      records.executed(by: "t.T.test")?.filter { $0.path == "a.py" && $0.name == "f" }.map(\.fingerprint),
      DefinitionDiff.fingerprints(of: "def f():\n    return 1\n")["f"].map { [$0] })
  }

  // MARK: the rule

  func testTheDecisionAsASelection() {
    let body = utils("return cents * (100 + TAX) // 100", "return 1")
    let narrowed = FunctionNarrowing.narrowed(
      graphSelection, changes: ["shop/utils.py": DefinitionDiff(old: utilsV1, new: body)], records: records(),
      testModules: modules)
    XCTAssertEqual(
      narrowed.labels, ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price.PriceTests.test_price"])
    XCTAssertEqual(narrowed.rule?.hasPrefix("function precision: "), true)
    XCTAssertNotNil(narrowed.explanations["shop.tests.test_price.PriceTests.test_price"])
    let kept = FunctionNarrowing.narrowed(
      graphSelection, changes: ["shop/utils.py": DefinitionDiff(old: utilsV1, new: body + "\nX = 1\n")],
      records: records(), testModules: modules)
    XCTAssertEqual(kept.labels, graphSelection.labels)
    XCTAssertEqual(kept.rule, "graph: shop/utils.py changed outside function bodies (module level: `X = 1`)")
  }

  func testABodyChangeSelectsTheTestsThatRanIt() {
    let decision = narrow(utils("return cents * (100 + TAX) // 100", "return cents * (100 + TAX) // 99"))
    XCTAssertTrue(decision.isNarrowed)
    XCTAssertEqual(
      decision.labels,
      ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price.PriceTests.test_price"])
    XCTAssertTrue(
      decision.reason.hasPrefix("function precision: only function bodies changed in shop/utils.py (price)"))
    XCTAssertTrue(decision.reason.contains("2 of 5 recorded tests executed one"), decision.reason)
    XCTAssertEqual(
      decision.explanations["shop.tests.test_price.PriceTests.test_price"],
      ["shop.tests.test_price.PriceTests.test_price executed price (shop/utils.py), whose body changed"])
  }

  func testANestedFunctionsChangeSelectsWhoRanItsOuterFunction() {
    let decision = narrow(utils("return text.strip()", "return text.strip(\"-\")"))
    XCTAssertEqual(decision.labels, ["shop.tests.test_price.PriceTests.test_label"])
  }

  func testAModuleWhoseEveryTestIsSelectedStaysOneLabel() {
    var source = utils("return cents * (100 + TAX) // 100", "return cents")
    source = source.replacingOccurrences(of: "return clean(name).title()", with: "return name")
    let decision = narrow(source)
    XCTAssertEqual(decision.labels, ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price"])
  }

  func testAChangeNoTestRanSelectsNothing() {
    var records = records()
    records.forget(testsUnder: ["shop.tests.test_cart.CartTests.test_add"])
    records.recordCompleteSuite(
      "shop.tests.test_cart",
      tests: ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_cart.CartTests.test_empty"])
    let decision = narrow(utils("self.items.append(item)", "self.items.insert(0, item)"), records: records)
    XCTAssertTrue(decision.isNarrowed)
    XCTAssertEqual(decision.labels, [])
    XCTAssertTrue(decision.reason.contains("0 of 4 recorded tests"), decision.reason)
  }

  func testCommentsOnlySelectNothing() {
    let decision = narrow(utilsV1.replacingOccurrences(of: "TAX = 20", with: "TAX = 20  # percent"))
    XCTAssertTrue(decision.isNarrowed)
    XCTAssertEqual(decision.labels, [])
    XCTAssertEqual(decision.reason, "function precision: only comments or blank lines changed: no test")
  }

  func testARecordOfAnotherVersionIsNotFreshAndIsSelected() {
    // test_label was recorded against a `label` that is not the one before the save.
    var records = records()
    let other = utils("return clean(name).title()", "return clean(name)")
    records.record(
      report("shop.tests.test_price.PriceTests.test_label", ["shop/utils.py": ["label"]]),
      definitions: { _ in PythonDefinitions(source: other) })
    let decision = narrow(utils("self.items.append(item)", "self.items.insert(0, item)"), records: records)
    XCTAssertEqual(
      decision.labels,
      ["shop.tests.test_cart.CartTests.test_add", "shop.tests.test_price.PriceTests.test_label"])
    XCTAssertEqual(
      decision.explanations["shop.tests.test_price.PriceTests.test_label"],
      ["shop.tests.test_price.PriceTests.test_label: recorded against another version of shop/utils.py"])
    XCTAssertTrue(decision.reason.contains("1 recorded against another version"), decision.reason)
  }

  func testARecordMadeAgainstAnotherModuleLevelIsNotFresh() {
    var records = records()
    let otherModuleLevel = utils("TAX = 20", "TAX = 19")
    records.record(
      report("shop.tests.test_cart.CartTests.test_empty", ["shop/utils.py": ["Cart"]]),
      definitions: { _ in PythonDefinitions(source: otherModuleLevel) })
    let decision = narrow(utils("self.items.append(item)", "self.items.insert(0, item)"), records: records)
    XCTAssertEqual(
      decision.labels, ["shop.tests.test_cart.CartTests.test_add", "shop.tests.test_cart.CartTests.test_empty"])
  }

  func testATestWithoutARecordInACompleteSuiteIsSelected() {
    var records = records()
    records.forget(testsUnder: ["shop.tests.test_price.PriceTests.test_label"])
    records.recordCompleteSuite(
      "shop.tests.test_price",
      tests: ["shop.tests.test_price.PriceTests.test_price", "shop.tests.test_price.PriceTests.test_label"])
    let decision = narrow(utils("self.items.append(item)", "self.items.insert(0, item)"), records: records)
    XCTAssertEqual(
      decision.labels,
      ["shop.tests.test_cart.CartTests.test_add", "shop.tests.test_price.PriceTests.test_label"])
  }

  func testAModuleWithoutACompleteRecordRunsWhole() {
    var records = records()
    records.forget(testsUnder: ["shop.tests.test_price"])
    let decision = narrow(utils("return cents * (100 + TAX) // 100", "return cents"), records: records)
    XCTAssertEqual(decision.labels, ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price"])
    XCTAssertEqual(
      decision.explanations["shop.tests.test_price"],
      ["shop.tests.test_price: no complete recorded run of shop.tests.test_price: the graph's selection"])
    XCTAssertTrue(decision.reason.contains("1 labels without a complete record run whole"), decision.reason)
  }

  func testClassAndTestLabelsScopeTheirModule() {
    let decision = narrow(
      utils("return cents * (100 + TAX) // 100", "return cents"),
      selection: TestSelection(labels: ["shop.tests.test_cart.CartTests", "shop/tests/test_price.py"]))
    XCTAssertEqual(
      decision.labels,
      ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price.PriceTests.test_price"])
    XCTAssertEqual(
      FunctionNarrowing.candidateModules(
        of: ["shop.tests.test_cart.CartTests.test_add", "shop", "elsewhere"], in: modules
      ).map { "\($0.module) \($0.scope)" },
      [
        "shop.tests.test_cart shop.tests.test_cart.CartTests.test_add", "shop.tests.test_cart shop.tests.test_cart",
        "shop.tests.test_price shop.tests.test_price", "elsewhere elsewhere",
      ])
  }

  // MARK: against the records, without the earlier text

  private func narrowAgainstRecords(
    _ new: String?, records: ExecutionRecords? = nil
  ) -> FunctionNarrowing.Decision {
    FunctionNarrowing.narrow(
      graphSelection, current: ["shop/utils.py": new.map { PythonDefinitions(source: $0) }],
      records: records ?? self.records(), testModules: modules)
  }

  func testAgainstTheRecordsABodyChangeSelectsTheTestsThatRanIt() {
    let decision = narrowAgainstRecords(utils("return cents * (100 + TAX) // 100", "return cents"))
    XCTAssertTrue(decision.isNarrowed)
    XCTAssertEqual(
      decision.labels,
      ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price.PriceTests.test_price"])
    XCTAssertEqual(
      decision.reason,
      "function precision: functions changed since recorded in shop/utils.py (price); 2 of 5 recorded tests executed one"
    )
    XCTAssertEqual(
      decision.explanations["shop.tests.test_price.PriceTests.test_price"],
      ["shop.tests.test_price.PriceTests.test_price executed price (shop/utils.py), changed since"])
  }

  func testAgainstTheRecordsAnEarlierChangeNotYetRunCounts() {
    // test_label ran `label` as it was before a save whose run it did not reach.
    var records = records()
    let earlier = utils("return clean(name).title()", "return clean(name)")
    records.record(
      report("shop.tests.test_price.PriceTests.test_label", ["shop/utils.py": ["label"]]),
      definitions: { _ in PythonDefinitions(source: earlier) })
    let decision = narrowAgainstRecords(
      utils("self.items.append(item)", "self.items.insert(0, item)"), records: records)
    XCTAssertEqual(
      decision.labels,
      ["shop.tests.test_cart.CartTests.test_add", "shop.tests.test_price.PriceTests.test_label"])
  }

  func testAgainstTheRecordsNothingDifferentSelectsNothing() {
    let decision = narrowAgainstRecords(utilsV1 + "\n# a comment\n")
    XCTAssertTrue(decision.isNarrowed)
    XCTAssertEqual(decision.labels, [])
    XCTAssertEqual(
      decision.reason, "function precision: no function a test executed differs from its record; 0 of 5 recorded tests executed one")
    // A test the complete run did not have (added since) still runs.
    var records = records()
    records.recordCompleteSuite("shop.tests.test_cart", tests: ["shop.tests.test_cart.CartTests.test_new"])
    XCTAssertEqual(
      narrowAgainstRecords(utilsV1 + "\n# a comment\n", records: records).labels, ["shop.tests.test_cart"],
      "test_new has no record: its module runs whole, the other tests having been forgotten")
  }

  func testAgainstTheRecordsFallsBack() {
    let graph = "graph: "
    XCTAssertEqual(
      narrowAgainstRecords(utils("TAX = 20", "TAX = 21")).reason, graph + "constants changed: TAX (shop/utils.py)")
    XCTAssertEqual(
      narrowAgainstRecords(utils("TAX = 20", "TAX = 21\nRATE = 1")).reason,
      graph + "shop/utils.py changed outside function bodies since its tests were recorded")
    XCTAssertEqual(narrowAgainstRecords(nil).reason, graph + "shop/utils.py is gone or is not text")
    XCTAssertEqual(
      narrowAgainstRecords(
        utils("return cents * (100 + TAX) // 100", "return 1"), records: records(setup: ["shop/utils.py": ["price"]])
      ).reason,
      graph + "shop/utils.py: price ran outside any test (setup or import)")
    var mixed = records()
    mixed.record(
      report("shop.tests.test_cart.CartTests.test_empty", ["shop/utils.py": ["Cart"]]),
      definitions: { [utilsV1] _ in
        PythonDefinitions(source: utilsV1.replacingOccurrences(of: "TAX = 20", with: "TAX = 19"))
      })
    XCTAssertEqual(
      narrowAgainstRecords(utilsV1, records: mixed).reason,
      graph + "shop/utils.py changed outside function bodies since its tests were recorded",
      "records made against two module levels")
    let other = FunctionNarrowing.narrow(
      graphSelection, current: ["shop/other.py": PythonDefinitions(source: "def f():\n    return 1\n")],
      records: records(), testModules: modules)
    XCTAssertEqual(other.reason, graph + "no test's record has shop/other.py's module level")
    XCTAssertFalse(other.isNarrowed)
    XCTAssertEqual(other.labels, graphSelection.labels)
  }

  // MARK: falling back to the graph

  private func assertFallsBack(
    _ decision: FunctionNarrowing.Decision, because reason: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertFalse(decision.isNarrowed, file: file, line: line)
    XCTAssertEqual(decision.labels, graphSelection.labels, file: file, line: line)
    XCTAssertEqual(decision.reason, "graph: " + reason, file: file, line: line)
    XCTAssertEqual(decision.explanations, [:], file: file, line: line)
  }

  func testAModuleLevelChangeFallsBack() {
    assertFallsBack(
      narrow(utils("TAX = 20", "TAX = 21")),
      because: "shop/utils.py changed outside function bodies (module level: `TAX = 21`)")
    assertFallsBack(
      narrow(utils("def price(cents):", "def price(cents, tax=TAX):")),
      because: "shop/utils.py changed outside function bodies (module level: `def price(cents, tax=TAX):`)")
    assertFallsBack(
      narrow(utilsV1 + "\ndef new():\n    return 1\n"),
      because: "shop/utils.py changed outside function bodies (new added)")
  }

  func testAFunctionRunOutsideAnyTestFallsBack() {
    let records = records(setup: ["shop/utils.py": ["price"]])
    assertFallsBack(
      narrow(utils("return cents * (100 + TAX) // 100", "return cents"), records: records),
      because: "shop/utils.py: price ran outside any test (setup or import)")
    // Other functions of the file still narrow.
    XCTAssertTrue(narrow(utils("return text.strip()", "return text"), records: records).isNarrowed)
  }

  func testAFileWithoutADiffFallsBack() {
    let decision = FunctionNarrowing.narrow(
      graphSelection,
      changes: [
        "shop/utils.py": DefinitionDiff(old: utilsV1, new: utils("return cents * (100 + TAX) // 100", "return 1")),
        "shop/templates/cart.html": nil,
      ], records: records(), testModules: modules)
    assertFallsBack(decision, because: "shop/templates/cart.html has no earlier version to compare (or is not Python)")
  }

  func testBroadSelectionsAndMissingRecordsFallBack() {
    let body = utils("return cents * (100 + TAX) // 100", "return 1")
    assertFallsBack(
      narrow(body, selection: TestSelection(labels: ["shop"], broadReasons: ["shop/settings.py: settings"])),
      because: "a change affects every test")
    assertFallsBack(narrow(body, records: ExecutionRecords()), because: "no recorded run yet")
    var unsuited = records()
    unsuited.forget(testsUnder: ["shop.tests"])
    unsuited.record(report("shop.tests.test_cart.CartTests.test_add", [:]), definitions: { _ in nil })
    assertFallsBack(narrow(body, records: unsuited), because: "no complete recorded run of the selected test modules")
    let none = FunctionNarrowing.narrow(
      TestSelection(), changes: ["shop/utils.py": DefinitionDiff(old: utilsV1, new: body)], records: records(),
      testModules: modules)
    XCTAssertFalse(none.isNarrowed)
    XCTAssertEqual(none.labels, [])
  }

  // MARK: templates and failing tests

  /// Records of the shop's cart tests where two rendered `shop/templates/cart.html`
  /// (one through `base.html`), and `setup` rendered outside any test.
  private func templateRecords(setup: [String: [String]] = [:]) -> ExecutionRecords {
    var records = ExecutionRecords()
    let texts = ["shop/templates/cart.html": "{% extends 'base.html' %}{{ total }}", "shop/templates/base.html": "<main/>"]
    let definitions: (String) -> PythonDefinitions? = { path in
      texts[path].map { PythonDefinitions(path: path, text: $0) }
    }
    let page = ["shop/templates/cart.html": ["<template>"], "shop/templates/base.html": ["<template>"]]
    let reports = [
      report("shop.tests.test_cart.CartTests.test_add", page, setup: setup),
      report("shop.tests.test_cart.CartTests.test_total", ["shop/templates/cart.html": ["<template>"]]),
      report("shop.tests.test_cart.CartTests.test_empty", [:]),
    ]
    for report in reports { records.record(report, definitions: definitions) }
    records.recordCompleteSuite("shop.tests.test_cart", tests: Set(reports.map(\.id)))
    return records
  }

  private func narrowTemplate(_ path: String, _ text: String, records: ExecutionRecords) -> FunctionNarrowing.Decision {
    FunctionNarrowing.narrow(
      TestSelection(labels: ["shop.tests.test_cart"]), current: [path: PythonDefinitions(path: path, text: text)],
      records: records, testModules: modules)
  }

  func testATemplateIsOneUnitOfItsWholeText() {
    let template = PythonDefinitions(path: "shop/templates/cart.html", text: "{{ total }}")
    XCTAssertEqual(Array(template.functions.keys), [PythonDefinitions.template])
    XCTAssertEqual(template.unit(of: "<template>"), "<template>")
    XCTAssertEqual(template.moduleFingerprint, PythonDefinitions(template: "other").moduleFingerprint)
    XCTAssertNotEqual(template.fingerprints["<template>"], PythonDefinitions(template: "{{ total }} ").fingerprints["<template>"])
    XCTAssertNotNil(PythonDefinitions(path: "shop/utils.py", text: "def f():\n    pass\n").functions["f"])
  }

  func testATemplateChangeSelectsTheTestsThatRenderedIt() {
    let records = templateRecords()
    let parent = narrowTemplate("shop/templates/base.html", "<main></main>", records: records)
    XCTAssertTrue(parent.isNarrowed)
    XCTAssertEqual(parent.labels, ["shop.tests.test_cart.CartTests.test_add"], "only test_add rendered the parent")
    XCTAssertEqual(
      parent.explanations["shop.tests.test_cart.CartTests.test_add"],
      ["shop.tests.test_cart.CartTests.test_add executed <template> (shop/templates/base.html), changed since"])
    XCTAssertEqual(
      narrowTemplate("shop/templates/cart.html", "{% extends 'base.html' %}{{ total }}!", records: records).labels,
      ["shop.tests.test_cart.CartTests.test_add", "shop.tests.test_cart.CartTests.test_total"])
    XCTAssertEqual(
      narrowTemplate("shop/templates/cart.html", "{% extends 'base.html' %}{{ total }}", records: records).labels, [],
      "the text its tests rendered")
  }

  func testATemplateRenderedOutsideAnyTestOrByNoneFallsBack() {
    let setUp = narrowTemplate(
      "shop/templates/base.html", "<main></main>",
      records: templateRecords(setup: ["shop/templates/base.html": ["<template>"]]))
    XCTAssertFalse(setUp.isNarrowed)
    XCTAssertEqual(setUp.reason, "graph: shop/templates/base.html: <template> ran outside any test (setup or import)")
    // A Jinja2 template (Django's test signal never names it), a stylesheet, a fixture.
    let unknown = narrowTemplate("shop/jinja2/cart.jinja", "{{ total }}", records: templateRecords())
    XCTAssertFalse(unknown.isNarrowed)
    XCTAssertEqual(unknown.reason, "graph: no test's record has shop/jinja2/cart.jinja's module level")
  }

  func testChangedConstantNames() {
    let old = ["TAX = 20", "RATE = 3", "def price(cents):", "class Cart:", "    size = 1"]
    XCTAssertEqual(ConstantReaders.changedNames(old: old, new: old), [])
    XCTAssertEqual(
      ConstantReaders.changedNames(old: old, new: ["TAX = 21", "RATE = 4"] + old.dropFirst(2)), ["TAX", "RATE"])
    XCTAssertNil(ConstantReaders.changedNames(old: old, new: ["TAX = 20"] + old.dropFirst(2)), "a line removed")
    XCTAssertNil(ConstantReaders.changedNames(old: old, new: ["TAXES = 20"] + old.dropFirst()), "renamed")
    XCTAssertNil(ConstantReaders.changedNames(old: old, new: old.dropLast() + ["    size = 2"]), "a class attribute")
    XCTAssertNil(ConstantReaders.changedNames(old: old, new: ["TAX == 20"] + old.dropFirst()))
    XCTAssertNil(ConstantReaders.changedNames(old: old, new: ["TAX += 20"] + old.dropFirst()))
    XCTAssertNil(ConstantReaders.changedNames(old: ["A, B = 1, 2"], new: ["A, B = 1, 3"]))
  }

  func testAConstantsOwnValueMayNameItAsAString() {
    // django-simple-history: `SIMPLE_HISTORY_EDIT = getattr(settings, "SIMPLE_HISTORY_EDIT", False)`.
    let admin = "EDIT = getattr(settings, \"EDIT\", True)\n\ndef allowed():\n    return EDIT\n"
    XCTAssertEqual(
      ConstantReaders.find(["shop/admin.py": ["EDIT"]], current: ["shop/admin.py": PythonDefinitions(source: admin)], sources: [:]),
      .readers([ConstantReaders.Function(path: "shop/admin.py", name: "allowed"): "EDIT"]))
    let twice = "EDIT = 1\nEDIT = EDIT + 1\n"
    XCTAssertEqual(
      ConstantReaders.find(["shop/admin.py": ["EDIT"]], current: ["shop/admin.py": PythonDefinitions(source: twice)], sources: [:]),
      .readAtImport("EDIT (shop/admin.py) is assigned more than once at module level"))
  }

  func testNamesDjangoReadsByNameAreNeverNarrowed() {
    // A URLconf's urlpatterns: Django's resolver reads it; a project function naming it
    // (a test helper listing the URLs) is not its only reader.
    let urls = "from django.urls import path\nurlpatterns = [path(\"a/\", view)]\n"
    let helper = "from shop import urls\n\ndef names():\n    return [p.name for p in urls.urlpatterns]\n"
    let finding = ConstantReaders.find(
      ["shop/urls.py": ["urlpatterns"]],
      current: ["shop/urls.py": PythonDefinitions(source: urls.replacingOccurrences(of: "a/", with: "b/"))],
      sources: ["shop/helpers.py": helper])
    XCTAssertEqual(finding, .readAtImport("urlpatterns (shop/urls.py) is read by name by Django or Python"))
  }

  func testAConstantChangeSelectsTheTestsThatRanAFunctionReadingIt() throws {
    let decision = FunctionNarrowing.narrow(
      graphSelection, current: ["shop/utils.py": PythonDefinitions(source: utils("TAX = 20", "TAX = 21"))],
      records: records(), testModules: modules, projectSources: { [:] })
    XCTAssertTrue(decision.isNarrowed, decision.reason)
    XCTAssertEqual(
      decision.labels,
      ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price.PriceTests.test_price"])
    XCTAssertEqual(
      decision.reason,
      "function precision: constants changed: TAX (shop/utils.py); functions that read them or changed: "
        + "shop/utils.py (price); 2 of 5 recorded tests executed one")
    XCTAssertEqual(
      decision.explanations["shop.tests.test_price.PriceTests.test_price"],
      ["shop.tests.test_price.PriceTests.test_price executed price (shop/utils.py), which reads TAX"])
    // Without the project's sources no reader elsewhere can be ruled out.
    XCTAssertEqual(
      FunctionNarrowing.narrow(
        graphSelection, current: ["shop/utils.py": PythonDefinitions(source: utils("TAX = 20", "TAX = 21"))],
        records: records(), testModules: modules
      ).reason, "graph: constants changed: TAX (shop/utils.py)")
    // The records keep the module level they were made against.
    let reread = try XCTUnwrap(ExecutionRecords(data: try records().encoded()))
    XCTAssertEqual(
      reread.moduleLines(of: "shop/utils.py", fingerprint: PythonDefinitions(source: utilsV1).moduleFingerprint),
      PythonDefinitions(source: utilsV1).moduleLines)
  }

  func testAConstantReadInAnotherFile() {
    // Recorded: test_label ran shop/labels.py's `describe`, which reads TAX.
    var records = records()
    let labels = "from shop.utils import TAX\n__all__ = [\"describe\", \"TAX\"]\n\ndef describe():\n    return f\"tax {TAX}\"\n"
    records.record(
      report("shop.tests.test_price.PriceTests.test_label", ["shop/labels.py": ["describe"]]),
      definitions: { path in path == "shop/labels.py" ? PythonDefinitions(source: labels) : nil })
    func narrow(_ sources: [String: String]) -> FunctionNarrowing.Decision {
      FunctionNarrowing.narrow(
        graphSelection, current: ["shop/utils.py": PythonDefinitions(source: utils("TAX = 20", "TAX = 21"))],
        records: records, testModules: modules, projectSources: { sources })
    }
    let documented = "def f():\n    \"\"\"Unlike TAX, …\"\"\"\n    return 1\n"
    XCTAssertEqual(
      narrow(["shop/labels.py": labels, "shop/other.py": documented]).labels,
      ["shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price"], "both tests of test_price: one label")
    let atImport = narrow(["shop/labels.py": labels + "RATE = TAX / 100\n"])
    XCTAssertFalse(atImport.isNarrowed)
    XCTAssertEqual(atImport.reason, "graph: TAX (shop/utils.py) is read at import in shop/labels.py: `RATE = TAX / 100`")
    XCTAssertEqual(
      narrow(["shop/labels.py": labels + "class Page:\n    tax = TAX\n"]).reason,
      "graph: TAX (shop/utils.py) is read at import in shop/labels.py: `tax = TAX`")
    XCTAssertEqual(
      narrow(["shop/labels.py": labels + "def later(tax=TAX):\n    return tax\n"]).reason,
      "graph: TAX (shop/utils.py) is read at import in shop/labels.py: `def later(tax=TAX):`")
  }

  func testAConstantOfAFileNoTestRanAFunctionOf() {
    // shop/constants.py holds only constants: its module level is known from the imports
    // that ran it, outside any test.
    let constants = "TAX = 20\n"
    let utils = "from shop.constants import TAX\n\ndef price(cents):\n    return cents * (100 + TAX) // 100\n"
    var setupOnly = ExecutionRecords()
    setupOnly.record(
      report("shop.tests.test_price.PriceTests.test_price", ["shop/utils.py": ["price"]], setup: ["shop/constants.py": ["<module>"]]),
      definitions: { path in PythonDefinitions(source: path == "shop/utils.py" ? utils : constants) })
    setupOnly.recordCompleteSuite("shop.tests.test_price", tests: ["shop.tests.test_price.PriceTests.test_price"])
    let decision = FunctionNarrowing.narrow(
      TestSelection(labels: ["shop.tests.test_price"]),
      current: ["shop/constants.py": PythonDefinitions(source: "TAX = 21\n")], records: setupOnly,
      testModules: modules, projectSources: { ["shop/utils.py": utils] })
    XCTAssertTrue(decision.isNarrowed, decision.reason)
    XCTAssertEqual(decision.labels, ["shop.tests.test_price"])
    XCTAssertEqual(
      decision.explanations["shop.tests.test_price"]?.last,
      "shop.tests.test_price.PriceTests.test_price executed price (shop/utils.py), which reads TAX")
  }

  func testAConstantReadAtImportInItsOwnFileOrByNoRecordedTestFallsBack() {
    func narrow(_ new: String, records: ExecutionRecords? = nil) -> FunctionNarrowing.Decision {
      FunctionNarrowing.narrow(
        graphSelection, current: ["shop/utils.py": PythonDefinitions(source: new)], records: records ?? self.records(),
        testModules: modules, projectSources: { [:] })
    }
    let base = utilsV1 + "\nDOUBLE = TAX * 2\nUNUSED = 1\n"
    var records = ExecutionRecords()
    let reports = [report("shop.tests.test_price.PriceTests.test_price", ["shop/utils.py": ["price"]])]
    for report in reports { records.record(report, definitions: { _ in PythonDefinitions(source: base) }) }
    records.recordCompleteSuite("shop.tests.test_price", tests: Set(reports.map(\.id)))
    XCTAssertEqual(
      narrow(base.replacingOccurrences(of: "TAX = 20", with: "TAX = 21"), records: records).reason,
      "graph: TAX (shop/utils.py) is read at import in shop/utils.py: `DOUBLE = TAX * 2`")
    XCTAssertEqual(
      narrow(base.replacingOccurrences(of: "UNUSED = 1", with: "UNUSED = 2"), records: records).reason,
      "graph: no recorded test executed a function that reads UNUSED (shop/utils.py)")
    XCTAssertEqual(
      narrow(base.replacingOccurrences(of: "DOUBLE = TAX * 2", with: "DOUBLE = TAX * 3"), records: records).reason,
      "graph: no recorded test executed a function that reads DOUBLE (shop/utils.py)")
    XCTAssertEqual(
      narrow(utils("TAX = 20", "TAX = 21"), records: self.records(setup: ["shop/utils.py": ["price"]])).reason,
      "graph: shop/utils.py: price reads TAX and ran outside any test (setup or import)")
  }

  // MARK: files the settings import

  /// A reusable app whose test settings import the package (django-filter's import its
  /// `conf`, whose package imports everything): every library file is broad as settings.
  private func broadAsSettings(_ paths: [String], also other: [String] = []) -> TestSelection {
    var selection = TestSelection(
      labels: ["blog", "shop"], isEverything: true,
      broadReasons: (paths + other).map { "\($0): settings: every test" })
    selection.broadAsSettings = paths
    return selection
  }

  func testABodyChangeInAFileTheSettingsImportIsNarrowed() {
    let selection = FunctionNarrowing.narrowed(
      broadAsSettings(["shop/utils.py"]),
      current: ["shop/utils.py": PythonDefinitions(source: utils("return cents * (100 + TAX) // 100", "return cents"))],
      records: records(), testModules: modules)
    XCTAssertEqual(
      selection.labels,
      ["blog.tests", "shop.tests.test_cart.CartTests.test_total", "shop.tests.test_price.PriceTests.test_price"],
      "blog has no record: it runs whole")
    XCTAssertFalse(selection.isEverything)
    XCTAssertEqual(selection.broadReasons, [], "narrowed: not every test")
    XCTAssertTrue(selection.rule?.hasPrefix("function precision: ") == true, selection.rule ?? "")
  }

  func testAConstantOrAnotherBroadCauseInAFileTheSettingsImportIsNot() {
    let constant = FunctionNarrowing.narrow(
      broadAsSettings(["shop/utils.py"]),
      current: ["shop/utils.py": PythonDefinitions(source: utils("TAX = 20", "TAX = 21"))],
      records: records(), testModules: modules, projectSources: { [:] })
    XCTAssertEqual(constant.reason, "graph: shop/utils.py is imported by the settings and changed outside function bodies")
    let migration = FunctionNarrowing.narrow(
      broadAsSettings(["shop/utils.py"], also: ["shop/migrations/0002_x.py"]),
      current: ["shop/utils.py": PythonDefinitions(source: utils("return cents * (100 + TAX) // 100", "return cents"))],
      records: records(), testModules: modules)
    XCTAssertEqual(migration.reason, "graph: a change affects every test")
  }
}
