import DjangoRunner
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// `djdash run --warm` and `djdash warm`, as a user runs them: the first warm run starts
/// the project's warm service in the background, later ones fork from it, and what it
/// cannot refresh replaces its runner.
final class WarmServiceTests: XCTestCase {
  private var project = ""
  private var python = ""

  override func setUpWithError() throws {
    python = try DjangoVersion.v52.python()
    project = try TestPaths.copy(TestPaths.demo)
  }

  override func tearDownWithError() throws {
    // Never leave a service behind.
    _ = try? Shell.djdash(["warm", "stop"], in: project)
  }

  private func run(_ arguments: [String]) throws -> Shell.Result {
    try Shell.djdash(["run", "--python", python] + arguments, in: project)
  }

  private func verdicts(_ output: String) -> [String] {
    output.split(separator: "\n").compactMap { line in
      let words = line.split(separator: " ", omittingEmptySubsequences: true)
      guard words.count == 3, ["PASS", "FAIL", "ERROR", "SKIP", "XFAIL", "XPASS"].contains(words[0]) else { return nil }
      return "\(words[0]) \(words[2])"
    }.sorted()
  }

  func testWarmRunsForkFromTheServiceAndGiveTheVerdictsOfCold() throws {
    let cold = try run(["catalog", "orders"])
    XCTAssertEqual(cold.status, 1, cold.output)  // the demo has failing tests
    let first = try run(["--warm", "catalog", "orders"])
    XCTAssertTrue(first.stderr.contains("starting the warm service for"), first.stderr)
    XCTAssertTrue(first.stderr.contains("running warm (a child of the warm service)"), first.stderr)
    XCTAssertEqual(first.status, cold.status, first.output)
    XCTAssertEqual(verdicts(first.stdout), verdicts(cold.stdout))
    XCTAssertGreaterThan(verdicts(cold.stdout).count, 20)

    let second = try run(["--warm", "catalog", "orders"])
    XCTAssertFalse(second.stderr.contains("starting the warm service"), second.stderr)
    XCTAssertTrue(second.stderr.contains("running warm"), second.stderr)
    XCTAssertEqual(verdicts(second.stdout), verdicts(cold.stdout))

    // A view changed: the child imports it afresh.
    let views = project + "/catalog/views.py"
    let text = try String(contentsOfFile: views, encoding: .utf8)
    try text.replacingOccurrences(of: "\"on_sale\": current < product.price", with: "\"on_sale\": False")
      .write(toFile: views, atomically: true, encoding: .utf8)
    let afterView = try run(["--warm", "catalog"])
    XCTAssertTrue(afterView.stderr.contains("running warm"), afterView.stderr)
    XCTAssertEqual(verdicts(afterView.stdout), verdicts(try run(["catalog"]).stdout))

    // A model changed: the service replaces its runner, and the run waits for it.
    let models = project + "/orders/models.py"
    try (try String(contentsOfFile: models, encoding: .utf8)).replacingOccurrences(
      of: "def summary(self", with: "def summary_(self"
    ).write(toFile: models, atomically: true, encoding: .utf8)
    let afterModel = try run(["--warm", "orders"])
    XCTAssertTrue(afterModel.stderr.contains("running warm"), afterModel.stderr)
    XCTAssertEqual(verdicts(afterModel.stdout), verdicts(try run(["orders"]).stdout))
    let log = try String(contentsOfFile: project + "/.djdash/warm.log", encoding: .utf8)
    XCTAssertTrue(log.contains("replacing the warm runner: orders/models.py was loaded at start-up"), log)

    let status = try Shell.djdash(["warm", "status"], in: project)
    XCTAssertEqual(status.status, 0, status.output)
    XCTAssertTrue(status.stdout.contains(", ready, 4 warm runs"), status.stdout)
    let stop = try Shell.djdash(["warm", "stop"], in: project)
    XCTAssertTrue(stop.stdout.contains("stopped the warm service"), stop.output)
    let gone = try Shell.djdash(["warm", "status"], in: project)
    XCTAssertEqual(gone.status, 1, gone.output)
    XCTAssertTrue(gone.stdout.contains("no warm service"), gone.stdout)
  }

  func testRunsItCannotServeGoColdAndOtherOptionsReplaceIt() throws {
    let first = try run(["--warm", "catalog.tests.test_pricing"])
    XCTAssertTrue(first.stderr.contains("running warm"), first.stderr)
    // Another shell: what differs between shells does not matter.
    let otherShell = try Shell.djdash(
      ["run", "--python", python, "--warm", "catalog.tests.test_pricing"], in: project,
      environment: ["TERM": "vt100", "SHLVL": "7", "OLDPWD": "/"])
    XCTAssertTrue(otherShell.stderr.contains("running warm"), otherShell.stderr)
    XCTAssertEqual(verdicts(otherShell.stdout), verdicts(first.stdout))
    let parallel = try run(["--warm", "--parallel", "2", "catalog.tests.test_pricing"])
    XCTAssertTrue(parallel.stderr.contains("running cold: parallel runs are never warm"), parallel.stderr)
    XCTAssertEqual(verdicts(parallel.stdout), verdicts(first.stdout))
    // Other options: a new service for them, and the run is warm in it.
    let filtered = try run(["--warm", "-k", "bulk", "catalog.tests.test_pricing"])
    XCTAssertTrue(filtered.stderr.contains("replacing the warm service"), filtered.stderr)
    XCTAssertTrue(filtered.stderr.contains("running warm"), filtered.stderr)
    XCTAssertFalse(verdicts(filtered.stdout).isEmpty, filtered.stdout)
    XCTAssertTrue(verdicts(filtered.stdout).allSatisfy { $0.contains("bulk") }, filtered.stdout)
  }

