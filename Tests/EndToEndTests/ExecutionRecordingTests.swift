import DjangoRunner
import TestSupport
import XCTest

/// With DJDASH_RECORD=1 the hook reports the project functions each test executed
/// (`executed`), from every process that runs tests: sys.monitoring on Python 3.12+
/// (Django 6.x here), unavailable on 3.11.
final class ExecutionRecordingTests: XCTestCase {
  private static let record = ["DJDASH_RECORD": "1"]

  func testParallelWorkersReportWhatEachTestExecuted() throws {
    let python = try DjangoVersion.v61.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    var request = RunRequest()
    request.labels = ["verdicts", "capture"]
    request.parallel = .processes(2)
    let run = try TestRun.run(project: project, python: python, request: request, environment: Self.record)
    XCTAssertEqual(recording(run), "sys.monitoring")

    let error = try XCTUnwrap(run.report("verdicts.tests.VerdictTests.test_error"))
    XCTAssertEqual(
      error.executed, ["verdicts/helpers.py": ["explode"], "verdicts/tests.py": ["VerdictTests.test_error"]])
    let fail = try XCTUnwrap(run.report("verdicts.tests.VerdictTests.test_fail"))
    XCTAssertEqual(fail.executed, ["verdicts/tests.py": ["VerdictTests.test_fail"]], "never called the helper")
    let router = try XCTUnwrap(run.report("capture.tests.SqlTests.test_queries_on_two_aliases"))
    XCTAssertEqual(router.executed["kitchen/routers.py"]?.contains("NoteRouter.db_for_read"), true)

    // Both workers record, and each one's first test carries what its process ran before.
    let tests = run.tally.reports.filter { $0.kind == .test }
    let pids = Set(tests.map(\.pid))
    XCTAssertEqual(pids.count, 2)
    for pid in pids {
      let own = tests.filter { $0.pid == pid }
      XCTAssertTrue(own.contains { !$0.executed.isEmpty }, "worker \(pid) recorded")
      XCTAssertTrue(own.contains { $0.setupExecuted["kitchen/settings.py"] == ["<module>"] }, "worker \(pid)'s setup")
    }
    for report in tests {
      XCTAssertFalse(
        report.executed.keys.contains { $0.hasPrefix("/") || $0.contains("site-packages") }, "\(report.executed)")
    }
  }

  func testUnavailableOnPython311AndAbsentWhenNotAskedFor() throws {
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    var request = RunRequest()
    request.labels = ["verdicts"]
    let asked = try TestRun.run(
      project: project, python: try DjangoVersion.v52.python(), request: request, environment: Self.record)
    XCTAssertEqual(recording(asked), "unavailable")
    XCTAssertTrue(asked.tally.reports.allSatisfy { $0.executed.isEmpty && $0.setupExecuted.isEmpty })

    let notAsked = try TestRun.run(project: project, python: try DjangoVersion.v61.python(), request: request)
    XCTAssertNil(recording(notAsked))
    XCTAssertTrue(notAsked.tally.reports.allSatisfy { $0.executed.isEmpty && $0.setupExecuted.isEmpty })
  }

  private func recording(_ run: RecordedRun) -> String? {
    guard case .runnerStarted(let info)? = run.events(named: "runner_started").first?.event else { return nil }
    return info.recording
  }
}
