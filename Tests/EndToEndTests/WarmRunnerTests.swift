import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// Warm runs on real Django projects: forked from a server with Django and the test
/// databases ready, they must give exactly the verdicts of cold runs, edit after edit.
final class WarmRunnerTests: XCTestCase {
  private func plan(
    _ project: String, python: String, labels: [String] = [], settings: String? = nil, keepdb: Bool = false,
    environment extra: [String: String] = [:]
  ) throws -> RunPlan {
    var request = RunRequest()
    request.python = python
    request.labels = labels
    request.settings = settings
    request.keepdb = keepdb
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    environment["DJDASH_HOOK_DIR"] = TestPaths.hook
    return try Project.locate(from: project, command: nil).plan(
      for: request, directory: project, environment: environment)
  }

  private func drive(_ reactor: Reactor, timeout: Double = 60, until done: () -> Bool) {
    let deadline = reactor.clock.now() + timeout
    while !done() && reactor.clock.now() < deadline { reactor.runOnce(timeout: 0.05) }
  }

  /// One warm run of `labels`; its events. With `busyFor`, djdash serves nothing for that
  /// many seconds after asking for the child, as if it were busy elsewhere.
  private func warmRun(_ warm: WarmRunner, _ plan: RunPlan, reactor: Reactor, busyFor: Double = 0) -> [TimedEvent] {
    var events: [TimedEvent] = []
    let session = RunSession(plan: plan, reactor: reactor) { events.append($0) }
    session.start(in: warm)
    if busyFor > 0 { Thread.sleep(forTimeInterval: busyFor) }
    drive(reactor) { session.isFinished }
    return events
  }

  private func verdicts(_ events: [TimedEvent]) -> [String: TestOutcome] {
    var result: [String: TestOutcome] = [:]
    for timed in events { if case .testFinished(let report) = timed.event { result[report.id] = report.outcome } }
    return result
  }

  func testWarmRunsGiveTheVerdictsOfColdRunsOnEveryDjangoVersion() throws {
    for version in DjangoVersion.local {
      try assertWarmGivesTheVerdictsOfCold(python: try version.python())
    }
  }

  private func assertWarmGivesTheVerdictsOfCold(python: String) throws {
    let project = try TestPaths.copy(TestPaths.demo)
    let reactor = Reactor()
    let warm = WarmRunner(plan: try plan(project, python: python), reactor: reactor)
    drive(reactor) { warm.state != .starting }
    guard case .ready(let loaded) = warm.state else { return XCTFail("not ready: \(warm.state)") }
    XCTAssertTrue(loaded.contains("catalog/models.py"), "\(loaded.sorted())")
    XCTAssertFalse(loaded.contains("catalog/views.py"), "\(loaded.sorted())")

    let all = try plan(project, python: python)
    XCTAssertTrue(warm.canRun(all))
    let events = warmRun(warm, all, reactor: reactor)
    guard case .runStarted(let start)? = events.first?.event else { return XCTFail("no run_started") }
    XCTAssertEqual(start.isWarm, true)
    XCTAssertEqual(events.last?.event.name, "run_finished")
    let cold = try TestRun.run(project: project, python: python)
    XCTAssertEqual(verdicts(events), cold.outcomes)
    XCTAssertEqual(verdicts(events).count, 54)
    guard case .runFinished(let summary)? = events.last?.event else { return XCTFail() }
    XCTAssertEqual(summary.exitCode, cold.summary.exitCode)
    stop(warm, reactor)
  }

  /// Stops `warm` and serves the reactor until it has ended (its databases gone).
  private func stop(_ warm: WarmRunner, _ reactor: Reactor) {
    warm.stop()
    drive(reactor, timeout: 10) { warm.hasExited }
  }

  /// A warm server for `plan`, ready; fails the test if it does not get there.
  private func readyServer(_ plan: RunPlan, reactor: Reactor) throws -> WarmRunner {
    let warm = WarmRunner(plan: plan, reactor: reactor)
    drive(reactor) { warm.state != .starting }
    guard case .ready = warm.state else { throw TestSetupError("the warm runner is not ready: \(warm.state)") }
    return warm
  }

  func testAnEditOfEveryKindGivesWarmTheVerdictsOfColdOnSQLiteInMemory() throws {
    try assertEditsOfEveryKindGiveWarmTheVerdictsOfCold(project: try TestPaths.copy(TestPaths.demo))
  }

  func testAnEditOfEveryKindGivesWarmTheVerdictsOfColdOnASQLiteFileWithKeepdb() throws {
    let project = try TestPaths.copy(TestPaths.demo)
    try """
    from .settings import *  # noqa: F401,F403

    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_cornershop.sqlite3")}
    """.write(toFile: project + "/shopsite/settings_file.py", atomically: true, encoding: .utf8)
    try assertEditsOfEveryKindGiveWarmTheVerdictsOfCold(
      project: project, settings: "shopsite.settings_file", keepdb: true)
    XCTAssertTrue(FileManager.default.fileExists(atPath: project + "/test_cornershop.sqlite3"), "kept by cold runs")
  }

