import Dashboard
import DjangoRunner
import XCTest

/// The reducer, driven by the recorded demo run and by keys: what it shows and which
/// effects it asks for.
final class ReducerTests: XCTestCase {
  let failing = [
    "catalog.tests.test_models.ProductModelTests.test_low_stock_lists_products_with_fewer_than_five",
    "catalog.tests.test_views.ProductListViewTests.test_product_list_query_count",
    "catalog.tests.test_pricing.DiscountTests.test_bulk_discount_tiers",
    "orders.tests.test_checkout.CheckoutViewTests.test_checkout_confirmation_mail_subject",
    "orders.tests.test_views.OrderDetailViewTests.test_empty_order_detail_page",
    "notifications.tests.ShippingMailTests.test_shipping_mail_contains_tracking_link",
  ]

  func testOpeningTheTerminalTakesItsSizeAndGlyphs() {
    var state = DashboardState(projectName: "shop", projectRoot: "/shop", scopeLabels: [])
    XCTAssertEqual(state.apply(.terminalOpened(width: 132, height: 43, glyphs: .ascii)), [])
    XCTAssertEqual([state.width, state.height], [132, 43])
    XCTAssertEqual(state.glyphs, .ascii)
  }

  func testCountsAndStatusFollowTheRun() throws {
    let state = try Recording.demoState()
    XCTAssertEqual(state.run.planned, 54)
    XCTAssertEqual(state.run.done, 54)
    XCTAssertEqual(state.run.counts[.pass], 46)
    XCTAssertEqual(state.run.counts[.fail], 5)
    XCTAssertEqual(state.run.counts[.error], 1)
    guard case .finished(let summary) = state.run.phase else { return XCTFail("run not finished") }
    XCTAssertEqual(summary.exitCode, 1)
    XCTAssertEqual(Set(state.failedLabels), Set(failing))
  }

  func testFailuresComeFirstAndTheCursorFollowsTheFirstFailure() throws {
    var state = try Recording.demoState()
    state.layoutIfNeeded()
    let firstTest = state.rows.first { if case .test = $0 { return true } else { return false } }
    guard case .test(let position)? = firstTest else { return XCTFail("no test row") }
    XCTAssertTrue(state.tests[position].hasFailed)
    XCTAssertTrue(state.selectedEntry?.hasFailed ?? false)
    // In run order, the first row is the first test Django ran.
    Recording.apply(Recording.keys(.character("o")), to: &state)
    guard case .test(let first)? = state.rows.first(where: { if case .test = $0 { return true } else { return false } })
    else { return XCTFail("no test row") }
    XCTAssertEqual(state.tests[first].order, 0)
  }

  func testTheFirstNextFailureIsTheFirstFailureEvenUnderTheCursor() throws {
    var state = try Recording.demoState()
    state.layoutIfNeeded()
    let firstFailure = state.rows.lazy.compactMap { row -> String? in
      if case .test(let position) = row, state.tests[position].hasFailed { return state.tests[position].id }
      return nil
    }.first
    guard let firstFailure else { return XCTFail("no failure") }
    XCTAssertEqual(state.selectedID, firstFailure, "the cursor follows the run onto it")
    Recording.apply(Recording.keys(.character("n")), to: &state)
    XCTAssertEqual(state.selectedID, firstFailure)
    Recording.apply(Recording.keys(.character("n")), to: &state)
    XCTAssertNotEqual(state.selectedID, firstFailure)
  }

  func testNextFailureVisitsEveryFailureAndWraps() throws {
    var state = try Recording.demoState()
    var seen: [String] = []
    for _ in 0..<(failing.count + 1) {
      Recording.apply(Recording.keys(.character("n")), to: &state)
      seen.append(state.selectedID ?? "")
    }
    XCTAssertEqual(Set(seen.prefix(failing.count)), Set(failing))
    XCTAssertEqual(seen.last, seen.first)
    Recording.apply(Recording.keys(.character("N")), to: &state)
    XCTAssertEqual(state.selectedID, seen[failing.count - 1])
  }

