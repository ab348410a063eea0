import DjangoRunner
import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif

/// The project's run history, `.djdash/history.sqlite`: every run, each test's verdict
/// in it, and the hunt's findings, so djdash opens on what it knew.
///
/// Opening never fails on a bad file: a corrupt file, or one from a newer djdash, is
/// moved aside (and `notices` says where) and a new history starts. The file is the
/// owner's only (0600) and in WAL mode, so results committed while a run streams
/// survive a SIGKILL of djdash.
public final class HistoryStore {
  /// The file's path.
  public let path: String
  /// What the user should read about the history: a file moved aside, a run that was
  /// cut short when djdash died.
  public private(set) var notices: [String] = []
  let queue: DatabaseQueue
  /// The `test` table's numbers by name, read at the first write (this process' writes
  /// keep it current).
  var testNumbers: [String: Int64]?

  /// The history file of a project.
  public static func path(projectRoot: String) -> String {
    projectRoot + "/.djdash/history.sqlite"
  }

  /// Opens (or creates) the history of the project at `projectRoot`.
  ///
  /// - Throws: `ProjectError` when no history can be kept there at all (the folder
  ///   cannot be written).
  public convenience init(projectRoot: String) throws {
    guard DjdashFolder.ensure(projectRoot: projectRoot) != nil else {
      throw ProjectError("cannot create \(projectRoot)/.djdash for the run history")
    }
    try self.init(path: Self.path(projectRoot: projectRoot))
  }

  /// Opens (or creates) the history file at `path`, moving a bad file aside.
  ///
  /// - Throws: `ProjectError` when even a new file cannot be opened.
  public init(path: String) throws {
    self.path = path
    var notices: [String] = []
    var queue: DatabaseQueue
    do {
      queue = try Self.openAndMigrate(path)
    } catch let problem as FileProblem {
      let aside = Self.moveAside(path, suffix: problem.suffix)
      notices.append("the run history \(path) \(problem.reason); moved it to \(aside) and started a new one")
      do {
        queue = try Self.openAndMigrate(path)
      } catch {
        throw ProjectError("cannot open the run history \(path): \(error)")
      }
    } catch {
      throw ProjectError("cannot open the run history \(path): \(error)")
    }
    self.queue = queue
    self.notices = notices
    markAbandonedRuns()
  }

  /// Why a file could not be used as it is.
  private struct FileProblem: Error {
    var reason: String
    var suffix: String
  }

  private static func openAndMigrate(_ path: String) throws -> DatabaseQueue {
    // Two djdash processes opening a new file at once (the dashboard and `djdash history`)
    // would both see it unmigrated: GRDB reads what is applied before it takes SQLite's
    // write lock. The folder's flock makes creating and migrating one step. (A lock on the
    // database file itself would not do: closing any descriptor of it drops SQLite's locks.)
    let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folder >= 0 {
      while flock(folder, LOCK_EX) != 0 && errno == EINTR {}
    }
    defer { if folder >= 0 { close(folder) } }
    if !FileManager.default.fileExists(atPath: path) {
      // Created by us with the owner's bits only; SQLite gives -wal and -shm the same.
      guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
      else { throw ProjectError("cannot create \(path)") }
    }
    chmod(path, 0o600)
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    configuration.prepareDatabase { db in
      // NORMAL in WAL mode: a commit survives the process being killed (not a power cut).
      try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
    }
    let queue: DatabaseQueue
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      let migrator = HistorySchema.migrator
      if try queue.read({ try migrator.hasBeenSuperseded($0) }) {
        throw FileProblem(
          reason: "was written by a newer djdash (its schema is unknown to this one)", suffix: "newer")
      }
      try migrator.migrate(queue)
      for extra in ["-wal", "-shm"] { chmod(path + extra, 0o600) }
    } catch let error as DatabaseError
      where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
    {
      throw FileProblem(reason: "is not a readable SQLite database (\(error.message ?? "corrupt"))", suffix: "corrupt")
    }
    return queue
  }

  /// Renames the file (and its WAL companions) to `<path>.<suffix>-<time>`.
  private static func moveAside(_ path: String, suffix: String) -> String {
    let stamp = Int(Date().timeIntervalSince1970)
    let aside = "\(path).\(suffix)-\(stamp)"
    rename(path, aside)
    for extra in ["-wal", "-shm"] {
      if FileManager.default.fileExists(atPath: path + extra) { rename(path + extra, aside + extra) }
    }
    return aside
  }

  /// A run still marked running whose djdash is gone was cut short (SIGKILL, a crash):
  /// it is recorded as interrupted, with the results it streamed before.
  private func markAbandonedRuns() {
    do {
      let running = try queue.read { db in
        try Row.fetchAll(db, sql: "SELECT id, pid FROM run WHERE ending = 'running'").map {
          (id: $0["id"] as Int64, pid: $0["pid"] as Int32)
        }
      }
      // A pid that is ours, or alive, may still be recording (another djdash of the project).
      let abandoned = running.filter { $0.pid != getpid() && (kill($0.pid, 0) != 0 && errno == ESRCH) }
      guard !abandoned.isEmpty else { return }
      try queue.write { db in
        for run in abandoned {
          let kept = try Int.fetchOne(db, sql: "SELECT count(*) FROM result WHERE run_id = ?", arguments: [run.id]) ?? 0
          try db.execute(
            sql: """
              UPDATE run SET ending = 'interrupted',
                problem = 'djdash ended before the run finished (killed or crashed)',
                duration = (SELECT max(at) FROM result WHERE run_id = run.id),
                passed = (SELECT count(*) FROM result WHERE run_id = run.id AND outcome = 'pass'),
                failed = (SELECT count(*) FROM result WHERE run_id = run.id AND outcome = 'fail'),
                errored = (SELECT count(*) FROM result WHERE run_id = run.id AND outcome = 'error'),
                skipped = (SELECT count(*) FROM result WHERE run_id = run.id AND outcome = 'skip'),
                xfailed = (SELECT count(*) FROM result WHERE run_id = run.id AND outcome = 'xfail'),
                xpassed = (SELECT count(*) FROM result WHERE run_id = run.id AND outcome = 'xpass')
              WHERE id = ?
              """, arguments: [run.id])
          notices.append(
            "run \(run.id) was cut short when djdash ended; recorded as interrupted with its \(kept) result\(kept == 1 ? "" : "s")"
          )
        }
      }
    } catch {
      notices.append("cannot read the run history \(path): \(error)")
    }
  }
}