  func testAnEditOfEveryKindGivesWarmTheVerdictsOfColdOnPostgreSQL() throws {
    let server = try PostgresServer.shared()
    let project = try TestPaths.copy(TestPaths.demo)
    try """
    import os

    from .settings import *  # noqa: F401,F403

    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("DJDASH_PG_HOST", ""),
            "PORT": os.environ.get("DJDASH_PG_PORT", "5432"),
            "USER": os.environ.get("DJDASH_PG_USER", "postgres"),
            "NAME": "cornershop_warm_edits",
        }
    }
    """.write(toFile: project + "/shopsite/settings_pg.py", atomically: true, encoding: .utf8)
    try assertEditsOfEveryKindGiveWarmTheVerdictsOfCold(
      project: project, settings: "shopsite.settings_pg", environment: server.environment)
    let left = try server.databases().filter { $0.contains("cornershop_warm_edits") }
    XCTAssertEqual(left, [], "the warm servers, their clones and the cold runs drop their databases")
  }

  /// The demo, edited file after file; after each edit a warm run (from a new server when
  /// the edit makes the old one stale) and a cold run of the same tests agree.
  private func assertEditsOfEveryKindGiveWarmTheVerdictsOfCold(
    project: String, settings: String? = nil, keepdb: Bool = false, environment: [String: String] = [:]
  ) throws {
    let python = try DjangoVersion.v52.python()
    let reactor = Reactor()
    let base = try plan(project, python: python, settings: settings, keepdb: keepdb, environment: environment)
    var coldRequest = RunRequest()
    coldRequest.settings = settings
    coldRequest.keepdb = keepdb
    var warm = try readyServer(base, reactor: reactor)
    func edit(_ file: String, _ old: String, _ new: String) throws {
      let path = project + "/" + file
      let text = try String(contentsOfFile: path, encoding: .utf8)
      XCTAssertTrue(text.contains(old), "\(file) has no \(old)")
      try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }
    // (file, edit, whether the warm server survives it)
    let edits: [(String, () throws -> Void, Bool)] = [
      ("catalog/tests/test_pricing.py", { try edit("catalog/tests/test_pricing.py", "\"12.50\"", "\"12.51\"") }, true),
      (
        "catalog/views.py",
        { try edit("catalog/views.py", "\"on_sale\": current < product.price", "\"on_sale\": False") }, true
      ),
      (
        "catalog/templates/catalog/product_detail.html",
        { try edit("catalog/templates/catalog/product_detail.html", "{{ product.name }}", "{{ product.slug }}") }, true
      ),
      ("catalog/pricing.py", { try edit("catalog/pricing.py", "def format_price(", "def format_price_(") }, false),
      ("orders/models.py", { try edit("orders/models.py", "def summary(self", "def summary_(self") }, false),
      (
        "shopsite/settings.py",
        { try edit("shopsite/settings.py", "SHOP_NAME = \"Corner Shop\"", "SHOP_NAME = \"Other Shop\"") }, false
      ),
      (
        "catalog/migrations/0002_extra.py",
        {
          try """
          from django.db import migrations


          class Migration(migrations.Migration):
              dependencies = [("catalog", "0001_initial")]
              operations = [migrations.RunSQL("CREATE TABLE catalog_extra (x integer)", migrations.RunSQL.noop)]
          """.write(toFile: project + "/catalog/migrations/0002_extra.py", atomically: true, encoding: .utf8)
        }, false
      ),
    ]
    for (file, apply, survives) in edits {
      try apply()
      let reason = warm.staleness(afterChanging: [file])
      XCTAssertEqual(reason == nil, survives, "\(file): \(reason ?? "not stale")")
      if reason != nil {
        warm.stop()
        warm = try readyServer(base, reactor: reactor)
      }
      let warmEvents = warmRun(warm, base, reactor: reactor)
      let cold = try TestRun.run(
        project: project, python: python, request: coldRequest, environment: environment)
      XCTAssertEqual(verdicts(warmEvents), cold.outcomes, "after editing \(file)")
      XCTAssertEqual(verdicts(warmEvents).count, cold.outcomes.count, "after editing \(file)")
      XCTAssertGreaterThan(cold.outcomes.count, 40, "after editing \(file)")
    }
    stop(warm, reactor)
  }

