import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// Watch mode's head start on real Django runs: a runner started without labels waits
/// in run_tests, runs exactly the labels it is given, and is aborted unseen when stale.
final class PreparedRunnerTests: XCTestCase {
  private func plan(_ project: String, python: String, labels: [String] = [], parallel: Int? = nil) throws -> RunPlan {
    var request = RunRequest()
    request.python = python
    request.labels = labels
    if let parallel { request.parallel = .processes(parallel) }
    var environment = ProcessInfo.processInfo.environment
    environment["DJDASH_HOOK_DIR"] = TestPaths.hook
    return try Project.locate(from: project, command: nil).plan(
      for: request, directory: project, environment: environment)
  }

  private func drive(_ reactor: Reactor, until done: () -> Bool, timeout: Double = 60) {
    let deadline = reactor.clock.now() + timeout
    while !done() && reactor.clock.now() < deadline { reactor.runOnce(timeout: 0.05) }
  }

  func testAPreparedRunnerRunsTheLabelsItIsGivenAsIfTheyWereOnItsCommandLine() throws {
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    for (version, parallel) in [(DjangoVersion.v52, nil), (.v52, 2), (.v42, nil)] {
      let python = try version.python()
      let reactor = Reactor()
      let preparer = PreparedRunner(reactor: reactor)
      let unlabelled = try plan(project, python: python, parallel: parallel)
      preparer.filesChanged(plan: unlabelled)
      XCTAssertTrue(preparer.isHolding)
      // Give Python and Django time to start: the runner must be waiting, not running.
      reactor.runOnce(timeout: 1.5)
      let wanted = try plan(project, python: python, labels: ["verdicts.tests.PlainUnittestTests"], parallel: parallel)
      var events: [TimedEvent] = []
      guard let session = preparer.take(for: wanted, onEvent: { events.append($0) }) else {
        return XCTFail("the prepared runner was not taken")
      }
      XCTAssertFalse(preparer.isHolding)
      drive(reactor) { session.isFinished }
      XCTAssertEqual(events.first?.event.name, "run_started")
      guard case .runStarted(let start)? = events.first?.event else { return XCTFail("no run_started first") }
      XCTAssertEqual(start.labels, ["verdicts.tests.PlainUnittestTests"])
      XCTAssertEqual(start.command, wanted.arguments)
      let runnerLabels = events.compactMap { timed -> [String]? in
        if case .runnerStarted(let runner) = timed.event { return runner.labels }
        return nil
      }
      XCTAssertEqual(runnerLabels, [["verdicts.tests.PlainUnittestTests"]])
      let finished = events.compactMap { timed -> String? in
        if case .testFinished(let report) = timed.event { return report.id }
        return nil
      }
      XCTAssertFalse(finished.isEmpty)
      XCTAssertTrue(finished.allSatisfy { $0.hasPrefix("verdicts.tests.PlainUnittestTests.") }, "\(finished)")
      XCTAssertEqual(events.last?.event.name, "run_finished")
    }
  }

  func testAStaleOrMismatchedPreparedRunnerIsAbortedUnseen() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let reactor = Reactor()
    let preparer = PreparedRunner(reactor: reactor)
    let wanted = try plan(project, python: python, labels: ["verdicts"])
    let unlabelled = try plan(project, python: python)
    let parallel = try plan(project, python: python, parallel: 2)

    // Files changed again after the settle window: it may have read old files.
    preparer.filesChanged(plan: unlabelled)
    reactor.runOnce(timeout: PreparedRunner.settleWindow * 3)
    preparer.filesChanged(plan: unlabelled)
    XCTAssertNil(preparer.take(for: wanted, onEvent: { _ in XCTFail("a stale runner was seen") }))
    XCTAssertFalse(preparer.isHolding)

    // Prepared for other flags (parallel): not the run asked for.
    preparer.filesChanged(plan: parallel)
    XCTAssertNil(preparer.take(for: wanted, onEvent: { _ in XCTFail("a mismatched runner was seen") }))

    // A change right after it started (an editor's write, then its rename) is the same save.
    preparer.filesChanged(plan: unlabelled)
    preparer.filesChanged(plan: unlabelled)
    var events: [TimedEvent] = []
    let session = try XCTUnwrap(preparer.take(for: wanted, onEvent: { events.append($0) }))
    drive(reactor) { session.isFinished }
    XCTAssertEqual(events.last?.event.name, "run_finished")
    drive(reactor, until: { false }, timeout: 0.3)  // the aborted ones end too, without a sound
  }
}
