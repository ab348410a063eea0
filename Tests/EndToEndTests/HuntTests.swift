import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// `djdash hunt` on real projects with known polluters of different kinds
/// (Tests/Fixtures/polluters, see POLLUTERS.md): the right polluter, within budget.
final class HuntTests: XCTestCase {
  private func hunt(_ app: String, version: DjangoVersion = .v52, environment extra: [String: String] = [:]) throws
    -> (findings: [FlakeHunter.Finding], runs: Int, started: Int)
  {
    let project = try TestPaths.copy(TestPaths.fixtures + "/polluters")
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    environment["DJDASH_HOOK_DIR"] = TestPaths.hook
    var request = RunRequest()
    request.labels = [app]
    request.python = try version.python()
    var started = 0
    let runner = HuntRunner(
      project: try Project.locate(from: project, command: nil), request: request, shuffleSeeds: [],
      directory: project, environment: environment, reactor: Reactor()
    ) { _, timed in
      if case .runStarted = timed.event { started += 1 }
    }
    let findings = try runner.run()
    return (findings, runner.hunter.runsMade, started)
  }

  private func assertPolluter(
    _ app: String, victim: String, polluter: String, order: FlakeHunter.Order, version: DjangoVersion = .v52,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let result = try hunt(app, version: version)
    XCTAssertEqual(
      result.findings, [.orderDependent(victim: victim, polluter: polluter, failingOrder: order)],
      "Django \(version.rawValue)", file: file, line: line)
    XCTAssertEqual(result.started, result.runs, "every run of the hunt is a run with its own run_started")
    XCTAssertLessThanOrEqual(
      result.runs - 2, FlakeHunter.budget(candidates: 12), "within ⌈log₂ N⌉ + 3 runs", file: file, line: line)
  }

  func testModuleLevelStateFailingOnlyForward() throws {
    for version in DjangoVersion.local {
      try assertPolluter(
        "modstate", victim: "modstate.test_c_lookup.LookupTests.test_registry_is_empty",
        polluter: "modstate.test_b_register.RegisterTests.test_register_csv_exporter", order: .forward,
        version: version)
    }
  }

  func testTheCacheDjangoDoesNotClearFailingOnlyInReverse() throws {
    try assertPolluter(
      "cachepoll", victim: "cachepoll.test_a_banner.BannerTests.test_banner_not_cached",
      polluter: "cachepoll.test_c_warmup.WarmupTests.test_warm_banner", order: .reverse)
  }

  func testATransactionTestCaseLeavingRows() throws {
    try assertPolluter(
      "txrows", victim: "txrows.test_a_ledger_empty.LedgerEmptyTests.test_ledger_starts_empty",
      polluter: "txrows.test_c_import.ImportTests.test_import_creates_ledger_entries", order: .reverse)
  }

  func testASettingChangedWithoutOverrideSettings() throws {
    try assertPolluter(
      "settingspoll", victim: "settingspoll.test_c_title.TitleTests.test_shop_name_is_original",
      polluter: "settingspoll.test_b_rename.RenameTests.test_rename_shop", order: .forward)
  }

  func testWithTwoPollutersARealOneIsNamed() throws {
    let result = try hunt("twopolluters")
    guard case .orderDependent(let victim, let polluter, _)? = result.findings.first, result.findings.count == 1 else {
      return XCTFail("\(result.findings)")
    }
    XCTAssertEqual(victim, "twopolluters.test_d_report.ReportTests.test_report_clean_state")
    XCTAssertTrue(
      polluter.hasPrefix("twopolluters.test_a_import.") || polluter.hasPrefix("twopolluters.test_c_sync."), polluter)
  }

  func testAPolluterThatNeedsAPartnerIsExplainedNotMisnamed() throws {
    let result = try hunt("partner")
    guard case .unexplained(let victim, let reason)? = result.findings.first, result.findings.count == 1 else {
      return XCTFail("\(result.findings)")
    }
    XCTAssertEqual(victim, "partner.test_d_check.CheckTests.test_not_both")
    XCTAssertTrue(reason.contains("partner"), reason)
  }

  func testATestFlakyInItselfIsNotCalledOrderDependent() throws {
    let state = try TestPaths.temporaryFolder("djdash-flaky") + "/state"
    let result = try hunt("flaky", environment: ["FLAKY_STATE_FILE": state])
    XCTAssertEqual(result.findings.count, 1)
    guard case .flaky(let victim, let failures, let runs)? = result.findings.first else {
      return XCTFail("\(result.findings)")
    }
    XCTAssertEqual(victim, "flaky.tests.FlakyTests.test_flips_every_other_run")
    XCTAssertEqual(runs, FlakeHunter.runsAlone)
    XCTAssertGreaterThan(failures, 0)
  }

  func testTheCommandPrintsFindingsReproductionsAndRecordsEveryRun() throws {
    let project = try TestPaths.copy(TestPaths.fixtures + "/polluters")
    let events = project + "/hunt.jsonl"
    let binary =
      ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
      .components(separatedBy: "/").dropLast().joined(separator: "/") + "/djdash"
    let result = try Shell.run(
      [binary, "hunt", "settingspoll", "--python", try DjangoVersion.v52.python(), "--events", events], in: project)
    XCTAssertEqual(result.status, 1, result.output)
    XCTAssertTrue(
      result.stdout.contains(
        "order-dependent: settingspoll.test_c_title.TitleTests.test_shop_name_is_original fails after polluter settingspoll.test_b_rename.RenameTests.test_rename_shop"
      ), result.stdout)
    XCTAssertTrue(result.stdout.contains("reproduce with Django:  python manage.py test settingspoll\n"), result.stdout)
    XCTAssertTrue(
      result.stdout.contains(
        "djdash run --exact-order settingspoll.test_b_rename.RenameTests.test_rename_shop settingspoll.test_c_title.TitleTests.test_shop_name_is_original"
      ))
    let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
    let runs = lines.filter { $0.contains("\"event\":\"run_started\"") }.count
    XCTAssertEqual(runs, lines.filter { $0.contains("\"event\":\"run_finished\"") }.count)
    XCTAssertTrue(result.stdout.contains("in \(runs) runs"), "the events file holds every run of the hunt")

    // The pair, replayed as the hunt says, fails; the victim alone passes.
    let pair = try Shell.run(
      [
        binary, "run", "--exact-order", "settingspoll.test_b_rename.RenameTests.test_rename_shop",
        "settingspoll.test_c_title.TitleTests.test_shop_name_is_original", "--python", try DjangoVersion.v52.python(),
      ], in: project)
    XCTAssertEqual(pair.status, 1, pair.output)
  }
}
