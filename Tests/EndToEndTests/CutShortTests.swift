import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// Parallel runs that Django itself ends before every subsuite is done (the `cutshort`
/// fixture): djdash tells Django's story (what it counted, its exit code) and never
/// reports a test Django's pool was running as a lost process.
final class CutShortTests: XCTestCase {
  private static let failfastArguments = ["failfast", "--failfast", "--parallel", "2"]

  private func failfastRequest() -> RunRequest {
    var request = RunRequest()
    request.labels = ["failfast"]
    request.failfast = true
    request.parallel = .processes(2)
    return request
  }

  private func ids(_ run: RecordedRun, _ name: String) -> Set<String> {
    Set(
      run.events(named: name).flatMap { timed -> [String] in
        switch timed.event {
        case .testStarted(let id, _): return [id]
        case .testFinished(let report): return [report.id]
        case .testsDiscarded(let discarded): return discarded.tests
        default: return []
        }
      })
  }

  /// `--failfast --parallel 2`: Django replays the failure, stops, and terminates its
  /// pool; the workers' other tests (finished in batches it never replayed, or killed
  /// mid-test) did not run as far as Django is concerned.
  func testFailfastUnderParallelCountsWhatDjangoCounted() throws {
    for version in DjangoVersion.supported {
      let python = try version.python()
      let project = try TestPaths.copy(TestPaths.fixtures + "/cutshort")
      let django = try DjangoOracle.run(project: project, python: python, arguments: Self.failfastArguments)
      XCTAssertEqual(django.verdicts, ["failfast.tests.AFailTests.test_fail": .fail], django.output)
      XCTAssertEqual(django.ran, 1, django.output)

      let run = try TestRun.run(project: project, python: python, request: failfastRequest(), timeout: 90)
      XCTAssertEqual(run.outcomes, django.verdicts, version.rawValue)
      XCTAssertEqual(run.summary.total, django.ran, "djdash's counts are Django's \"Ran N tests\" (\(version))")
      XCTAssertEqual(run.summary.counts[.fail], 1, version.rawValue)
      XCTAssertEqual(run.summary.counts[.error], 0, "no test was lost (\(version))")
      XCTAssertEqual(run.summary.exitCode, django.status, version.rawValue)
      XCTAssertNil(run.summary.problem, "Django's own stop is no problem (\(version))")
      XCTAssertTrue(run.events(named: "process_lost").isEmpty, version.rawValue)
      XCTAssertTrue(run.events(named: "warning").isEmpty, "\(run.events(named: "warning")) (\(version))")

      // Every test a worker began or finished that Django did not count was discarded,
      // and the one a worker always has running when the pool goes is among them.
      let seen = ids(run, "test_started").union(ids(run, "test_finished"))
      let discarded = ids(run, "tests_discarded")
      XCTAssertEqual(discarded, seen.subtracting(django.verdicts.keys), version.rawValue)
      XCTAssertTrue(discarded.contains("failfast.tests.BSlowTests.test_b"), "\(discarded) (\(version))")
      XCTAssertLessThan(run.summary.duration, 25, "the 30 s tests were ended with the pool (\(version))")
    }
  }

