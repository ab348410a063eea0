import DjangoRunner
import TestSupport
import XCTest

/// djdash's verdicts must be exactly Django's own for the same suite: compared with the
/// oracle runner (plain Django, no hook) on each supported Django version.
final class VerdictTests: XCTestCase {
  /// Labels whose tests never crash a process, so Django's runner can judge them all.
  static let labels = ["verdicts", "capture", "broken", "order"]

  func testSerialVerdictsEqualDjangosOnEveryVersion() throws {
    for version in DjangoVersion.supported {
      let python = try version.python()
      let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
      let expected = try DjangoOracle.verdicts(project: project, python: python, arguments: Self.labels)
      var request = RunRequest()
      request.labels = Self.labels
      let run = try TestRun.run(project: project, python: python, request: request)
      XCTAssertEqual(run.outcomes, expected, "Django \(version.rawValue)")
      XCTAssertGreaterThan(expected.count, 20, "the oracle saw the suite")
      XCTAssertEqual(run.summary.exitCode, 1)
      XCTAssertEqual(run.summary.counts[.xpass], 1)
    }
  }

  func testParallelVerdictsEqualDjangosWithForkWorkers() throws {
    for version in DjangoVersion.supported {
      let python = try version.python()
      let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
      let labels = ["verdicts", "capture", "broken"]
      var expected = try DjangoOracle.verdicts(
        project: project, python: python, arguments: labels + ["--parallel", "2"])
      if version == .v42 {
        // Django 4.2's parallel runner files a setUpClass error under the class's last
        // test; djdash reports it from the worker under Django's own id for it, as 5.2 does.
        XCTAssertEqual(expected.removeValue(forKey: "broken.tests.test_class_setup.ClassSetupTests.test_two"), .error)
        expected["setUpClass (broken.tests.test_class_setup.ClassSetupTests)"] = .error
      }
      var request = RunRequest()
      request.labels = labels
      request.parallel = .processes(2)
      let run = try TestRun.run(project: project, python: python, request: request)
      XCTAssertEqual(run.outcomes, expected, "Django \(version.rawValue)")
      let pids = Set(run.tally.reports.filter { $0.kind == .test }.map(\.pid))
      XCTAssertEqual(pids.count, 2, "tests were reported by both workers themselves")
      XCTAssertFalse(pids.contains(try runnerPID(run)), "never by the leader replaying them")
      guard case .suiteReady(let plan)? = run.events(named: "suite_ready").first?.event else {
        return XCTFail("no suite_ready")
      }
      XCTAssertEqual(plan.processes, 2)
    }
  }

