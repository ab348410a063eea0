import DjangoRunner
import Foundation
import GRDB

extension HistoryStore {
  /// The last known verdict of every test, in the order they were recorded: what the
  /// dashboard opens on and what `--failed` reruns.
  public func lastState() throws -> [TestRecord] {
    try queue.read { db in
      var records: [(record: TestRecord, at: Double)] = []
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT test.name, test.kind, outcome, duration, summary, run_id, flips, at
          FROM latest JOIN test ON test.id = latest.test
          """)
      while let row = try rows.next() {
        guard let outcome = TestOutcome(rawValue: row[2]) else { continue }
        records.append(
          (
            TestRecord(
              id: row[0], kind: TestKind(rawValue: row[1]) ?? .test, outcome: outcome, duration: row[3],
              summary: row[4], runID: row[5], flips: row[6]),
            row[7]
          ))
      }
      // Ordered here, on two numbers: SQLite's ORDER BY run_id, at sorted the whole rows
      // in a temporary b-tree, about half the time a start spends reading.
      records.sort { ($0.record.runID, $0.at) < ($1.record.runID, $1.at) }
      return records.map(\.record)
    }
  }

  /// The most recent runs, newest first.
  public func recentRuns(limit: Int = 20) throws -> [RunRecord] {
    try queue.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.run)
    }
  }

  /// The `limit` slowest tests by their latest duration, each with its durations over
  /// its last `runs` recorded results (oldest first) for the trend.
  public func slowest(limit: Int = 20, runs: Int = 10) throws -> [SlowTest] {
    try queue.read { db in
      let tests = try Row.fetchAll(
        db,
        sql: """
          SELECT test.id, test.name FROM latest JOIN test ON test.id = latest.test
          WHERE test.kind = 'test' ORDER BY latest.duration DESC LIMIT ?
          """, arguments: [limit]
      ).map { (number: $0[0] as Int64, name: $0[1] as String) }
      let durations = try db.cachedStatement(
        sql: "SELECT duration FROM result WHERE test = ? ORDER BY run_id DESC LIMIT ?")
      return try tests.map { test in
        SlowTest(id: test.name, durations: try Double.fetchAll(durations, arguments: [test.number, runs]).reversed())
      }
    }
  }

  /// One test's recorded verdicts, newest first.
  public func results(of testID: String, limit: Int = 30) throws -> [RecordedResult] {
    try queue.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT result.*, run.started_at, run.origin FROM result JOIN run ON run.id = result.run_id
          WHERE result.test = (SELECT id FROM test WHERE name = ?) ORDER BY run_id DESC LIMIT ?
          """, arguments: [testID, limit]
      ).compactMap { row in
        guard let outcome = TestOutcome(rawValue: row["outcome"]) else { return nil }
        return RecordedResult(
          runID: row["run_id"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
          origin: RunRecord.Origin(rawValue: row["origin"]) ?? .run, outcome: outcome, duration: row["duration"],
          summary: row["summary"], fingerprint: row["fingerprint"])
      }
    }
  }

  /// The last state of one test, if it was ever recorded outside a hunt.
  public func lastRecord(of testID: String) throws -> TestRecord? {
    try queue.read { db in
      try Row.fetchOne(
        db, sql: Self.latestColumns + " WHERE test.name = ?", arguments: [testID]
      ).flatMap { row in
        TestOutcome(rawValue: row[2]).map {
          TestRecord(
            id: row[0], kind: TestKind(rawValue: row[1]) ?? .test, outcome: $0, duration: row[3], summary: row[4],
            runID: row[5], flips: row[6])
        }
      }
    }
  }

  /// What hunts found about a test (as victim or polluter), newest first.
  public func findings(about testID: String) throws -> [RecordedFinding] {
    try queue.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM finding WHERE victim = ? OR polluter = ? ORDER BY id DESC",
        arguments: [testID, testID]
      ).map { row in
        RecordedFinding(
          foundAt: Date(timeIntervalSince1970: row["found_at"]), kind: row["kind"], victim: row["victim"],
          polluter: row["polluter"], detail: row["detail"])
      }
    }
  }

  /// The selection misses the dashboard's safety net found, newest first.
  public func selectionMisses(limit: Int = 20) throws -> [RecordedFinding] {
    try queue.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM finding WHERE kind = ? ORDER BY id DESC LIMIT ?",
        arguments: [RecordedFinding.selectionMiss, limit]
      ).map { row in
        RecordedFinding(
          foundAt: Date(timeIntervalSince1970: row["found_at"]), kind: row["kind"], victim: row["victim"],
          polluter: row["polluter"], detail: row["detail"])
      }
    }
  }

  /// The columns `TestRecord`s are read from, in order.
  static let latestColumns = """
    SELECT test.name, test.kind, outcome, duration, summary, run_id, flips
    FROM latest JOIN test ON test.id = latest.test
    """

  static func run(_ row: Row) -> RunRecord {
    let counts: [TestOutcome: Int] = [
      .pass: row["passed"], .fail: row["failed"], .error: row["errored"], .skip: row["skipped"],
      .xfail: row["xfailed"], .xpass: row["xpassed"],
    ]
    return RunRecord(
      id: row["id"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
      origin: RunRecord.Origin(rawValue: row["origin"]) ?? .run, labels: JSONText.strings(row["labels"]),
      command: JSONText.strings(row["command"]), ending: RunRecord.Ending(rawValue: row["ending"]) ?? .broken,
      exitCode: row["exit_code"], duration: row["duration"], counts: counts, problem: row["problem"])
  }
}