  /// The same through the binary: the JUnit report and the closing line hold only what
  /// Django counted.
  func testFailfastUnderParallelJUnitReportHasNoLostTests() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/cutshort")
    let junit = project + "/junit.xml"
    let result = try Shell.djdash(
      ["run", "--python", python, "--no-history", "--junit-xml", junit] + Self.failfastArguments, in: project)
    XCTAssertEqual(result.status, 1, result.output)
    let xml = try String(contentsOfFile: junit, encoding: .utf8)
    XCTAssertTrue(
      xml.contains("<testsuites name=\"djdash\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\""), xml)
    XCTAssertFalse(xml.contains("ProcessLost"), xml)
    XCTAssertFalse(xml.contains("BSlowTests"), xml)
    XCTAssertTrue(result.stdout.contains("\n0 passed, 1 failed in "), result.stdout)
    XCTAssertFalse(result.output.contains("was lost"), result.output)
    XCTAssertTrue(result.stderr.contains("not run: failfast.tests.BSlowTests.test_b"), result.stderr)
  }

  /// Doctests that cannot be pickled under `--parallel`: Django's parent raises and the
  /// runner crashes. djdash shows the crash's own traceback, exits as Django does, and
  /// reports the test a worker was running then as not run, not as an error of its own.
  func testARunnerThatCrashesMidRunShowsItsErrorAndBlamesNoTest() throws {
    for version in DjangoVersion.supported {
      let python = try version.python()
      let project = try TestPaths.copy(TestPaths.fixtures + "/cutshort")
      var environment = ProcessInfo.processInfo.environment
      for key in ["DJDASH_SOCKET", "DJDASH_ROLE"] { environment[key] = nil }
      let django = try Shell.run(
        [python, "manage.py", "test", "--noinput", "doctests", "--parallel", "2"], in: project,
        environment: environment)
      let djangoLast = try XCTUnwrap(
        django.stderr.split(separator: "\n").last.map(String.init), "Django printed nothing (\(version))")
      XCTAssertEqual(djangoLast, "TypeError: cannot pickle 'module' object", django.output)
      XCTAssertNil(DjangoOracle.ranCount(in: django.output), "Django counts nothing when it crashes")

      var request = RunRequest()
      request.labels = ["doctests"]
      request.parallel = .processes(2)
      let run = try TestRun.run(project: project, python: python, request: request, timeout: 60)
      XCTAssertEqual(run.summary.exitCode, django.status, version.rawValue)
      XCTAssertEqual(run.summary.counts[.error], 0, "no test takes the blame (\(version))")
      XCTAssertTrue(run.events(named: "process_lost").isEmpty, version.rawValue)
      XCTAssertNil(run.report("doctests.tests.SlowTests.test_slow"), version.rawValue)
      let discarded = ids(run, "tests_discarded")
      let context = "\(version): \(run.events.map(\.event.name)) \(run.runnerOutput)"
      if [.v60, .v61].contains(version) {
        // Django 6 runs its pool in a `with` block, terminated the moment run() raises:
        // the worker may not have started test_slow yet (then there is nothing to discard).
        XCTAssertTrue(discarded.isEmpty || discarded == ["doctests.tests.SlowTests.test_slow"], context)
      } else {
        XCTAssertEqual(discarded, ["doctests.tests.SlowTests.test_slow"], context)
      }
      let error = try XCTUnwrap(run.summary.runnerError, version.rawValue)
      XCTAssertTrue(error.hasPrefix("Traceback (most recent call last):"), error)
      XCTAssertTrue(error.hasSuffix(djangoLast), error)
      XCTAssertFalse(error.contains("/djdash_hook/"), "the hook's own frames are left out: \(error)")
      XCTAssertTrue(run.summary.problem?.hasSuffix(djangoLast) == true, "\(run.summary.problem ?? "")")
    }
  }

  /// The headless summary prints the crash's traceback without `--show-output`.
  func testHeadlessRunPrintsTheCrashedRunnersTraceback() throws {
    let python = try DjangoVersion.v42.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/cutshort")
    let result = try Shell.djdash(
      ["run", "--python", python, "--no-history", "--parallel", "2", "doctests"], in: project)
    XCTAssertEqual(result.status, 1, result.output)
    XCTAssertTrue(result.stderr.contains("--- the runner's last error output ---\nTraceback"), result.stderr)
    XCTAssertTrue(result.stderr.contains("in _handle_tasks\n"), "the frames are there: \(result.stderr)")
    XCTAssertTrue(
      result.stderr.contains(
        "ended before finishing the run (exit status 1): TypeError: cannot pickle 'module' object"),
      result.stderr)
    XCTAssertFalse(result.output.contains("ERROR"), result.output)
    XCTAssertTrue(result.stdout.contains("\n1 passed, 0 failed in "), result.stdout)
  }
}
