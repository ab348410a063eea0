import DjangoRunner
import Foundation
import RunHistory
import TestSupport
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// The run history with real runs of the kitchen fixture: recorded as they stream,
/// read back by `djdash history`, `--failed`, `--failed-first`, a SIGKILL mid-run, and
/// the dashboard opened a second time.
final class HistoryTests: XCTestCase {
  private var binary: String { TestPaths.binary }

  func testRunsAreRecordedAndFailedRerunsWhatFailed() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let first = try Shell.djdash(["run", "verdicts", "--python", python], in: project)
    XCTAssertEqual(first.status, 1, first.output)

    let store = try HistoryStore(projectRoot: project)
    let runs = try store.recentRuns()
    XCTAssertEqual(runs.map(\.ending), [.failed])
    XCTAssertEqual(runs[0].labels, ["verdicts"])
    XCTAssertEqual(runs[0].total, 10)
    let state = try store.lastState()
    XCTAssertEqual(state.count, 10)
    let failed = state.filter(\.outcome.failsTheRun).map(\.id)
    XCTAssertEqual(failed.count, 5, "\(state)")
    XCTAssertEqual(
      state.first { $0.id == "verdicts.tests.VerdictTests.test_fail" }?.summary,
      "AssertionError: 1 != 2 : one is not two")
    let mode =
      try FileManager.default.attributesOfItem(atPath: HistoryStore.path(projectRoot: project))[
        .posixPermissions] as? Int
    XCTAssertEqual(mode, 0o600)

    // --failed: only those five, as labels.
    let again = try Shell.djdash(["run", "--failed", "--python", python], in: project)
    XCTAssertEqual(again.status, 1, again.output)
    XCTAssertTrue(again.stderr.contains("running the 5 tests that failed last time"), again.stderr)
    XCTAssertTrue(again.stdout.contains("\n0 passed, 4 failed, 1 unexpected success, 3 errors"), again.stdout)
    XCTAssertEqual(Set(try store.recentRuns().first?.labels ?? []), Set(failed))

    // --failed-first: the five, then the whole selection, in two runs.
    let both = try Shell.djdash(["run", "verdicts", "--failed-first", "--python", python], in: project)
    XCTAssertEqual(both.status, 1, both.output)
    XCTAssertEqual(both.stdout.components(separatedBy: " passed, ").count - 1, 2, both.stdout)
    let lastTwo = try store.recentRuns(limit: 2)
    XCTAssertEqual(lastTwo.map(\.total), [10, 5])

    // Nothing failed in this scope: --failed runs the whole selection and says so.
    let none = try Shell.djdash(
      ["run", "--failed", "verdicts.tests.PlainUnittestTests", "--python", python], in: project)
    XCTAssertEqual(none.status, 0, none.output)
    XCTAssertTrue(none.stderr.contains("no test failed last time in verdicts.tests.PlainUnittestTests"), none.stderr)

