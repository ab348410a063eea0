import DjangoRunner
import Foundation
import GRDB
import Synchronization
import TestSupport
import XCTest

@testable import RunHistory

final class HistoryStoreTests: XCTestCase {
  private var folder = ""

  override func setUpWithError() throws {
    folder = try TestPaths.temporaryFolder("djdash-history")
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  private var file: String { folder + "/.djdash/history.sqlite" }

  private func start(_ labels: [String] = []) -> TimedEvent {
    TimedEvent(
      t: 0,
      event: .runStarted(
        RunStart(
          labels: labels, command: ["python", "manage.py", "test"] + labels, directory: folder, python: "python",
          options: ["parallel": .number(2)])))
  }

  private func finished(_ id: String, _ outcome: TestOutcome, _ duration: Double = 0.1, t: Double = 1) -> TimedEvent {
    var report = TestReport(id: id, outcome: outcome, duration: duration, message: outcome == .fail ? "1 != 2" : "")
    if outcome == .fail { report.exception = "AssertionError" }
    return TimedEvent(t: t, event: .testFinished(report))
  }

  private func end(_ counts: [TestOutcome: Int], exitCode: Int32, interrupted: Interruption? = nil) -> TimedEvent {
    TimedEvent(
      t: 2, event: .runFinished(RunSummary(counts: counts, duration: 2, interrupted: interrupted, exitCode: exitCode)))
  }

  private func record(_ events: [TimedEvent], origin: RunRecord.Origin = .run, store: HistoryStore) {
    let recorder = HistoryRecorder(store: store, origin: origin, projectRoot: folder, reactor: nil)
    for event in events { recorder.record(event) }
    XCTAssertNil(recorder.problem)
  }

  func testTheLastStateIsInTheOrderTheResultsCameIn() throws {
    let store = try HistoryStore(projectRoot: folder)
    record(
      [
        start(), finished("t.A.a", .pass, t: 1), finished("t.A.b", .pass, t: 2), finished("t.A.c", .pass, t: 3),
        end([.pass: 3], exitCode: 0),
      ],
      store: store)
    // A later run meets them in another order; c is not in it.
    record(
      [
        start(), finished("t.A.b", .pass, t: 1), finished("t.A.a", .fail, t: 2),
        end([.pass: 1, .fail: 1], exitCode: 1),
      ],
      store: store)
    XCTAssertEqual(try store.lastState().map(\.id), ["t.A.c", "t.A.b", "t.A.a"])
  }

  func testRecordsRunsAndReadsBackTheLastState() throws {
    try "class T: pass\n".write(toFile: folder + "/tests.py", atomically: true, encoding: .utf8)
    let store = try HistoryStore(projectRoot: folder)
    XCTAssertEqual(store.notices, [])
    record(
      [
        start(), finished("tests.T.test_a", .pass), finished("tests.T.test_b", .fail, 2),
        end([.pass: 1, .fail: 1], exitCode: 1),
      ],
      store: store)
    record(
      [start(["tests.T.test_b"]), finished("tests.T.test_b", .pass, 3), end([.pass: 1], exitCode: 0)], store: store)

    let reopened = try HistoryStore(projectRoot: folder)
    let state = try reopened.lastState()
    XCTAssertEqual(state.map(\.id), ["tests.T.test_a", "tests.T.test_b"])
    XCTAssertEqual(state.map(\.outcome), [.pass, .pass])
    XCTAssertEqual(state[1].flips, 1, "failed then passed with the same file")
    XCTAssertTrue(state[1].isFlipping)

    let runs = try reopened.recentRuns()
    XCTAssertEqual(runs.map(\.ending), [.passed, .failed])
    XCTAssertEqual(runs[1].counts[.fail], 1)
    XCTAssertEqual(runs[1].command, ["python", "manage.py", "test"])
    XCTAssertEqual(runs[0].labels, ["tests.T.test_b"])

    let results = try reopened.results(of: "tests.T.test_b")
    XCTAssertEqual(results.map(\.outcome), [.pass, .fail])
    XCTAssertEqual(results[1].summary, "AssertionError: 1 != 2")
    XCTAssertNotNil(results[0].fingerprint)

    let slowest = try reopened.slowest(limit: 1)
    XCTAssertEqual(slowest, [SlowTest(id: "tests.T.test_b", durations: [2, 3])])
  }

  /// `--failfast --parallel`: results Django never counted (`tests_discarded`) are taken
  /// back, written or not, and the last state is what it was before the run.
  func testDiscardedResultsAreTakenBack() throws {
    try "class A: pass\n".write(toFile: folder + "/t.py", atomically: true, encoding: .utf8)
    let store = try HistoryStore(projectRoot: folder)
    record([start(), finished("t.A.a", .pass), finished("t.A.c", .pass), end([.pass: 2], exitCode: 0)], store: store)

    let recorder = HistoryRecorder(store: store, origin: .run, projectRoot: folder, reactor: nil)
    recorder.record(start())
    recorder.record(finished("t.A.a", .fail, t: 1))
    recorder.flush()  // written before Django's word comes
    recorder.record(finished("t.A.b", .pass, t: 1.1))  // still buffered
    recorder.record(finished("t.A.c", .fail, t: 1.2))
    recorder.record(
      TimedEvent(t: 1.5, event: .testsDiscarded(TestsDiscarded(tests: ["t.A.a", "t.A.b"], reason: "stopped"))))
    recorder.record(end([.fail: 1], exitCode: 1))
    XCTAssertNil(recorder.problem)

    let state = Dictionary(uniqueKeysWithValues: try store.lastState().map { ($0.id, $0) })
    XCTAssertEqual(state["t.A.a"]?.outcome, .pass, "the first run's verdict is back")
    XCTAssertEqual(state["t.A.a"]?.flips, 0, "a discarded failure is no flip")
    XCTAssertNil(state["t.A.b"], "never counted anywhere")
    XCTAssertEqual(state["t.A.c"]?.outcome, .fail)
    XCTAssertEqual(state["t.A.c"]?.flips, 1)
    XCTAssertEqual(try store.results(of: "t.A.a").map(\.outcome), [.pass])
    XCTAssertEqual(try store.results(of: "t.A.b"), [])
    XCTAssertEqual(try store.results(of: "t.A.c").map(\.outcome), [.fail, .pass])
  }

  func testAnEditedFileIsNotAFlip() throws {
    let module = folder + "/tests.py"
    try "class T: pass\n".write(toFile: module, atomically: true, encoding: .utf8)
    let store = try HistoryStore(projectRoot: folder)
    record([start(), finished("tests.T.test_b", .fail), end([.fail: 1], exitCode: 1)], store: store)
    try "class T:\n    pass\n".write(toFile: module, atomically: true, encoding: .utf8)
    record([start(), finished("tests.T.test_b", .pass), end([.pass: 1], exitCode: 0)], store: store)
    XCTAssertEqual(try store.lastState().first?.flips, 0)
  }

  func testAHuntsRunsDoNotMoveTheLastState() throws {
    let store = try HistoryStore(projectRoot: folder)
    record([start(), finished("tests.T.test_a", .pass), end([.pass: 1], exitCode: 0)], store: store)
    record([start(), finished("tests.T.test_a", .fail), end([.fail: 1], exitCode: 1)], origin: .hunt, store: store)
    XCTAssertEqual(try store.lastState().map(\.outcome), [.pass])
    XCTAssertEqual(try store.results(of: "tests.T.test_a").map(\.origin), [.hunt, .run])
    try store.record(findings: [
      .orderDependent(victim: "tests.T.test_a", polluter: "tests.P.test_p", failingOrder: .reverse)
    ])
    XCTAssertEqual(try store.findings(about: "tests.T.test_a").map(\.polluter), ["tests.P.test_p"])
    XCTAssertEqual(try store.findings(about: "tests.P.test_p").count, 1)
  }

  func testResultsAreCommittedInBatchesWhileTheRunGoes() throws {
    let store = try HistoryStore(projectRoot: folder)
    let recorder = HistoryRecorder(
      store: store, origin: .run, projectRoot: folder, reactor: nil, policy: FlushPolicy(interval: 60, batchSize: 2))
    recorder.record(start())
    recorder.record(finished("t.A.a", .pass))
    let reader = try HistoryStore(path: file)
    XCTAssertEqual(try reader.lastState().count, 0, "one result waits for its batch")
    recorder.record(finished("t.A.b", .pass))
    XCTAssertEqual(try reader.lastState().count, 2)
    XCTAssertEqual(try reader.recentRuns().first?.ending, .running)
  }

  func testARunLeftRunningByADeadDjdashIsMarkedInterrupted() throws {
    let store = try HistoryStore(projectRoot: folder)
    let recorder = HistoryRecorder(store: store, origin: .run, projectRoot: folder, reactor: nil)
    recorder.record(start())
    recorder.record(finished("t.A.a", .fail, t: 1.5))
    recorder.flush()
    // Pretend the run belonged to a process that is gone.
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/true")
    try child.run()
    child.waitUntilExit()
    try store.queue.write { try $0.execute(sql: "UPDATE run SET pid = ?", arguments: [child.processIdentifier]) }

    let reopened = try HistoryStore(projectRoot: folder)
    XCTAssertEqual(reopened.notices.count, 1)
    XCTAssertTrue(reopened.notices[0].contains("recorded as interrupted with its 1 result"), reopened.notices[0])
    let run = try XCTUnwrap(try reopened.recentRuns().first)
    XCTAssertEqual(run.ending, .interrupted)
    XCTAssertEqual(run.counts[.fail], 1)
    XCTAssertEqual(run.duration, 1.5)
    XCTAssertEqual(try reopened.lastState().map(\.id), ["t.A.a"])
  }

  func testTheFileIsTheOwnersOnly() throws {
    let store = try HistoryStore(projectRoot: folder)
    record([start(), finished("t.A.a", .pass), end([.pass: 1], exitCode: 0)], store: store)
    for path in [file, file + "-wal"] where FileManager.default.fileExists(atPath: path) {
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      XCTAssertEqual(mode, 0o600, path)
    }
    XCTAssertEqual(try String(contentsOfFile: folder + "/.djdash/.gitignore", encoding: .utf8).contains("*"), true)
  }

  /// The dashboard and `djdash history` can open a new file at the same moment: one of
  /// them migrates it, the other finds it migrated (neither sees "duplicate column").
  func testProcessesOpeningANewFileAtOnceDoNotMigrateItTwice() throws {
    for round in 0..<12 {
      let root = folder + "/p\(round)"
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      let problems = Mutex<[String]>([])
      DispatchQueue.concurrentPerform(iterations: 6) { _ in
        do {
          let store = try HistoryStore(projectRoot: root)
          if !store.notices.isEmpty { problems.withLock { $0 += store.notices } }
        } catch {
          problems.withLock { $0.append("\(error)") }
        }
      }
      XCTAssertEqual(problems.withLock { $0 }, [], "round \(round)")
    }
  }

  /// A version 1 file, made by hand as djdash 1 made it, opens with its runs and
  /// results, and gains the last state built from them.
  func testMigratesAVersionOneFile() throws {
    _ = DjdashFolder.ensure(projectRoot: folder)
    let old = try DatabaseQueue(path: file)
    var v1 = DatabaseMigrator()
    v1.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE run (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at REAL NOT NULL, origin TEXT NOT NULL,
            labels TEXT NOT NULL, command TEXT NOT NULL, options TEXT NOT NULL, pid INTEGER NOT NULL,
            ending TEXT NOT NULL DEFAULT 'running', exit_code INTEGER, duration REAL,
            passed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, errored INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0, xfailed INTEGER NOT NULL DEFAULT 0, xpassed INTEGER NOT NULL DEFAULT 0,
            problem TEXT);
          CREATE TABLE test (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL);
          CREATE TABLE result (run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            test INTEGER NOT NULL REFERENCES test(id), outcome TEXT NOT NULL, duration REAL NOT NULL,
            at REAL NOT NULL, summary TEXT, PRIMARY KEY (run_id, test)) WITHOUT ROWID;
          CREATE INDEX result_by_test ON result(test, run_id);
          INSERT INTO run (id, started_at, origin, labels, command, options, pid, ending, exit_code, failed)
            VALUES (1, 1700000000, 'run', '[]', '["python","manage.py","test"]', '{}', 1, 'failed', 1, 1),
                   (2, 1700000100, 'run', '["a"]', '["python","manage.py","test","a"]', '{}', 1, 'passed', 0, 0);
          INSERT INTO test VALUES (1, 'a.T.test_x', 'test'), (2, 'b.T.test_y', 'test');
          INSERT INTO result VALUES (1, 1, 'fail', 0.5, 0.5, 'AssertionError: no'),
                                    (1, 2, 'error', 0.2, 0.7, 'KeyError: k'),
                                    (2, 1, 'pass', 0.4, 0.4, NULL);
          """)
    }
    try v1.migrate(old)
    try old.close()

    let store = try HistoryStore(projectRoot: folder)
    XCTAssertEqual(store.notices, [])
    XCTAssertEqual(try store.recentRuns().map(\.id), [2, 1])
    let state = try store.lastState()
    XCTAssertEqual(state.map(\.id), ["b.T.test_y", "a.T.test_x"])
    XCTAssertEqual(state.map(\.outcome), [.error, .pass])
    XCTAssertEqual(state[0].summary, "KeyError: k")
    XCTAssertEqual(try store.queue.read { try HistorySchema.migrator.appliedMigrations($0) }, HistorySchema.versions)
  }

  func testACorruptFileIsMovedAside() throws {
    _ = DjdashFolder.ensure(projectRoot: folder)
    try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }).write(to: URL(fileURLWithPath: file))
    let store = try HistoryStore(projectRoot: folder)
    XCTAssertEqual(store.notices.count, 1)
    XCTAssertTrue(store.notices[0].contains("is not a readable SQLite database"), store.notices[0])
    XCTAssertEqual(try store.lastState(), [])
    XCTAssertEqual(try asideFiles(containing: ".corrupt-").count, 1)
  }

  func testANewerSchemaIsMovedAside() throws {
    let store = try HistoryStore(projectRoot: folder)
    try store.queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
    let reopened = try HistoryStore(projectRoot: folder)
    XCTAssertEqual(reopened.notices.count, 1)
    XCTAssertTrue(reopened.notices[0].contains("newer djdash"), reopened.notices[0])
    XCTAssertEqual(try asideFiles(containing: ".newer-").count, 1)
  }

  private func asideFiles(containing marker: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder + "/.djdash").filter {
      $0.contains(marker) && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
    }
  }
}
