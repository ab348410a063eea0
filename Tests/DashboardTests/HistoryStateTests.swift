import Dashboard
import DjangoRunner
import XCTest

/// The dashboard on what the history knows: stale verdicts at start, `f` across
/// restarts, flip marks, and the slowest-tests view.
final class HistoryStateTests: XCTestCase {
  /// The demo run's verdicts as the history would hand them back, one of them flipping.
  private func demoRecords() throws -> [TestRecord] {
    let finished = try Recording.demoState()
    return finished.tests.sorted { $0.order < $1.order }.compactMap { entry in
      guard let outcome = entry.outcome, let report = entry.report else { return nil }
      return TestRecord(
        id: entry.id, kind: entry.kind, outcome: outcome, duration: entry.duration ?? 0,
        summary: TestRecord.summary(of: report), runID: 7,
        flips: entry.id.hasSuffix("test_in_stock_excludes_sold_out") ? 2 : 0)
    }
  }

  private func slowest(_ records: [TestRecord]) -> [SlowTest] {
    records.sorted { $0.duration > $1.duration }.prefix(6).enumerated().map { rank, record in
      let base = record.duration
      let series: [Double] =
        rank == 0
        ? [base * 0.5, base * 0.6, base * 0.7, base] : rank == 1 ? [base * 2, base * 1.8, base] : [base, base]
      return SlowTest(id: record.id, durations: series)
    }
  }

  private func staleState(width: Int = 90, height: Int = 24) throws -> DashboardState {
    var state = DashboardState(
      projectName: "demo-shop", projectRoot: Recording.projectRoot, scopeLabels: [], width: width, height: height)
    let records = try demoRecords()
    _ = state.apply(.historyLoaded(HistorySnapshot(records: records, slowest: slowest(records))))
    state.layoutIfNeeded()
    return state
  }

  func testOpensOnTheLastVerdictsMarkedStale() throws {
    let state = try staleState()
    XCTAssertEqual(state.tests.count, try demoRecords().count)
    XCTAssertTrue(state.tests.allSatisfy(\.isStale))
    XCTAssertEqual(state.tests.filter(\.isFlipping).count, 1)
    XCTAssertFalse(state.failedLabels.isEmpty)
    assertSnapshot(DashboardView.render(state), named: "list-stale-start")
  }

  func testFailedRunsWhatFailedBeforeTheRestart() throws {
    var state = try staleState()
    let effects = state.apply(.key(.character("f")))
    XCTAssertEqual(effects, [.startRun(labels: state.failedLabels, testNamePatterns: [])])
    XCTAssertTrue(
      effects.first.map { if case .startRun(let labels, _) = $0 { !labels.isEmpty } else { false } } ?? false)
  }

  func testARunReplacesStaleVerdictsAndTheHistoryNeverOverridesLiveOnes() throws {
    var state = try staleState()
    let id = try XCTUnwrap(state.failedLabels.first)
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .suiteReady(SuitePlan(tests: [id]))), now: 1))
    _ = state.apply(.runEvent(TimedEvent(t: 1, event: .testFinished(TestReport(id: id, outcome: .pass))), now: 2))
    let position = try XCTUnwrap(state.index[id])
    XCTAssertFalse(state.tests[position].isStale)
    // The history read after the run still says it failed: the live verdict stays.
    _ = state.apply(.historyLoaded(HistorySnapshot(records: try demoRecords())))
    XCTAssertEqual(state.tests[position].outcome, .pass)
    XCTAssertFalse(state.tests[position].isStale)
  }

  func testSlowestView() throws {
    var state = try staleState(width: 100, height: 16)
    _ = state.apply(.key(.character("s")))
    XCTAssertTrue(state.isSlowestShown)
    state.layoutIfNeeded()
    assertSnapshot(DashboardView.render(state), named: "slowest")
    _ = state.apply(.key(.character("j")))
    XCTAssertFalse(state.isSlowestShown, "any key closes it")
  }

  func testSlowestWithoutHistorySaysSo() {
    var state = DashboardState(projectName: "p", projectRoot: "/p", scopeLabels: [])
    _ = state.apply(.key(.character("s")))
    XCTAssertFalse(state.isSlowestShown)
    XCTAssertEqual(state.notice, "no test durations recorded yet")
  }
}
