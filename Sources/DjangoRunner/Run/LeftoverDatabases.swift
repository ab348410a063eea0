import Foundation

/// Test databases a run created but never destroyed (a hard stop, a crash), kept in
/// the project's `.djdash/` folder so the next run can drop them before it starts;
/// Django alone would prompt, or keep clones it does not recreate.
public struct LeftoverDatabases: Codable, Equatable, Sendable {
  /// Database names per alias. In-memory SQLite names are never kept: they vanish
  /// with their process.
  public var databases: [String: [String]] = [:]

  public init(databases: [String: [String]] = [:]) {
    self.databases = databases
  }

  public var isEmpty: Bool { databases.values.allSatisfy(\.isEmpty) }

  /// Adds the names one process reported (`databases_ready`, `worker_ready`).
  public mutating func add(_ names: [String: String]) {
    for (alias, name) in names where !Self.vanishesWithItsProcess(name) {
      if !(databases[alias] ?? []).contains(name) { databases[alias, default: []].append(name) }
    }
  }

  static func vanishesWithItsProcess(_ name: String) -> Bool {
    name.isEmpty || name == ":memory:" || name.hasPrefix("file:memorydb") || name.contains("mode=memory")
  }

  /// The store's file in `projectRoot`.
  public static func path(projectRoot: String) -> String {
    projectRoot + "/.djdash/leftover-databases.json"
  }

  /// What the previous run left, if anything (an unreadable file counts as nothing).
  public static func load(projectRoot: String) -> LeftoverDatabases {
    guard let data = FileManager.default.contents(atPath: path(projectRoot: projectRoot)),
      let leftovers = try? JSONDecoder().decode(LeftoverDatabases.self, from: data)
    else { return LeftoverDatabases() }
    return leftovers
  }

  /// Records these leftovers, or removes the record when there are none.
  public func save(projectRoot: String) {
    let file = Self.path(projectRoot: projectRoot)
    guard !isEmpty else {
      try? FileManager.default.removeItem(atPath: file)
      return
    }
    guard let folder = DjdashFolder.ensure(projectRoot: projectRoot),
      let data = try? JSONEncoder().encode(self)
    else { return }
    _ = FileManager.default.createFile(atPath: folder + "/leftover-databases.json", contents: data)
  }

  /// The value of `DJDASH_LEFTOVER_DATABASES` for the hook.
  public var environmentValue: String {
    (try? JSONEncoder().encode(databases)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}

/// The project's `.djdash/` folder: djdash's own files, ignored by git like
/// `.pytest_cache` (it holds a `.gitignore` of `*`).
public enum DjdashFolder {
  /// Writes `data` to `.djdash/<name>` whole, then renames it into place, so a reader never
  /// sees half a file (two djdash processes may write it at once). Does nothing when the
  /// folder cannot be written.
  public static func replace(_ name: String, with data: Data, projectRoot: String) {
    guard let folder = ensure(projectRoot: projectRoot) else { return }
    let temporary = folder + "/\(name).\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
    if rename(temporary, folder + "/" + name) != 0 { unlink(temporary) }
  }

  /// Creates the folder if needed; nil if it cannot be written.
  public static func ensure(projectRoot: String) -> String? {
    let folder = projectRoot + "/.djdash"
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      let ignore = folder + "/.gitignore"
      if !FileManager.default.fileExists(atPath: ignore) {
        try "# Created by djdash: ignore everything here.\n*\n".write(toFile: ignore, atomically: true, encoding: .utf8)
      }
      return folder
    } catch {
      return nil
    }
  }
}