  func testParallelWithSpawnWorkersReportsEveryTest() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    var request = RunRequest()
    request.command = try TestPaths.addSpawnManagePy(to: project)
    request.labels = ["verdicts", "broken"]
    request.parallel = .processes(2)
    let run = try TestRun.run(project: project, python: python, request: request)
    var serial = RunRequest()
    serial.labels = request.labels
    let reference = try TestRun.run(project: project, python: python, request: serial)
    XCTAssertEqual(run.outcomes, reference.outcomes)
    let workers = Set(run.tally.reports.filter { $0.kind == .test }.map(\.pid))
    XCTAssertFalse(workers.contains(0))
    XCTAssertFalse(workers.contains(try runnerPID(run)), "spawned workers reported their own tests")
  }

  /// Django 6.0+ runs parallel workers under multiprocessing's `forkserver` (Python
  /// 3.14's default on Linux): they are forked from a server started before Django set
  /// up, and must still stream their own results live, with Django's verdicts.
  func testParallelWithForkserverWorkersStreamEveryTestAsDjangoJudgesIt() throws {
    let python = try DjangoVersion.v61.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    // Two classes of three 0.5 s tests: the worker that starts first cannot take both
    // before the other is ready, so each worker has work to report.
    let labels = ["verdicts", "broken", "crashy.test_slow"]
    let slow = ["SLOW_SECONDS": "0.5"]
    var request = RunRequest()
    request.command = try TestPaths.addForkserverManagePy(to: project)
    request.labels = labels
    request.parallel = .processes(2)
    let run = try TestRun.run(project: project, python: python, request: request, environment: slow)
    let expected = try DjangoOracle.verdicts(
      project: project, python: python, script: "manage_forkserver.py", arguments: labels + ["--parallel", "2"],
      environment: slow)
    XCTAssertGreaterThan(expected.count, 15, "the oracle saw the suite")
    XCTAssertEqual(run.outcomes, expected, "as Django's own runner under forkserver")
    var serial = RunRequest()
    serial.labels = labels
    let reference = try TestRun.run(project: project, python: python, request: serial)
    XCTAssertEqual(run.outcomes, reference.outcomes, "as a serial run")

    let workers = Set(run.tally.reports.filter { $0.kind == .test }.map(\.pid))
    XCTAssertEqual(workers.count, 2, "both workers reported their own tests: \(workers)")
    XCTAssertFalse(workers.contains(0))
    XCTAssertFalse(workers.contains(try runnerPID(run)), "never the leader replaying them")
    guard case .suiteReady(let plan)? = run.events(named: "suite_ready").first?.event else {
      return XCTFail("no suite_ready")
    }
    XCTAssertEqual(plan.processes, 2)
    for className in ["SlowTests", "SlowTests2"] {
      let times = run.events.compactMap { event -> Double? in
        guard case .testFinished(let report) = event.event, report.id.contains(".\(className).") else { return nil }
        return event.t
      }
      XCTAssertEqual(times.count, 3)
      // Live, not replayed per class: the first result is in ≥ 0.8 s before the last.
      XCTAssertGreaterThan((times.max() ?? 0) - (times.min() ?? 0), 0.8, "\(className) arrived per class: \(times)")
    }
  }

  private func runnerPID(_ run: RecordedRun) throws -> Int32 {
    guard case .runnerStarted(let info)? = run.events(named: "runner_started").first?.event else {
      throw TestSetupError("no runner_started")
    }
    return try XCTUnwrap(info.pid)
  }

  func testReverseRunsInReverseAndFlipsTheOrderDependentVictim() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    var request = RunRequest()
    request.labels = ["order"]
    let forward = try TestRun.run(project: project, python: python, request: request)
    request.reverse = true
    let reverse = try TestRun.run(project: project, python: python, request: request)
    let victim = "order.test_a_victim.VictimTests.test_victim"
    XCTAssertEqual(forward.outcomes[victim], .pass)
    XCTAssertEqual(reverse.outcomes[victim], .fail)
    let started = { (run: RecordedRun) in
      run.events.compactMap { event -> String? in
        if case .testStarted(let id, _) = event.event { return id } else { return nil }
      }
    }
    XCTAssertEqual(started(reverse), started(forward).reversed())
  }

  func testEveryDjangoEntryPointIsHooked() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let venvBin = (python as NSString).deletingLastPathComponent
    let path = venvBin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    for command in ["python -m django test", "django-admin test", "python manage.py test"] {
      var request = RunRequest()
      request.command = command
      request.settings = "kitchen.settings"
      request.labels = ["verdicts"]
      request.failfast = true
      let run = try TestRun.run(
        project: project, python: python, request: request,
        environment: ["PATH": path, "PYTHONPATH": project])
      XCTAssertEqual(run.summary.exitCode, 1, command)
      XCTAssertEqual(run.events(named: "test_finished").count, 1, "\(command): --failfast stops at the first failure")
      XCTAssertEqual(run.events(named: "runner_started").count, 1, command)
    }
  }

  func testReusableAppRunsThroughItsOwnScriptWithFlagsAppliedInside() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/reusableapp")
    var request = RunRequest()
    request.command = "python runtests.py"
    request.reverse = true
    let run = try TestRun.run(project: project, python: python, request: request)
    XCTAssertEqual(run.summary.exitCode, 1)
    XCTAssertEqual(run.summary.counts[.pass], 3)
    XCTAssertEqual(run.summary.counts[.fail], 1)
    guard case .suiteReady(let plan)? = run.events(named: "suite_ready").first?.event else {
      return XCTFail("no suite_ready")
    }
    var forward = RunRequest()
    forward.command = "python runtests.py"
    let forwardRun = try TestRun.run(project: project, python: python, request: forward)
    guard case .suiteReady(let forwardPlan)? = forwardRun.events(named: "suite_ready").first?.event else {
      return XCTFail("no suite_ready")
    }
    XCTAssertEqual(plan.tests, forwardPlan.tests.reversed(), "--reverse reached a script that parses no flags")
  }
}