  func testRunKeysAskForTheRightLabels() throws {
    var state = try Recording.demoState()
    XCTAssertEqual(
      Recording.apply(Recording.keys(.character("f")), to: &state),
      [.startRun(labels: state.failedLabels, testNamePatterns: [])])
    XCTAssertEqual(state.lastLabels.count, failing.count)
    // Until that run has started and ended, another is not asked for.
    XCTAssertEqual(Recording.apply(Recording.keys(.character("a")), to: &state), [])
    XCTAssertEqual(state.notice, "a run is going: wait for it, or press Ctrl-C to stop it")
    Recording.finishRun(&state)
    XCTAssertEqual(
      Recording.apply(Recording.keys(.character("r")), to: &state),
      [.startRun(labels: state.lastLabels, testNamePatterns: [])])
    XCTAssertEqual(state.lastLabels.count, failing.count)
    Recording.finishRun(&state)
    XCTAssertEqual(
      Recording.apply(Recording.keys(.character("a")), to: &state), [.startRun(labels: [], testNamePatterns: [])])
    Recording.finishRun(&state)
    // `t` sets a -k pattern and runs the dashboard's scope with it.
    let typed = [.key(.character("t"))] + "checkout mail".map { Action.key(.character($0)) } + [.key(.enter)]
    XCTAssertEqual(Recording.apply(typed, to: &state), [.startRun(labels: [], testNamePatterns: ["checkout", "mail"])])
    XCTAssertEqual(state.testNamePatterns, ["checkout", "mail"])
  }

  func testEnterOnTheHeaderReruns() throws {
    var state = try Recording.demoState()
    Recording.apply(Recording.keys(.character("g"), .up), to: &state)
    XCTAssertTrue(state.isHeaderSelected)
    XCTAssertEqual(Recording.apply(Recording.keys(.enter), to: &state), [.startRun(labels: [], testNamePatterns: [])])
    Recording.apply(Recording.keys(.down), to: &state)
    XCTAssertFalse(state.isHeaderSelected)
  }

  func testCtrlCDuringARunStopsGracefullyThenHardAndQuitsWhenIdle() throws {
    var state = try Recording.demoState(limit: 20)
    XCTAssertTrue(state.run.isActive)
    XCTAssertEqual(state.apply(.key(.interrupt)), [.interruptRun])
    XCTAssertEqual(state.run.phase, .stopping)
    XCTAssertTrue(state.notice?.contains("Ctrl-C again") ?? false)
    XCTAssertEqual(state.apply(.interruptSignal), [.interruptRun])
    XCTAssertEqual(state.notice, "stopping now")
    // Run keys wait for the run to end.
    XCTAssertEqual(state.apply(.key(.character("a"))), [])
    let finished = RunSummary(counts: [:], duration: 1, interrupted: .hard, exitCode: 130)
    XCTAssertEqual(state.apply(.runEvent(TimedEvent(t: 1, event: .runFinished(finished)), now: 101)), [])
    XCTAssertFalse(state.tests.contains { $0.isRunning || $0.isPending })
    // The run is over: no notice that Ctrl-C would stop it, since Ctrl-C now quits.
    XCTAssertNil(state.notice)
    XCTAssertEqual(state.apply(.key(.interrupt)), [.quit])
    // Likewise after a graceful stop alone.
    var graceful = try Recording.demoState(limit: 20)
    XCTAssertEqual(graceful.apply(.key(.interrupt)), [.interruptRun])
    let stopped = RunSummary(counts: [:], duration: 1, interrupted: .graceful, exitCode: 130)
    _ = graceful.apply(.runEvent(TimedEvent(t: 1, event: .runFinished(stopped)), now: 101))
    XCTAssertNil(graceful.notice)
  }

  func testQuitDuringARunEndsItFirst() throws {
    var state = try Recording.demoState(limit: 20)
    XCTAssertEqual(state.apply(.key(.character("q"))), [.interruptRun])
    XCTAssertEqual(state.apply(.key(.character("q"))), [.abortRun])
    let finished = RunSummary(counts: [:], duration: 1, interrupted: .hard, exitCode: 130)
    XCTAssertEqual(state.apply(.runEvent(TimedEvent(t: 1, event: .runFinished(finished)), now: 101)), [.quit])
    var idle = try Recording.demoState()
    XCTAssertEqual(idle.apply(.key(.character("q"))), [.quit])
  }

