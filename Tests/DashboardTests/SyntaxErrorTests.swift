import Dashboard
import DjangoRunner
import XCTest

/// A save that leaves a file not compiling: a code frame under the list, `e` opens the
/// editor there, and the module's tests are not shown passing from an earlier run.
final class SyntaxErrorTests: XCTestCase {
  let crash = """
    Traceback (most recent call last):
      File "/project/catalog/tests/test_pricing.py", line 12
        self.assertEqual(apply_discount(Decimal("10.00"), 10), Decimal("9.00")
                        ^
    SyntaxError: '(' was never closed
    """

  func crashedState() throws -> DashboardState {
    var state = try Recording.demoState(width: 90, height: 24)
    XCTAssertTrue(state.tests.contains { $0.id.hasPrefix("catalog.tests.test_pricing.") && $0.outcome == .pass })
    let start = RunStart(
      labels: ["catalog.tests.test_pricing"], command: ["python"], directory: "/project", python: "python",
      options: [:])
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 200))
    var summary = RunSummary(counts: [:], duration: 0.3, interrupted: nil, exitCode: 1)
    summary.runnerError = crash
    _ = state.apply(.runEvent(TimedEvent(t: 0.3, event: .runFinished(summary)), now: 200.3))
    state.layoutIfNeeded()
    return state
  }

  func testACrashOnASyntaxErrorShowsTheCodeFrameAndEOpensIt() throws {
    var state = try crashedState()
    XCTAssertEqual(state.syntaxError?.line, 12)
    XCTAssertEqual(state.notice, "a file does not compile: the run stopped before its tests")
    // Its module's tests no longer show an earlier verdict.
    XCTAssertFalse(state.tests.contains { $0.id.hasPrefix("catalog.tests.test_pricing.") && $0.outcome != nil })
    XCTAssertTrue(state.tests.contains { $0.id.hasPrefix("catalog.tests.test_views.") && $0.outcome != nil })
    // Not even from the history, which the runtime reloads after every run.
    let records = state.tests.filter { $0.id.hasPrefix("catalog.tests.test_pricing.") }.map {
      TestRecord(id: $0.id, kind: .test, outcome: .pass, duration: 0.01, summary: nil, runID: 1, flips: 0)
    }
    _ = state.apply(.historyLoaded(HistorySnapshot(records: records, slowest: [])))
    XCTAssertFalse(state.tests.contains { $0.id.hasPrefix("catalog.tests.test_pricing.") && $0.outcome != nil })
    let text = DashboardView.render(state).textLines.joined(separator: "\n")
    XCTAssertTrue(text.contains(" SyntaxError: '(' was never closed"), text)
    XCTAssertTrue(text.contains("catalog/tests/test_pricing.py:12  (e: edit there)"), text)
    XCTAssertTrue(text.contains("   12 │ self.assertEqual(apply_discount("), text)
    // Under the column Python's caret points at (16, after the gutter's space).
    XCTAssertTrue(text.contains("      │ " + String(repeating: " ", count: 16) + "^"), text)
    XCTAssertEqual(
      state.apply(.key(.character("e"))), [.openEditor(file: "/project/catalog/tests/test_pricing.py", line: 12)])
    // The next run starts without it.
    let start = RunStart(labels: [], command: ["python"], directory: "/project", python: "python", options: [:])
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 300))
    XCTAssertNil(state.syntaxError)
  }

  func testALoadErrorOfASyntaxErrorShowsWhereInItsDetail() throws {
    var state = try Recording.demoState(width: 90, height: 24)
    var report = TestReport(
      id: "unittest.loader._FailedTest.catalog.tests.test_pricing", outcome: .error, kind: .loadError,
      message: "SyntaxError: '(' was never closed")
    report.tracebackText = crash
    _ = state.apply(.runEvent(TimedEvent(t: 1, event: .testFinished(report)), now: 201))
    XCTAssertEqual(state.syntaxError?.file, "/project/catalog/tests/test_pricing.py")
    XCTAssertEqual(
      state.editorFrame(of: try XCTUnwrap(state.tests.first { $0.kind == .loadError }))?.line, 12)
    let lines = DetailDocument.lines(
      for: try XCTUnwrap(state.tests.first { $0.kind == .loadError }), tab: .traceback, width: 90,
      projectRoot: "/project", sources: [:], glyphs: .unicode
    ).map(\.plainText)
    XCTAssertTrue(lines.contains("catalog/tests/test_pricing.py:12"), "\(lines)")
  }
}
