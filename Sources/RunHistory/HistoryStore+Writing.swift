import DjangoRunner
import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif

/// One test's verdict waiting in the recorder's buffer.
struct PendingResult: Sendable {
  var runID: Int64
  var testID: String
  var kind: TestKind
  var outcome: TestOutcome
  var duration: Double
  /// Seconds since the run started.
  var at: Double
  var summary: String?
  var fingerprint: String?
  /// The test's flip count after this result (written to the last state).
  var flips: Int
}

extension HistoryStore {
  /// Records the start of a run; returns its id.
  func beginRun(_ start: RunStart, origin: RunRecord.Origin, at date: Date) throws -> Int64 {
    try queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO run (started_at, origin, labels, command, options, pid)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          date.timeIntervalSince1970, origin.rawValue, JSONText.encode(start.labels), JSONText.encode(start.command),
          JSONText.encode(start.options), getpid(),
        ])
      return db.lastInsertedRowID
    }
  }

  /// Writes a batch of results in one transaction, and the tests' last state with them
  /// unless `updatesLastState` is false (a hunt's runs).
  func write(_ batch: [PendingResult], updatesLastState: Bool) throws {
    guard !batch.isEmpty else { return }
    // A transaction that rolls back takes its new test rows with it: forget the cache,
    // or later batches would point at ids that do not exist.
    do {
      try writeInTransaction(batch, updatesLastState: updatesLastState)
    } catch {
      testNumbers = nil
      throw error
    }
  }

  private func writeInTransaction(_ batch: [PendingResult], updatesLastState: Bool) throws {
    try queue.write { db in
      if testNumbers == nil {
        testNumbers = try Dictionary(
          Row.fetchAll(db, sql: "SELECT name, id FROM test").map { ($0[0] as String, $0[1] as Int64) }
        ) { first, _ in first }
      }
      let newTest = try db.cachedStatement(sql: "INSERT OR IGNORE INTO test (name, kind) VALUES (?, ?)")
      let testNumber = try db.cachedStatement(sql: "SELECT id FROM test WHERE name = ?")
      let result = try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO result (run_id, test, outcome, duration, at, summary, fingerprint)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          """)
      let latest = try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO latest (test, run_id, outcome, duration, at, summary, fingerprint, flips)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """)
      for item in batch {
        let test: Int64
        if let known = testNumbers?[item.testID] {
          test = known
        } else {
          try newTest.execute(arguments: [item.testID, item.kind.rawValue])
          guard let number = try Int64.fetchOne(testNumber, arguments: [item.testID]) else { continue }
          testNumbers?[item.testID] = number
          test = number
        }
        try result.execute(
          arguments: [item.runID, test, item.outcome.rawValue, item.duration, item.at, item.summary, item.fingerprint])
        if updatesLastState {
          try latest.execute(
            arguments: [
              test, item.runID, item.outcome.rawValue, item.duration, item.at, item.summary, item.fingerprint,
              item.flips,
            ])
        }
      }
    }
  }

  /// Takes back results of run `runID` that Django never counted (`tests_discarded`): their
  /// rows go, and a test whose last state was one of them gets its previous non-hunt
  /// result back as its last state (with `flips[test]`, the count it had before), or no
  /// last state at all.
  func discard(_ testIDs: [String], of runID: Int64, flips: [String: Int]) throws {
    guard !testIDs.isEmpty else { return }
    try queue.write { db in
      for name in testIDs {
        guard let test = try Int64.fetchOne(db, sql: "SELECT id FROM test WHERE name = ?", arguments: [name]) else {
          continue
        }
        try db.execute(sql: "DELETE FROM result WHERE run_id = ? AND test = ?", arguments: [runID, test])
        guard
          try Int64.fetchOne(db, sql: "SELECT run_id FROM latest WHERE test = ?", arguments: [test]) == runID
        else { continue }
        try db.execute(sql: "DELETE FROM latest WHERE test = ?", arguments: [test])
        try db.execute(
          sql: """
            INSERT INTO latest (test, run_id, outcome, duration, at, summary, fingerprint, flips)
            SELECT r.test, r.run_id, r.outcome, r.duration, r.at, r.summary, r.fingerprint, ?
            FROM result r JOIN run ON run.id = r.run_id
            WHERE r.test = ? AND run.origin != 'hunt'
            ORDER BY r.run_id DESC LIMIT 1
            """,
          arguments: [flips[name] ?? 0, test])
      }
    }
  }

  /// Records how a run ended.
  func finishRun(_ id: Int64, summary: RunSummary) throws {
    try queue.write { db in
      try db.execute(
        sql: """
          UPDATE run SET ending = ?, exit_code = ?, duration = ?, passed = ?, failed = ?, errored = ?,
            skipped = ?, xfailed = ?, xpassed = ?, problem = ?
          WHERE id = ?
          """,
        arguments: [
          RunRecord.Ending(summary).rawValue, summary.exitCode, summary.duration, summary.counts[.pass],
          summary.counts[.fail], summary.counts[.error], summary.counts[.skip], summary.counts[.xfail],
          summary.counts[.xpass], summary.problem, id,
        ])
    }
  }

  /// What the last state knows of each test's verdict, for flip detection.
  func lastVerdicts() throws -> [String: (verdict: FlipRule.Verdict, flips: Int)] {
    try queue.read { db in
      var verdicts: [String: (verdict: FlipRule.Verdict, flips: Int)] = [:]
      let rows = try Row.fetchCursor(
        db, sql: "SELECT test.name, outcome, fingerprint, flips FROM latest JOIN test ON test.id = latest.test")
      while let row = try rows.next() {
        let failed = TestOutcome(rawValue: row[1] as String)?.failsTheRun ?? false
        verdicts[row[0]] = (FlipRule.Verdict(failed: failed, fingerprint: row[2]), row[3])
      }
      return verdicts
    }
  }

  /// Records what a hunt found, so `djdash history TEST_ID` can tell it later.
  public func record(findings: [FlakeHunter.Finding], at date: Date = Date()) throws {
    try queue.write { db in
      for finding in findings {
        let (kind, victim, polluter, detail): (String, String, String?, String)
        switch finding {
        case .orderDependent(let v, let p, let order):
          (kind, victim, polluter, detail) = ("order-dependent", v, p, "fails after \(p) (\(order))")
        case .flaky(let v, let failures, let runs):
          (kind, victim, polluter, detail) = ("flaky", v, nil, "fails on its own (\(failures) of \(runs) runs alone)")
        case .unexplained(let v, let reason):
          (kind, victim, polluter, detail) = ("unexplained", v, nil, reason)
        }
        try db.execute(
          sql: "INSERT INTO finding (found_at, kind, victim, polluter, detail) VALUES (?, ?, ?, ?, ?)",
          arguments: [date.timeIntervalSince1970, kind, victim, polluter, detail])
      }
    }
  }
}

extension HistoryStore {
  /// Records a test the selection for a save left out and the rest of the suite found
  /// failing (the dashboard's safety net), as a `selection-miss` finding.
  public func record(selectionMiss test: String, saved: [String], link: String, at date: Date = Date()) throws {
    try queue.write { db in
      try db.execute(
        sql: "INSERT INTO finding (found_at, kind, victim, polluter, detail) VALUES (?, ?, ?, NULL, ?)",
        arguments: [
          date.timeIntervalSince1970, RecordedFinding.selectionMiss, test,
          "failed after saving \(saved.joined(separator: " ")) although the selection left it out: \(link)",
        ])
    }
  }
}

/// JSON text columns (labels, command, options).
enum JSONText {
  static func encode<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
  }

  static func strings(_ text: String?) -> [String] {
    guard let text else { return [] }
    return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
  }
}