  /// djdash busy elsewhere while a warm child runs to its end: the server's word that the
  /// child ended and the child's last lines are read in the same turn, in no set order.
  /// The last test is still a result, never a process lost in the middle of it.
  func testAChildThatEndsWhileDjdashIsBusyKeepsItsLastResults() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let reactor = Reactor()
    let labelled = try plan(project, python: python, labels: ["catalog.tests.test_pricing"])
    let warm = try readyServer(try plan(project, python: python), reactor: reactor)
    defer { stop(warm, reactor) }
    for round in 1...6 {
      let events = warmRun(warm, labelled, reactor: reactor, busyFor: 1.5)
      let lost = events.filter { if case .processLost = $0.event { true } else { false } }
      XCTAssertEqual(lost.count, 0, "round \(round): \(lost)")
      XCTAssertEqual(verdicts(events).count, 9, "round \(round)")
    }
  }

  /// The server compiles the project's modules while it waits; a child takes the code of
  /// an unchanged file from it, and reads a changed one again, even one of the same size.
  func testACompiledModuleEditedToTheSameSizeIsReadAgain() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let reactor = Reactor()
    let base = try plan(project, python: python, labels: ["catalog.tests.test_pricing"])
    let warm = try readyServer(try plan(project, python: python), reactor: reactor)
    defer { stop(warm, reactor) }
    let before = verdicts(warmRun(warm, base, reactor: reactor))
    // Long enough for the demo's few dozen modules to be compiled.
    let settled = reactor.clock.now() + 2
    drive(reactor, timeout: 3) { reactor.clock.now() > settled }
    let path = project + "/catalog/tests/test_pricing.py"
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let edited = text.replacingOccurrences(of: "\"12.50\"", with: "\"12.51\"")
    XCTAssertNotEqual(edited, text)
    XCTAssertEqual(edited.utf8.count, text.utf8.count)
    try edited.write(toFile: path, atomically: false, encoding: .utf8)
    let after = verdicts(warmRun(warm, base, reactor: reactor))
    var request = RunRequest()
    request.labels = ["catalog.tests.test_pricing"]
    let cold = try TestRun.run(project: project, python: python, request: request)
    XCTAssertEqual(after, cold.outcomes)
    XCTAssertNotEqual(after, before, "the edit changes a verdict")
  }

  /// A test module saved with a syntax error: a warm child imports it through the
  /// server's code cache, and its load error reads as a cold run's, without that frame.
  func testASyntaxErrorInAWarmRunIsALoadErrorWithoutTheHooksFrames() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let reactor = Reactor()
    let warm = try readyServer(try plan(project, python: python), reactor: reactor)
    defer { stop(warm, reactor) }
    try "def broken(:\n".write(toFile: project + "/catalog/tests/test_broken.py", atomically: true, encoding: .utf8)
    let events = warmRun(warm, try plan(project, python: python, labels: ["catalog"]), reactor: reactor)
    let reports = events.compactMap { if case .testFinished(let report) = $0.event { report } else { nil } }
    let loadError = try XCTUnwrap(reports.first { $0.kind == .loadError }, "\(events.map(\.event.name))")
    XCTAssertTrue(loadError.tracebackText.contains("SyntaxError"), loadError.tracebackText)
    XCTAssertTrue(loadError.tracebackText.contains("test_broken.py"), loadError.tracebackText)
    XCTAssertFalse(loadError.tracebackText.contains("/djdash_hook/"), loadError.tracebackText)
    XCTAssertFalse(loadError.message.contains("/djdash_hook/"), loadError.message)
  }

  /// A TransactionTestCase that fails if a run before it left a table behind (DDL is not
  /// flushed), and leaves one: twice warm, it passes only if each run starts afresh.
  private func assertEachWarmRunStartsFromTheDatabasesAsMade(
    settings: String, environment: [String: String] = [:]
  ) throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    try """
    from django.db import connection
    from django.test import TransactionTestCase


    class WarmStateTests(TransactionTestCase):
        def test_starts_from_the_databases_as_made(self):
            self.assertNotIn("djdash_leftover", connection.introspection.table_names())
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE djdash_leftover (x integer)")
    """.write(toFile: project + "/capture/test_warm_state.py", atomically: true, encoding: .utf8)
    var base = try plan(project, python: python, settings: settings)
    base.environment.merge(environment) { $1 }
    var wanted = try plan(
      project, python: python,
      labels: ["capture.test_warm_state", "capture.tests.SqlTests.test_queries_on_two_aliases"], settings: settings)
    wanted.environment.merge(environment) { $1 }
    let reactor = Reactor()
    let warm = try readyServer(base, reactor: reactor)
    XCTAssertTrue(warm.canRun(wanted))
    for round in 1...2 {
      let events = warmRun(warm, wanted, reactor: reactor)
      let outcomes = verdicts(events)
      XCTAssertEqual(outcomes.count, 2, "round \(round): \(events.map(\.event.name))")
      XCTAssertTrue(outcomes.values.allSatisfy { $0 == .pass }, "round \(round) (\(settings)): \(outcomes)")
    }
    stop(warm, reactor)
  }

  func testEachWarmRunStartsAfreshOnSQLiteInMemory() throws {
    try assertEachWarmRunStartsFromTheDatabasesAsMade(settings: "kitchen.settings")
  }

  func testEachWarmRunStartsAfreshOnSQLiteFiles() throws {
    try assertEachWarmRunStartsFromTheDatabasesAsMade(settings: "kitchen.settings_sqlite_file")
  }

  func testEachWarmRunStartsAfreshOnPostgreSQL() throws {
    let server = try PostgresServer.shared()
    try assertEachWarmRunStartsFromTheDatabasesAsMade(settings: "kitchen.settings_pg", environment: server.environment)
    let left = try server.databases().filter { $0.hasPrefix("test_") }
    XCTAssertEqual(left, [], "the warm server and its clones drop their databases")
  }
}