  func testFilterNarrowsTheListAsYouTypeAndEscapeClearsIt() throws {
    var state = try Recording.demoState()
    state.layoutIfNeeded()
    let all = state.rows.count
    Recording.apply([.key(.character("/"))] + "tiers".map { .key(.character($0)) }, to: &state)
    XCTAssertEqual(state.rows.count, 4)  // app, module, class, the test
    XCTAssertEqual(state.selectedID, "catalog.tests.test_pricing.DiscountTests.test_bulk_discount_tiers")
    Recording.apply(Recording.keys(.enter), to: &state)
    XCTAssertNil(state.prompt)
    XCTAssertEqual(state.filter, "tiers")
    Recording.apply(Recording.keys(.escape), to: &state)
    XCTAssertEqual(state.filter, "")
    XCTAssertEqual(state.rows.count, all)
  }

  func testEditorOpensAtTheInnermostProjectFrame() throws {
    var state = try Recording.demoState()
    Recording.apply([.key(.character("/"))] + "empty_order".map { .key(.character($0)) } + [.key(.enter)], to: &state)
    let effects = Recording.apply(Recording.keys(.character("e")), to: &state)
    guard case .openEditor(let file, let line)? = effects.first else { return XCTFail("no editor: \(effects)") }
    XCTAssertEqual(file, "/project/catalog/pricing.py")
    let source = try String(contentsOfFile: Recording.demoSources + "/catalog/pricing.py", encoding: .utf8)
    XCTAssertTrue(source.lines[line - 1].contains("/"), "line \(line) should divide: \(source.lines[line - 1])")
  }

  func testDetailTabsCycleAndScrollStaysInRange() throws {
    var state = try Recording.demoState(width: 80, height: 12)
    Recording.apply(Recording.keys(.character("n"), .enter), to: &state)
    XCTAssertEqual(state.screen, .detail)
    XCTAssertEqual(state.tab, .traceback)
    Recording.apply(Recording.keys(.tab, .tab, .tab, .tab), to: &state)
    XCTAssertEqual(state.tab, .traceback)
    Recording.apply(Recording.keys(.backTab), to: &state)
    XCTAssertEqual(state.tab, .output)
    Recording.apply(Recording.keys(.backTab, .backTab, .backTab), to: &state)
    Recording.apply(Array(repeating: .key(.down), count: 500), to: &state)
    XCTAssertEqual(state.detailScroll, max(0, state.detail.count - state.layout.detail.height))
    Recording.apply(Recording.keys(.home), to: &state)
    XCTAssertEqual(state.detailScroll, 0)
    Recording.apply(Recording.keys(.escape), to: &state)
    XCTAssertEqual(state.screen, .list)
  }