    let listing = try Shell.djdash(["history"], in: project)
    XCTAssertEqual(listing.status, 0, listing.output)
    XCTAssertTrue(listing.stdout.hasPrefix("recent runs, newest first:\n  #5  "), listing.stdout)
    XCTAssertEqual(listing.stdout.components(separatedBy: "  run  ").count - 1, 5, listing.stdout)
    let one = try Shell.djdash(["history", "verdicts.tests.VerdictTests.test_fail"], in: project)
    XCTAssertEqual(one.status, 0, one.output)
    XCTAssertTrue(one.stdout.contains("last verdict: fail"), one.stdout)
    XCTAssertEqual(
      one.stdout.components(separatedBy: "AssertionError: 1 != 2").count - 1, 1 + 4, "the last verdict, then four runs")
    let unknown = try Shell.djdash(["history", "nope.Tests.test_x"], in: project)
    XCTAssertEqual(unknown.status, 1, unknown.output)
  }

  func testSIGKILLMidRunKeepsTheStreamedResultsAndTheNextStartMarksTheRunInterrupted() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let historyFile = HistoryStore.path(projectRoot: project)
    var recordedBeforeKill = 0
    let killed = try Shell.djdash(
      ["run", "crashy.test_slow", "--python", python], in: project, environment: ["SLOW_SECONDS": "0.6"]
    ) { pid in
      guard recordedBeforeKill < 2, FileManager.default.fileExists(atPath: historyFile),
        let store = try? HistoryStore(path: historyFile), let count = try? store.lastState().count
      else { return }
      recordedBeforeKill = count
      if count >= 2 { kill(pid, SIGKILL) }
    }
    XCTAssertEqual(killed.status, 128 + SIGKILL, killed.output)
    let printed = killed.stdout.components(separatedBy: "PASS ").count - 1
    XCTAssertGreaterThanOrEqual(printed, 2, killed.stdout)

    // The next start: the run is recorded as interrupted, with what it streamed.
    let next = try Shell.djdash(["history"], in: project)
    XCTAssertTrue(next.stderr.contains("run 1 was cut short when djdash ended; recorded as interrupted"), next.stderr)
    XCTAssertTrue(next.stdout.contains("interrupted"), next.stdout)
    let store = try HistoryStore(projectRoot: project)
    let run = try XCTUnwrap(try store.recentRuns().first)
    XCTAssertEqual(run.ending, .interrupted)
    // At most the last half second is lost: every result printed a second before the kill is kept.
    XCTAssertGreaterThanOrEqual(run.total, max(2, printed - 1), "\(run) \(killed.stdout)")
    XCTAssertEqual(try store.lastState().count, run.total)
  }

  func testAHuntsRunsAndFindingsAreRecordedWithoutMovingTheLastState() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/polluters")
    let victim = "settingspoll.test_c_title.TitleTests.test_shop_name_is_original"
    let hunt = try Shell.djdash(["hunt", "settingspoll", "--python", python], in: project)
    XCTAssertEqual(hunt.status, 1, hunt.output)
    let store = try HistoryStore(projectRoot: project)
    let runs = try store.recentRuns(limit: 100)
    XCTAssertTrue(hunt.stdout.contains("in \(runs.count) runs"), "every run of the hunt is recorded: \(hunt.stdout)")
    XCTAssertEqual(Set(runs.map(\.origin)), [.hunt])
    XCTAssertEqual(try store.lastState(), [], "a hunt's orders do not make a last state")
    XCTAssertEqual(
      try store.findings(about: victim).map(\.polluter), ["settingspoll.test_b_rename.RenameTests.test_rename_shop"])
    let record = try Shell.djdash(["history", victim], in: project)
    XCTAssertEqual(record.status, 0, record.output)
    XCTAssertTrue(
      record.stdout.contains(": order-dependent: \(victim) fails after settingspoll.test_b_rename"), record.stdout)
  }

  func testTheDashboardOpensOnThePreviousVerdictsStaleAndFRunsTheFailedOnes() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "SLOW_SECONDS": "0"]
    do {
      let tmux = try TmuxSession(
        [binary, "verdicts", "--python", python], in: project, width: 120, height: 40, environment: env)
      defer { tmux.close() }
      try tmux.waitFor("10/10", "failed")
      try tmux.press("q")
      try tmux.waitFor("EXIT:0")
    }
    // Again, on other tests: the verdicts tests are shown from the history, stale.
    let tmux = try TmuxSession(
      [binary, "crashy.test_slow", "--python", python], in: project, width: 120, height: 40, environment: env)
    defer { tmux.close() }
    try tmux.waitFor("6/6", "passed", "10 stale", "test_fail", "test_xpass")
    try tmux.press("f")
    try tmux.waitFor("5/5", "failed")
    let screen = try tmux.screen()
    XCTAssertTrue(
      screen.contains("verdicts.tests.VerdictTests.test_error"), "the header names the failed tests:\n\(screen)")
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }
}