  /// Ctrl-C reaches the child the service forked: the running test finishes, no other
  /// starts, and the service serves the next run.
  func testCtrlCEndsAWarmRunAfterTheRunningTest() throws {
    let kitchen = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    defer { _ = try? Shell.djdash(["warm", "stop"], in: kitchen) }
    let environment = ["SLOW_SECONDS": "1"]
    let warmUp = try Shell.djdash(
      ["run", "--python", python, "--warm", "crashy.test_slow.SlowTests.test_one"], in: kitchen,
      environment: environment)
    XCTAssertTrue(warmUp.stderr.contains("running warm"), warmUp.stderr)
    let events = kitchen + "/events.jsonl"
    let ctrlC = CtrlCOnceATestStarts(events: events)
    let result = try Shell.djdash(
      ["run", "--python", python, "--warm", "crashy.test_slow", "--events", events], in: kitchen,
      environment: environment, whileRunning: ctrlC.press)
    XCTAssertTrue(ctrlC.hasPressed)
    XCTAssertEqual(result.status, 130, result.output)
    XCTAssertTrue(result.stderr.contains("running warm"), result.stderr)
    let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines.filter { $0.contains("\"event\":\"test_finished\"") }.count, 1, "\(lines)")
    XCTAssertTrue(lines.last?.contains("\"interrupted\":\"graceful\"") == true, String(lines.last ?? ""))
    let next = try Shell.djdash(
      ["run", "--python", python, "--warm", "crashy.test_slow.SlowTests.test_one"], in: kitchen,
      environment: environment)
    XCTAssertTrue(next.stderr.contains("running warm"), next.stderr)
    XCTAssertEqual(verdicts(next.stdout), verdicts(warmUp.stdout))
  }

  /// The socket's folder must be the user's only: one others can write to is not used.
  func testASocketFolderOthersCanEnterIsNotUsed() throws {
    let temporary = try TestPaths.temporaryFolder("djdash-tmpdir")
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    let folder = temporary + "/djdash-\(getuid())"
    XCTAssertEqual(mkdir(folder, 0o777), 0)
    chmod(folder, 0o777)
    let result = try Shell.djdash(
      ["run", "--python", python, "--warm", "catalog.tests.test_pricing"], in: project,
      environment: ["TMPDIR": temporary])
    XCTAssertTrue(result.stderr.contains("for the warm service is not this user's only"), result.stderr)
    XCTAssertTrue(result.stderr.contains("running /"), "it ran cold: \(result.stderr)")
    XCTAssertEqual(verdicts(result.stdout).count, 9, result.stdout)
  }

  /// A runner that cannot start (a broken setting) leaves the runs cold, with Django's
  /// error; the fix starts a new one, and the next run is warm.
  func testAFixedProjectGetsANewRunner() throws {
    let settings = project + "/shopsite/settings.py"
    let text = try String(contentsOfFile: settings, encoding: .utf8)
    try (text + "\nraise RuntimeError(\"half-saved settings\")\n").write(
      toFile: settings, atomically: true, encoding: .utf8)
    let broken = try run(["--warm", "catalog.tests.test_pricing"])
    XCTAssertTrue(broken.stderr.contains("running cold: the warm runner is unavailable"), broken.stderr)
    XCTAssertTrue(broken.output.contains("half-saved settings"), broken.output)
    try text.write(toFile: settings, atomically: true, encoding: .utf8)
    let fixed = try run(["--warm", "catalog.tests.test_pricing"])
    XCTAssertTrue(fixed.stderr.contains("running warm"), fixed.stderr)
    XCTAssertEqual(verdicts(fixed.stdout).count, 9, fixed.stdout)
  }

  func testAServiceLeftIdleEnds() throws {
    let first = try Shell.djdash(
      ["run", "--python", python, "--warm", "catalog.tests.test_pricing"], in: project,
      environment: ["DJDASH_WARM_IDLE_TIMEOUT": "1"])
    XCTAssertTrue(first.stderr.contains("running warm"), first.stderr)
    let end = Date().addingTimeInterval(20)
    var status = try Shell.djdash(["warm", "status"], in: project)
    while status.status == 0 && Date() < end {
      Thread.sleep(forTimeInterval: 0.5)
      status = try Shell.djdash(["warm", "status"], in: project)
    }
    XCTAssertEqual(status.status, 1, status.output)
    // The socket goes first; the log says why once the runner has destroyed its databases.
    var log = ""
    while Date() < end {
      log = (try? String(contentsOfFile: project + "/.djdash/warm.log", encoding: .utf8)) ?? ""
      if log.contains("ended (") { break }
      Thread.sleep(forTimeInterval: 0.1)
    }
    XCTAssertTrue(log.contains("ended (idle for 1 s)"), log)
  }
}