  func testASecondRunMarksItsTestsPendingAndKeepsTheOthersAsStale() throws {
    var state = try Recording.demoState()
    let rerun = Array(failing.prefix(2))
    let start = RunStart(labels: rerun, command: ["python"], directory: "/project", python: "python", options: [:])
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 200))
    _ = state.apply(.runEvent(TimedEvent(t: 0.1, event: .suiteReady(SuitePlan(tests: rerun))), now: 200.1))
    state.layoutIfNeeded()
    XCTAssertEqual(state.run.planned, 2)
    XCTAssertEqual(state.run.done, 0)
    for id in rerun { XCTAssertEqual(state.tests[state.index[id] ?? 0].isPending, true) }
    let other = state.tests[state.index["catalog.tests.test_pricing.MoneyHelperTests.test_line_total"] ?? 0]
    XCTAssertTrue(other.isStale)
    XCTAssertEqual(other.outcome, .pass)
    let report = TestReport(id: rerun[0], outcome: .pass, duration: 0.01)
    _ = state.apply(.runEvent(TimedEvent(t: 0.2, event: .testFinished(report)), now: 200.2))
    XCTAssertFalse(state.tests[state.index[rerun[0]] ?? 0].hasFailed)
    XCTAssertEqual(state.failedLabels.count, failing.count - 1)
  }

  func testARunThatWentColdIsNoLongerShownWarm() throws {
    var state = try Recording.demoState()
    var start = RunStart(labels: ["a"], command: ["python"], directory: "/project", python: "python", options: [:])
    start.isWarm = true
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 200))
    XCTAssertTrue(state.run.isWarm)
    _ = state.apply(.runEvent(TimedEvent(t: 0.1, event: .wentCold(reason: "the warm runner refused")), now: 200.1))
    XCTAssertFalse(state.run.isWarm)
    XCTAssertEqual(state.notice, "running cold: the warm runner refused")
  }

  /// A line of the screen's header, as text.
  private func headerLine(_ state: DashboardState, row: Int = 0) -> String {
    var state = state
    state.layoutIfNeeded()
    let buffer = DashboardView.render(state)
    return (0..<buffer.width).map { buffer[$0, row].text }.joined()
  }

  /// `--failfast --parallel 2`: Django replayed one failure and terminated its pool; a
  /// result from a batch it dropped and a test it killed mid-run are not run.
  func testDiscardedTestsAreNotRunAndNotCounted() {
    var state = DashboardState(projectName: "p", projectRoot: "/p", scopeLabels: [])
    var t = 0.0
    func send(_ event: RunEvent) {
      t += 0.1
      _ = state.apply(.runEvent(TimedEvent(t: t, event: event), now: 100 + t))
    }
    let ids = ["a.tests.A.test_fail", "a.tests.B.test_a", "a.tests.B.test_b"]
    send(.runStarted(RunStart(labels: ["a"], command: ["python"], directory: "/p", python: "python", options: [:])))
    send(.suiteReady(SuitePlan(tests: ids, processes: 2, subsuites: 2)))
    send(.testStarted(id: ids[1], pid: 2))
    send(.testFinished(TestReport(id: ids[1], outcome: .pass, pid: 2)))
    send(.testStarted(id: ids[2], pid: 2))
    send(.testStarted(id: ids[0], pid: 1))
    send(.testFinished(TestReport(id: ids[0], outcome: .fail, pid: 1, message: "no")))
    XCTAssertEqual(state.run.done, 2)
    send(.testsDiscarded(TestsDiscarded(tests: [ids[1]], reason: "Django stopped early")))
    send(.testsDiscarded(TestsDiscarded(tests: [ids[2]], reason: "Django stopped early")))
    XCTAssertEqual(state.run.counts[.pass], 0)
    XCTAssertEqual(state.run.counts[.fail], 1)
    XCTAssertEqual(state.run.done, 1)
    for id in ids.dropFirst() {
      let entry = state.tests[state.index[id] ?? 0]
      XCTAssertNil(entry.outcome, id)
      XCTAssertNil(entry.report, id)
      XCTAssertFalse(entry.isRunning, id)
      XCTAssertFalse(entry.isPending, id)
    }
    XCTAssertEqual(state.notice, "not run: a.tests.B.test_b (Django stopped early)")
    send(.runFinished(RunSummary(counts: [.fail: 1], duration: 1, interrupted: nil, exitCode: 1, runnerStatus: 1)))
    XCTAssertEqual(state.failedLabels, [ids[0]])
    XCTAssertTrue(headerLine(state).contains("failed"), headerLine(state))
  }

  /// A runner that crashed: the header says so and the notice line shows its last error.
  func testACrashedRunnerShowsItsLastErrorLine() {
    var state = DashboardState(projectName: "p", projectRoot: "/p", scopeLabels: [])
    let start = RunStart(labels: ["a"], command: ["python"], directory: "/p", python: "python", options: [:])
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 100))
    _ = state.apply(
      .runEvent(TimedEvent(t: 0.1, event: .testFinished(TestReport(id: "a.tests.A.t", outcome: .pass))), now: 100.1))
    let summary = RunSummary(
      counts: [.pass: 1], duration: 1, interrupted: nil, exitCode: 1, runnerStatus: 1,
      problem:
        "the test runner ended before finishing the run (exit status 1): TypeError: cannot pickle 'module' object",
      runnerError:
        "Traceback (most recent call last):\n  File \"pool.py\", line 1\nTypeError: cannot pickle 'module' object\n")
    _ = state.apply(.runEvent(TimedEvent(t: 1, event: .runFinished(summary)), now: 101))
    XCTAssertEqual(state.notice, "the test runner crashed: TypeError: cannot pickle 'module' object")
    XCTAssertTrue(headerLine(state).contains("crashed"), headerLine(state))
    _ = state.apply(.key(.character("j")))
    XCTAssertNil(state.notice, "a key clears the notice")
    _ = state.apply(.resize(width: 120, height: 30))
    XCTAssertTrue(
      headerLine(state, row: 1).contains("TypeError: cannot pickle 'module' object"), headerLine(state, row: 1))
    XCTAssertEqual(state.run.counts[.pass], 1, "what the workers finished stays")
  }

  func testAPlanOrdersItsTestsFirstAndKeepsTheOthersAfterIt() {
    var state = DashboardState(projectName: "p", projectRoot: "/p", scopeLabels: [])
    func plan(_ ids: [String]) {
      _ = state.apply(.runEvent(TimedEvent(t: 0, event: .suiteReady(SuitePlan(tests: ids))), now: 0))
    }
    func idsInOrder() -> [String] { state.tests.sorted { $0.order < $1.order }.map(\.id) }
    plan(["a.tests.A.t1", "a.tests.A.t2", "a.tests.B.t3", "a.tests.B.t4"])
    // A test listed twice takes its last place; the others follow in their old order.
    plan(["a.tests.B.t3", "a.tests.C.t5", "a.tests.A.t1", "a.tests.B.t3"])
    XCTAssertEqual(idsInOrder(), ["a.tests.C.t5", "a.tests.A.t1", "a.tests.B.t3", "a.tests.A.t2", "a.tests.B.t4"])
    XCTAssertEqual(state.tests.map(\.order).sorted(), Array(0..<5))
    XCTAssertEqual(
      state.tests.filter(\.isPending).map(\.id).sorted(), ["a.tests.A.t1", "a.tests.B.t3", "a.tests.C.t5"])
  }

  func testResizeKeepsTheSelectionInView() throws {
    var state = try Recording.demoState(width: 100, height: 40)
    Recording.apply(Recording.keys(.end), to: &state)
    Recording.apply([.resize(width: 60, height: 10)], to: &state)
    let row = try XCTUnwrap(state.selectedID.flatMap { state.rowIndex(of: $0) })
    XCTAssertTrue(row >= state.listScroll && row < state.listScroll + state.layout.body.height)
  }

  func testTestPathsFollowDjangosIds() {
    XCTAssertEqual(
      TestPath(id: "shop.tests.test_cart.CartTests.test_total", kind: .test),
      TestPath(app: "shop", module: "shop.tests.test_cart", className: "CartTests", name: "test_total"))
    XCTAssertEqual(
      TestPath(id: "setUpClass (shop.tests.CartTests)", kind: .suiteError),
      TestPath(app: "shop", module: "shop.tests", className: "CartTests", name: "setUpClass"))
    XCTAssertEqual(
      TestPath(id: "unittest.loader._FailedTest.site.apps.billing.tests", kind: .loadError),
      TestPath(app: "site.apps.billing", module: "site.apps.billing.tests", className: "", name: "import failed"))
    let suiteError = TestPath(id: "setUpModule (shop.tests)", kind: .suiteError)
    XCTAssertEqual(suiteError.label(for: "setUpModule (shop.tests)", kind: .suiteError), "shop.tests")
  }

  func testPlainTestIdsParseAsTheGeneralParseDoes() {
    // A suite error without "(…)" takes the general parse; a test id takes the byte-level
    // one when it can, so the two must agree on every dotted id.
    let ids = [
      "shop.tests.test_cart.CartTests.test_total", "shop.tests.CartTests.test_total", "tests.test_x.C.test_y",
      "site.apps.shop.tests.C.t", "site.apps.shop.test.C.t", "site.apps.shop.test_views.C.t",
      "site.apps.shop.testing.C.t", "site.apps.shop.tests_extra.C.t", "shop.C.test_y", "shop.test_y",
      "test_module.test_y", "tests.C.t", "test", "a", "a.b", "a.b.c", "test_.x.y.z", "a.test.b.tests.c.d",
      "a..b.c.d", ".a.b.c", "a.b.c.", "", ".", "shop.tests.Café.test_é", "shop.tests.C.test_\u{301}x",
      "unittest.loader._FailedTest.shop.tests",
    ]
    for id in ids {
      XCTAssertEqual(TestPath(id: id, kind: .test), TestPath(id: id, kind: .suiteError), id)
    }
  }

  func testEditorCommandsUseEachEditorsOwnForm() throws {
    XCTAssertEqual(try EditorCommand.arguments(editor: "vim", file: "/p/a.py", line: 7), ["vim", "+7", "/p/a.py"])
    XCTAssertEqual(
      try EditorCommand.arguments(editor: "code -w", file: "/p/a.py", line: 7), ["code", "-w", "--goto", "/p/a.py:7"])
    XCTAssertEqual(
      try EditorCommand.arguments(editor: "/usr/bin/hx", file: "/p/a.py", line: 7), ["/usr/bin/hx", "/p/a.py:7"])
    XCTAssertEqual(EditorCommand.editor(environment: ["EDITOR": "nano", "VISUAL": " "]), "nano")
    XCTAssertEqual(EditorCommand.editor(environment: [:]), "vi")
  }
}
