import XCTest

@testable import DjangoRunner

final class RunSupervisorTests: XCTestCase {
  private let runner: Int32 = 100

  private func report(_ id: String, pid: Int32, outcome: TestOutcome = .pass) -> RunEvent {
    .testFinished(TestReport(id: id, outcome: outcome, pid: pid))
  }

  /// A supervisor whose runner connected and started.
  private func started() -> RunSupervisor {
    var supervisor = RunSupervisor()
    XCTAssertEqual(
      supervisor.received(
        .runnerStarted(RunnerInfo(pid: runner, django: "5.2", runner: "R", labels: [])), from: runner), [])
    return supervisor
  }

  // MARK: Ctrl-C ladder

  func testFirstInterruptAsksForAGracefulStop() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: runner), from: runner)
    XCTAssertEqual(supervisor.interruptRequested(), [.requestStop])
    XCTAssertEqual(supervisor.interruption, .graceful)
    XCTAssertEqual(supervisor.runningTests, [runner: "a.T.t1"], "a graceful stop lets the running test finish")
  }

  func testSecondInterruptReportsRunningTestsThenKills() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t2", pid: 202), from: 202)
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: 201), from: 201)
    _ = supervisor.interruptRequested()
    let actions = supervisor.interruptRequested()
    XCTAssertEqual(
      actions,
      [
        .reportLostProcess(pid: 201, test: "a.T.t1"), .reportLostProcess(pid: 202, test: "a.T.t2"),
        .killRun(reason: nil),
      ])
    XCTAssertEqual(supervisor.interruption, .hard)
    XCTAssertEqual(supervisor.runningTests, [:])
  }

  func testFirstInterruptWithNoTestRunningStopsAtOnce() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: runner), from: runner)
    _ = supervisor.received(report("a.T.t1", pid: runner), from: runner)
    XCTAssertEqual(supervisor.interruptRequested(), [.killRun(reason: nil)], "nothing to let finish")
    XCTAssertEqual(supervisor.interruption, .hard)
    XCTAssertEqual(supervisor.interruptRequested(), [])
  }

  func testThirdInterruptDoesNothingMore() {
    var supervisor = started()
    _ = supervisor.interruptRequested()
    _ = supervisor.interruptRequested()
    XCTAssertEqual(supervisor.interruptRequested(), [])
    XCTAssertEqual(supervisor.interruption, .hard)
  }

  func testAbortRequestedKillsAtOnce() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: runner), from: runner)
    XCTAssertEqual(
      supervisor.abortRequested(), [.reportLostProcess(pid: runner, test: "a.T.t1"), .killRun(reason: nil)])
    XCTAssertEqual(supervisor.interruption, .hard)
    XCTAssertEqual(supervisor.abortRequested(), [], "killing twice is pointless")
  }

  func testStopAfterTimeoutRequestsStopAndRecordsAProblem() {
    var supervisor = started()
    XCTAssertEqual(supervisor.stopAfterTimeout(test: "a.T.slow"), [.requestStop])
    XCTAssertNil(supervisor.interruption, "a timeout is not the user's interruption")
    XCTAssertEqual(supervisor.problem?.contains("a.T.slow"), true)
    XCTAssertEqual(supervisor.stopAfterTimeout(test: "a.T.other"), [], "only the first timeout stops the run")
  }

  // MARK: running tests

  func testFinishedTestIsNoLongerRunning() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: runner), from: runner)
    XCTAssertEqual(supervisor.runningTests, [runner: "a.T.t1"])
    _ = supervisor.received(report("a.T.t1", pid: runner), from: runner)
    XCTAssertEqual(supervisor.runningTests, [:])
  }

  func testSuiteErrorReportDoesNotClearTheRunningTest() {
    // tearDownClass errors arrive while no test runs; a setUpClass error of another id
    // must not make djdash forget a test that is still running.
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: runner), from: runner)
    _ = supervisor.received(report("setUpClass (a.U)", pid: runner, outcome: .error), from: runner)
    XCTAssertEqual(supervisor.runningTests, [runner: "a.T.t1"])
  }

  func testConnectionClosingMidTestReportsTheLostTest() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.crash", pid: 300), from: 300)
    XCTAssertEqual(supervisor.connectionClosed(pid: 300), [.reportLostProcess(pid: 300, test: "a.T.crash")])
    XCTAssertEqual(supervisor.runningTests, [:])
    XCTAssertEqual(supervisor.connectionClosed(pid: 300), [], "reported once")
  }

  func testConnectionClosingBetweenTestsIsNormal() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: 300), from: 300)
    _ = supervisor.received(report("a.T.t1", pid: 300), from: 300)
    XCTAssertEqual(supervisor.connectionClosed(pid: 300), [])
  }

  func testConnectionWithoutPidIsIgnored() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t1", pid: 300), from: 300)
    XCTAssertEqual(supervisor.connectionClosed(pid: nil), [])
    XCTAssertEqual(supervisor.runningTests, [300: "a.T.t1"])
  }

  // MARK: parallel pool

  private func parallelRun(subsuites: Int) -> RunSupervisor {
    var supervisor = started()
    _ = supervisor.received(
      .suiteReady(SuitePlan(tests: ["a.A.t", "a.B.t", "a.C.t"], processes: 3, subsuites: subsuites)), from: runner)
    return supervisor
  }

  func testDeadWorkerStopsTheRunOnceEveryOtherSubsuiteIsDone() {
    var supervisor = parallelRun(subsuites: 3)
    XCTAssertEqual(supervisor.received(.subsuiteStarted(index: 0), from: 201), [])
    XCTAssertEqual(supervisor.received(.subsuiteStarted(index: 1), from: 202), [])
    XCTAssertEqual(supervisor.received(.subsuiteStarted(index: 2), from: 203), [])
    _ = supervisor.received(.testStarted(id: "a.B.t", pid: 202), from: 202)

    XCTAssertEqual(supervisor.connectionClosed(pid: 202), [.reportLostProcess(pid: 202, test: "a.B.t")])
    XCTAssertEqual(
      supervisor.received(.subsuiteFinished(index: 0, skipped: false), from: 201), [], "one subsuite still runs")

    let actions = supervisor.received(.subsuiteFinished(index: 2, skipped: false), from: 203)
    XCTAssertEqual(actions.count, 1)
    guard case .killRun(let reason)? = actions.first else { return XCTFail("expected killRun, got \(actions)") }
    XCTAssertNotNil(reason)
    XCTAssertEqual(supervisor.problem, reason)
    XCTAssertNil(supervisor.interruption, "the user did not interrupt")
  }

  func testDeadWorkerKillIsDecidedExactlyOnce() {
    var supervisor = parallelRun(subsuites: 3)
    _ = supervisor.received(.subsuiteStarted(index: 0), from: 201)
    _ = supervisor.received(.subsuiteStarted(index: 1), from: 202)
    _ = supervisor.received(.subsuiteStarted(index: 2), from: 203)
    var all: [RunSupervisor.Action] = []
    all += supervisor.connectionClosed(pid: 202)
    all += supervisor.received(.subsuiteFinished(index: 0, skipped: false), from: 201)
    all += supervisor.received(.subsuiteFinished(index: 2, skipped: false), from: 203)
    all += supervisor.connectionClosed(pid: 201)
    all += supervisor.connectionClosed(pid: 203)
    all += supervisor.received(.subsuiteFinished(index: 1, skipped: true), from: 204)
    let kills = all.filter { if case .killRun = $0 { return true } else { return false } }
    XCTAssertEqual(kills.count, 1, "\(all)")
    XCTAssertEqual(all.first, .reportLostProcess(pid: 202, test: nil), "a worker lost mid-subsuite, between tests")
  }

  func testDeadWorkerWhileOthersStillRunDoesNotKillYet() {
    var supervisor = parallelRun(subsuites: 4)
    _ = supervisor.received(.subsuiteStarted(index: 0), from: 201)
    _ = supervisor.received(.subsuiteStarted(index: 1), from: 202)
    _ = supervisor.connectionClosed(pid: 202)
    XCTAssertEqual(supervisor.received(.subsuiteFinished(index: 0, skipped: false), from: 201), [])
    _ = supervisor.received(.subsuiteStarted(index: 2), from: 201)
    XCTAssertEqual(
      supervisor.received(.subsuiteFinished(index: 2, skipped: false), from: 201), [], "subsuite 3 is still to come")
    let actions = supervisor.received(.subsuiteFinished(index: 3, skipped: false), from: 203)
    XCTAssertEqual(actions.count, 1)
    guard case .killRun(let reason)? = actions.first else { return XCTFail("expected killRun, got \(actions)") }
    XCTAssertNotNil(reason)
  }

  func testParallelRunWithoutLossesNeverKills() {
    var supervisor = parallelRun(subsuites: 2)
    var all: [RunSupervisor.Action] = []
    all += supervisor.received(.subsuiteStarted(index: 0), from: 201)
    all += supervisor.received(.subsuiteStarted(index: 1), from: 202)
    all += supervisor.received(.subsuiteFinished(index: 0, skipped: false), from: 201)
    all += supervisor.received(.subsuiteFinished(index: 1, skipped: false), from: 202)
    all += supervisor.connectionClosed(pid: 201)
    all += supervisor.connectionClosed(pid: 202)
    XCTAssertEqual(all, [])
    XCTAssertNil(supervisor.problem)
  }

  func testWorkerLeavingAfterItsSubsuiteIsNotALoss() {
    var supervisor = parallelRun(subsuites: 2)
    _ = supervisor.received(.subsuiteStarted(index: 0), from: 201)
    _ = supervisor.received(.subsuiteFinished(index: 0, skipped: false), from: 201)
    XCTAssertEqual(supervisor.connectionClosed(pid: 201), [])
  }

  func testLostWorkerAfterAHardStopIsNotReportedAgain() {
    var supervisor = parallelRun(subsuites: 2)
    _ = supervisor.received(.subsuiteStarted(index: 0), from: 201)
    _ = supervisor.received(.subsuiteStarted(index: 1), from: 202)
    _ = supervisor.abortRequested()
    XCTAssertEqual(supervisor.connectionClosed(pid: 201), [])
    XCTAssertEqual(supervisor.connectionClosed(pid: 202), [])
  }

  // MARK: Django's parent stops its pool early

  /// Two workers (201, 202) on four subsuites: 201 finished subsuite 0 (a.A.t, failed)
  /// and runs subsuite 2; 202 runs subsuite 1, where a.B.t1 passed and a.B.t2 runs.
  private func poolMidRun() -> RunSupervisor {
    var supervisor = parallelRun(subsuites: 4)
    _ = supervisor.received(
      .hello(ProcessHello(pid: runner, ppid: 1, role: .leader, python: "3", protocol: 1)), from: runner)
    _ = supervisor.received(.subsuiteStarted(index: 0), from: 201)
    _ = supervisor.received(.testStarted(id: "a.A.t", pid: 201), from: 201)
    _ = supervisor.received(report("a.A.t", pid: 201, outcome: .fail), from: 201)
    _ = supervisor.received(.subsuiteFinished(index: 0, skipped: false), from: 201)
    _ = supervisor.received(.subsuiteStarted(index: 1), from: 202)
    _ = supervisor.received(.testStarted(id: "a.B.t1", pid: 202), from: 202)
    _ = supervisor.received(report("a.B.t1", pid: 202), from: 202)
    _ = supervisor.received(.testStarted(id: "a.B.t2", pid: 202), from: 202)
    _ = supervisor.received(.subsuiteStarted(index: 2), from: 201)
    _ = supervisor.received(.testStarted(id: "a.C.t", pid: 201), from: 201)
    return supervisor
  }

  func testAFailfastStopDiscardsWhatDjangoNeverReplayed() {
    var supervisor = poolMidRun()
    XCTAssertEqual(
      supervisor.received(.parallelStopped(ParallelStop(reason: .stop, replayed: [0])), from: runner),
      [.discardTests(["a.B.t1"], reason: RunSupervisor.droppedByStop)], "finished, never replayed")
    XCTAssertEqual(
      supervisor.received(report("a.C.t", pid: 201), from: 201),
      [.discardTests(["a.C.t"], reason: RunSupervisor.droppedByStop)], "finished after the stop, never replayed")
    XCTAssertEqual(supervisor.received(.subsuiteFinished(index: 2, skipped: false), from: 201), [])
    XCTAssertEqual(
      supervisor.connectionClosed(pid: 202), [.discardTests(["a.B.t2"], reason: RunSupervisor.droppedByStop)],
      "killed by Django's terminate: not run, not lost")
    XCTAssertEqual(supervisor.connectionClosed(pid: 201), [], "between tests")
    XCTAssertNil(supervisor.problem, "Django's own stop is no problem, and no reason to kill the run")
    XCTAssertEqual(supervisor.runnerExited(.exited(1)), [.killStragglers(after: RunSupervisor.stragglerGrace)])
    XCTAssertEqual(supervisor.exitCode(countsFailure: true), 1)
  }

  func testResultsOfReplayedSubsuitesAreKept() {
    var supervisor = poolMidRun()
    XCTAssertEqual(
      supervisor.received(.parallelStopped(ParallelStop(reason: .stop, replayed: [0, 1])), from: runner), [])
    XCTAssertEqual(supervisor.received(report("a.B.t2", pid: 202), from: 202), [], "subsuite 1 was replayed")
  }

  func testAStopWithoutKnownReplaysKeepsFinishedResults() {
    var supervisor = poolMidRun()
    XCTAssertEqual(
      supervisor.received(.parallelStopped(ParallelStop(reason: .stop, replayed: nil)), from: runner), [],
      "the hook could not tell what Django replayed")
    XCTAssertEqual(supervisor.received(report("a.C.t", pid: 201), from: 201), [])
    XCTAssertEqual(
      supervisor.connectionClosed(pid: 202), [.discardTests(["a.B.t2"], reason: RunSupervisor.droppedByStop)],
      "still ended by Django, not lost")
  }

  func testAParentThatRaisesKeepsFinishedResultsAndDropsRunningTests() {
    var supervisor = poolMidRun()
    XCTAssertEqual(supervisor.received(.parallelStopped(ParallelStop(reason: .error, replayed: [0])), from: runner), [])
    XCTAssertEqual(supervisor.received(report("a.C.t", pid: 201), from: 201), [], "a real result: kept")
    XCTAssertEqual(
      supervisor.connectionClosed(pid: 202), [.discardTests(["a.B.t2"], reason: RunSupervisor.cutByRunnerEnd)])
    XCTAssertEqual(supervisor.runningTests, [:])
  }

  func testARunnerThatExitsPinsNothingOnItsWorkersTests() {
    var supervisor = poolMidRun()
    XCTAssertEqual(
      supervisor.runnerExited(.signalled(9)), [.killStragglers(after: RunSupervisor.stragglerGrace)],
      "the workers' tests are not the runner's")
    XCTAssertEqual(supervisor.runningTests, [201: "a.C.t", 202: "a.B.t2"], "settled when the workers go")
    XCTAssertEqual(
      supervisor.connectionClosed(pid: 201), [.discardTests(["a.C.t"], reason: RunSupervisor.cutByRunnerEnd)])
    XCTAssertEqual(
      supervisor.connectionClosed(pid: 202), [.discardTests(["a.B.t2"], reason: RunSupervisor.cutByRunnerEnd)])
  }

  func testAWorkerThatCrashesWhileThePoolRunsIsStillLost() {
    var supervisor = poolMidRun()
    XCTAssertEqual(supervisor.connectionClosed(pid: 202), [.reportLostProcess(pid: 202, test: "a.B.t2")])
  }

  func testAHardStopAfterTheParentStoppedIsStillAHardStop() {
    var supervisor = poolMidRun()
    _ = supervisor.received(.parallelStopped(ParallelStop(reason: .stop, replayed: [0])), from: runner)
    XCTAssertEqual(
      supervisor.abortRequested(),
      [
        .reportLostProcess(pid: 201, test: "a.C.t"), .reportLostProcess(pid: 202, test: "a.B.t2"),
        .killRun(reason: nil),
      ])
    XCTAssertEqual(supervisor.connectionClosed(pid: 202), [])
  }

  // MARK: runner exit

  func testRunnerExitReportsItsRunningTestAndSchedulesStragglers() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.segfault", pid: runner), from: runner)
    let actions = supervisor.runnerExited(.signalled(11))
    XCTAssertEqual(
      actions,
      [.reportLostProcess(pid: runner, test: "a.T.segfault"), .killStragglers(after: RunSupervisor.stragglerGrace)])
    XCTAssertEqual(supervisor.runnerTermination, .signalled(11))
    XCTAssertEqual(supervisor.runningTests, [:])
  }

  func testCleanRunnerExitOnlySchedulesStragglers() {
    var supervisor = started()
    _ = supervisor.received(.runnerFinished(failures: 0), from: runner)
    XCTAssertTrue(supervisor.runnerFinished)
    XCTAssertEqual(supervisor.runnerExited(.exited(0)), [.killStragglers(after: RunSupervisor.stragglerGrace)])
  }

  func testRunnerExitAfterKillReportsNothingTwice() {
    var supervisor = started()
    _ = supervisor.received(.testStarted(id: "a.T.t", pid: runner), from: runner)
    _ = supervisor.abortRequested()
    XCTAssertEqual(supervisor.runnerExited(.signalled(9)), [.killStragglers(after: RunSupervisor.stragglerGrace)])
  }

  // MARK: exit codes

  func testExitCodeWhenInterrupted() {
    var supervisor = started()
    _ = supervisor.interruptRequested()
    _ = supervisor.runnerExited(.exited(0))
    XCTAssertEqual(supervisor.exitCode(countsFailure: false), 130)
    XCTAssertEqual(supervisor.exitCode(countsFailure: true), 130)
  }

  func testExitCodeWhenRunnerNeverStarted() {
    var supervisor = RunSupervisor()
    _ = supervisor.runnerExited(.exited(1))
    XCTAssertFalse(supervisor.runnerStarted)
    XCTAssertEqual(supervisor.exitCode(countsFailure: false), 2)
  }

  func testExitCodeWithFailures() {
    var supervisor = started()
    _ = supervisor.runnerExited(.exited(1))
    XCTAssertEqual(supervisor.exitCode(countsFailure: true), 1)
  }

  func testExitCodeWithFailuresEvenIfRunnerExitedZero() {
    var supervisor = started()
    _ = supervisor.runnerExited(.exited(0))
    XCTAssertEqual(supervisor.exitCode(countsFailure: true), 1)
  }

  func testExitCodeForACleanRun() {
    var supervisor = started()
    _ = supervisor.runnerExited(.exited(0))
    XCTAssertEqual(supervisor.exitCode(countsFailure: false), 0)
  }

  func testExitCodeForNonZeroRunnerExitWithoutFailures() {
    var supervisor = started()
    _ = supervisor.runnerExited(.exited(3))
    XCTAssertEqual(supervisor.exitCode(countsFailure: false), 1)
  }

  func testExitCodeForASignalledRunnerWithoutFailures() {
    var supervisor = started()
    _ = supervisor.runnerExited(.signalled(9))
    XCTAssertEqual(supervisor.exitCode(countsFailure: false), 1)
  }

  func testExitCodeWhenAProblemStoppedTheRun() {
    var supervisor = started()
    _ = supervisor.stopAfterTimeout(test: "a.T.slow")
    _ = supervisor.runnerExited(.exited(0))
    XCTAssertEqual(supervisor.exitCode(countsFailure: false), 1)
  }
}
