import GRDB

/// The versions of `.djdash/history.sqlite`, oldest first. A migration is never edited
/// once released: a change of schema is a new one, so every older file opens.
enum HistorySchema {
  /// The identifiers, in order; a file with one this list lacks is from a newer djdash.
  static let versions = ["v1", "v2"]

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    // Runs, the tests (each name stored once), and each test's verdict in each run.
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE run (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at REAL NOT NULL,
            origin TEXT NOT NULL,
            labels TEXT NOT NULL,
            command TEXT NOT NULL,
            options TEXT NOT NULL,
            pid INTEGER NOT NULL,
            ending TEXT NOT NULL DEFAULT 'running',
            exit_code INTEGER,
            duration REAL,
            passed INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            errored INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            xfailed INTEGER NOT NULL DEFAULT 0,
            xpassed INTEGER NOT NULL DEFAULT 0,
            problem TEXT
          );
          CREATE TABLE test (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL
          );
          CREATE TABLE result (
            run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            test INTEGER NOT NULL REFERENCES test(id),
            outcome TEXT NOT NULL,
            duration REAL NOT NULL,
            at REAL NOT NULL,
            summary TEXT,
            PRIMARY KEY (run_id, test)
          ) WITHOUT ROWID;
          CREATE INDEX result_by_test ON result(test, run_id);
          """)
    }
    // The file each result ran (to tell flips from edits), the last state of every test
    // in one small table (what a start loads), and the hunt's findings.
    migrator.registerMigration("v2") { db in
      try db.execute(
        sql: """
          ALTER TABLE result ADD COLUMN fingerprint TEXT;
          CREATE TABLE latest (
            test INTEGER PRIMARY KEY REFERENCES test(id),
            run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            outcome TEXT NOT NULL,
            duration REAL NOT NULL,
            at REAL NOT NULL,
            summary TEXT,
            fingerprint TEXT,
            flips INTEGER NOT NULL DEFAULT 0
          );
          INSERT INTO latest (test, run_id, outcome, duration, at, summary)
            SELECT r.test, r.run_id, r.outcome, r.duration, r.at, r.summary
            FROM result r JOIN run ON run.id = r.run_id
            WHERE run.origin != 'hunt'
              AND r.run_id = (SELECT max(s.run_id) FROM result s JOIN run t ON t.id = s.run_id
                              WHERE s.test = r.test AND t.origin != 'hunt');
          CREATE TABLE finding (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            found_at REAL NOT NULL,
            kind TEXT NOT NULL,
            victim TEXT NOT NULL,
            polluter TEXT,
            detail TEXT NOT NULL
          );
          CREATE INDEX finding_by_victim ON finding(victim);
          """)
    }
    return migrator
  }
}
