import DjangoRunner
import FoundationXML
import TestSupport
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// The djdash binary as a user runs it: output, exit codes, report files, Ctrl-C.
final class CommandLineTests: XCTestCase {
  func testRunPrintsALinePerTestFailuresAndTheClosingLine() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let events = project + "/events.jsonl"
    let junit = project + "/report.xml"
    let result = try Shell.djdash(
      ["run", "verdicts", "--python", python, "--events", events, "--junit-xml", junit], in: project)
    XCTAssertEqual(result.status, 1, result.output)
    XCTAssertTrue(result.output.contains("PASS "), result.output)
    XCTAssertTrue(result.output.contains("verdicts.tests.VerdictTests.test_fail"))
    XCTAssertTrue(result.output.contains("FAIL: verdicts.tests.VerdictTests.test_fail\n"))
    XCTAssertTrue(result.output.contains("AssertionError: 1 != 2 : one is not two"))
    let lines = result.stdout.split(separator: "\n")
    let closing = try XCTUnwrap(lines.last)
    XCTAssertTrue(
      closing.hasPrefix(
        "3 passed, 4 failed, 1 skipped, 1 expected failure, 1 unexpected success, 3 errors (counted in failed) in "),
      String(closing))

    // The events file: one object per line, each with "event" and "t", framed by start and finish.
    let decoder = EventDecoder()
    let recorded = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map { line in
      try decoder.decodeTimed(line: Array(line.utf8)).get()
    }
    XCTAssertEqual(recorded.first?.event.name, "run_started")
    guard case .runFinished(let summary)? = recorded.last?.event else { return XCTFail("no run_finished") }
    XCTAssertEqual(summary.exitCode, 1)
    XCTAssertEqual(recorded.filter { $0.event.name == "test_finished" }.count, 10)
    for line in try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n") {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      XCTAssertNotNil(object?["event"] as? String)
      XCTAssertNotNil(object?["t"] as? Double)
    }

    // JUnit XML: well-formed, classname = module.Class, name = method.
    let document = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
    let cases = try document.nodes(forXPath: "//testcase")
    XCTAssertEqual(cases.count, 10)
    let failing = try document.nodes(forXPath: "//testcase[@name='test_fail']").first as? XMLElement
    XCTAssertEqual(failing?.attribute(forName: "classname")?.stringValue, "verdicts.tests.VerdictTests")
    XCTAssertEqual(try document.nodes(forXPath: "//testcase[@name='test_fail']/failure").count, 1)
    XCTAssertEqual(try document.nodes(forXPath: "//testcase[@name='test_error']/error").count, 1)
    XCTAssertEqual(try document.nodes(forXPath: "//testcase[@name='test_skip']/skipped").count, 1)
  }

  func testAllPassingExitsZero() throws {
    let python = try DjangoVersion.v42.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let result = try Shell.djdash(["run", "verdicts.tests.PlainUnittestTests", "--python", python], in: project)
    XCTAssertEqual(result.status, 0, result.output)
    XCTAssertTrue(result.stdout.hasPrefix("PASS "), result.stdout)
    XCTAssertTrue(result.stdout.hasSuffix("s\n"), "the closing line is the last line")
    XCTAssertTrue(result.stdout.contains("\n1 passed, 0 failed in "), result.stdout)
  }

  func testNoManagePyExitsTwoWithAdvice() throws {
    let folder = try TestPaths.temporaryFolder()
    let result = try Shell.djdash(["run"], in: folder)
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.output.contains("no manage.py"), result.output)
    XCTAssertTrue(result.output.contains("--command"), result.output)
  }

  func testDjangoNotImportableExitsTwoAndSaysWhy() throws {
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let venv = try TestPaths.temporaryFolder("djdash-empty-venv")
    let made = try Shell.run(["python3", "-m", "venv", "--without-pip", venv])
    XCTAssertEqual(made.status, 0, made.output)
    let result = try Shell.djdash(["run", "--python", venv + "/bin/python"], in: project)
    XCTAssertEqual(result.status, 2, result.output)
    XCTAssertTrue(result.output.contains("did not start"), result.output)
    XCTAssertTrue(
      result.output.contains("No module named 'django'") || result.output.contains("Couldn't import Django"),
      result.output)
  }

  func testACommandThatDoesNotExistExitsTwo() throws {
    let folder = try TestPaths.temporaryFolder()
    let result = try Shell.djdash(["run", "--command", "no-such-test-program test"], in: folder)
    XCTAssertEqual(result.status, 2, result.output)
    XCTAssertTrue(result.output.contains("command not found: no-such-test-program"), result.output)
  }

  func testBadFlagsExitTwo() throws {
    let folder = try TestPaths.temporaryFolder()
    XCTAssertEqual(try Shell.djdash(["run", "--parallel", "zero"], in: folder).status, 2)
    XCTAssertEqual(try Shell.djdash(["run", "--no-such-flag"], in: folder).status, 2)
    XCTAssertEqual(try Shell.djdash(["--help"], in: folder).status, 0)
  }

  func testArgumentsAfterDoubleDashReachTheCommandUntouched() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let events = project + "/events.jsonl"
    let result = try Shell.djdash(
      ["run", "verdicts.tests.PlainUnittestTests", "--python", python, "--events", events, "--", "--timing"],
      in: project)
    XCTAssertEqual(result.status, 0, result.output)
    let text = try String(contentsOfFile: events, encoding: .utf8)
    XCTAssertTrue(text.contains("\"--timing\""), "the command line carries it")
    XCTAssertTrue(text.contains("Total run took"), "Django's --timing ran")
  }

  func testKillingDjdashTakesTheRunnerAndItsWorkersAlong() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let events = project + "/events.jsonl"
    var runner: Int32?
    var killedAt: Date?
    _ = try Shell.djdash(
      ["run", "crashy.test_slow_db", "--parallel", "2", "--python", python, "--events", events], in: project,
      environment: ["SLOW_SECONDS": "5"]
    ) { djdashPID in
      guard killedAt == nil, let text = try? String(contentsOfFile: events, encoding: .utf8),
        text.components(separatedBy: "\"test_started\"").count > 2,
        let line = text.split(separator: "\n").first(where: { $0.contains("\"runner_started\"") }),
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let runnerPID = object["pid"] as? Int
      else { return }
      runner = Int32(runnerPID)
      killedAt = Date()
      kill(djdashPID, SIGKILL)
    }
    let group = try XCTUnwrap(runner, "both workers started a test before djdash was killed")
    var gone: TimeInterval?
    while Date().timeIntervalSince(try XCTUnwrap(killedAt)) < 10 {
      if RunnerProcess.groupMembers(group).isEmpty {
        gone = Date().timeIntervalSince(try XCTUnwrap(killedAt))
        break
      }
      usleep(10_000)
    }
    let seconds = try XCTUnwrap(gone, "processes of the run outlived djdash")
    XCTAssertLessThan(seconds, 3, "the runner noticed its channel closing (goal ≤ 1 s; measured \(seconds) s)")
  }

  func testFirstCtrlCFinishesTheRunningTestAndExits130() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let events = project + "/events.jsonl"
    let ctrlC = CtrlCOnceATestStarts(events: events)
    let result = try Shell.djdash(
      ["run", "crashy.test_slow", "--python", python, "--events", events], in: project,
      environment: ["SLOW_SECONDS": "1"], whileRunning: ctrlC.press)
    XCTAssertTrue(ctrlC.hasPressed)
    XCTAssertEqual(result.status, 130, result.output)
    let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
    let finished = lines.filter { $0.contains("\"event\":\"test_finished\"") }
    XCTAssertEqual(finished.count, 1, "the running test finished and no other started")
    XCTAssertTrue(finished.first?.contains("\"outcome\":\"pass\"") == true)
    XCTAssertTrue(lines.contains { $0.contains("\"event\":\"databases_destroyed\"") })
    XCTAssertTrue(lines.last?.contains("\"interrupted\":\"graceful\"") == true, String(lines.last ?? ""))
  }
}
