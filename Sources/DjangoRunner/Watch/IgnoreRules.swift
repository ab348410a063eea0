#if canImport(Glibc)
  import Glibc
#endif

/// Decides which paths of a Django project the watcher leaves alone: version control,
/// caches, virtualenvs, build and media output, editor swap files, SQLite databases —
/// plus whatever the project's `.gitignore` files say. A save there must not rerun
/// tests, and a folder that is never looked at costs no inotify watch.
///
/// Paths are relative to the project root, `/`-separated. As in git, nothing inside an
/// ignored folder can be re-included by a `!` pattern.
public struct IgnoreRules: Sendable {
  /// Folders ignored by name, at any depth. `media` and `staticfiles` (and
  /// `static_root`) are where Django writes uploads and `collectstatic` output; an
  /// app's `static/` folder is source and is watched. `.venv` is a virtualenv even
  /// before its `pyvenv.cfg` is written (and never a Python package).
  public static let ignoredDirectoryNames: Set<String> = [
    ".git", ".hg", ".svn", "__pycache__", "node_modules", ".djdash", ".tox", ".nox", ".venv",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "htmlcov", ".idea", ".vscode", "build",
    "dist", "media", "staticfiles", "static_root",
  ]

  /// File name endings ignored: bytecode, editor swap, backup and temporary files
  /// (vim, emacs, JetBrains' safe write), SQLite databases and their journals.
  public static let ignoredFileSuffixes: [String] = [
    ".pyc", ".pyo", ".swp", ".swo", ".swn", ".swx", "~", ".tmp", "___jb_tmp___", "___jb_old___", ".sqlite3",
    ".sqlite3-journal", "-wal", "-shm",
  ]

  /// The project root, when the rules were read from one; needed to recognise
  /// virtualenvs (a folder holding `pyvenv.cfg`) and to reload the `.gitignore` files.
  public let root: String?
  /// The `.gitignore` patterns, the root's first, then nested files' (parents before
  /// children), so the last match decides as in git.
  public let patterns: [GitignorePattern]

  /// Reads the rules of the project at `root`: its `.gitignore`, `.git/info/exclude`
  /// and the `.gitignore` of every folder that is not itself ignored.
  ///
  /// - Parameter root: The project root, an absolute path.
  public init(root: String) {
    let base = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    var rules = IgnoreRules(root: base, patterns: [])
    rules.add(Self.read(base + "/.git/info/exclude"), folder: "")
    rules.add(Self.read(base + "/.gitignore"), folder: "")
    rules.addNestedGitignores(below: "")
    self = rules
  }

  /// Rules from `.gitignore` texts given as they are, for tests and for callers that
  /// read them themselves. Without a root, virtualenvs are not recognised.
  ///
  /// - Parameter gitignoreFiles: Each `.gitignore`'s text by its folder relative to the
  ///   root ("" for the root's own).
  public init(gitignoreFiles: [String: String], root: String? = nil) {
    var rules = IgnoreRules(root: root, patterns: [])
    // Sorted, a folder comes before the folders inside it.
    for folder in gitignoreFiles.keys.sorted() {
      rules.add(gitignoreFiles[folder] ?? "", folder: folder)
    }
    self = rules
  }

  /// Rules from the text of the root's `.gitignore` alone.
  public init(gitignore: String = "") {
    self.init(gitignoreFiles: ["": gitignore])
  }

  private init(root: String?, patterns: [GitignorePattern]) {
    self.root = root
    self.patterns = patterns
  }

  /// The same rules read again from disk (after a `.gitignore` changed); rules that
  /// were not read from a root are returned as they are.
  public func reloaded() -> IgnoreRules {
    guard let root else { return self }
    return IgnoreRules(root: root)
  }

  /// Whether the watcher should leave `relativePath` alone: it, or a folder above it,
  /// is ignored.
  ///
  /// - Parameters:
  ///   - relativePath: A path relative to the root, `/`-separated ("a/b.py").
  ///   - isDirectory: Whether the path is a folder (patterns ending in `/` match only those).
  public func isIgnored(_ relativePath: String, isDirectory: Bool) -> Bool {
    var path = Substring(relativePath)
    while path.hasPrefix("./") { path = path.dropFirst(2) }
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    var prefix = ""
    for (index, part) in parts.enumerated() {
      prefix = ProjectTree.join(prefix, String(part))
      let isLast = index == parts.count - 1
      if isEntryIgnored(prefix, isDirectory: isLast ? isDirectory : true) { return true }
    }
    return false
  }

  /// Whether `path` itself is ignored, its folders being known not to be: what a walk
  /// of the tree asks of each entry it meets.
  func isEntryIgnored(_ path: String, isDirectory: Bool) -> Bool {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    if isDirectory {
      if Self.ignoredDirectoryNames.contains(name) || name.hasSuffix(".egg-info") { return true }
      if let root, access(root + "/" + path + "/pyvenv.cfg", F_OK) == 0 { return true }
    } else if Self.isIgnoredFileName(name) {
      return true
    }
    var ignored = false
    for pattern in patterns where pattern.isNegated == ignored {
      if pattern.matches(path, isDirectory: isDirectory) { ignored = !pattern.isNegated }
    }
    return ignored
  }

  /// The built-in file rules. `.coverage` data files are ignored, but not `.coveragerc`,
  /// which is configuration.
  static func isIgnoredFileName(_ name: String) -> Bool {
    if ignoredFileSuffixes.contains(where: { name.hasSuffix($0) }) { return true }
    if name.hasPrefix(".#") || name == "4913" || name == ".DS_Store" { return true }
    if name.count >= 2 && name.hasPrefix("#") && name.hasSuffix("#") { return true }
    return name == ".coverage" || name.hasPrefix(".coverage.")
  }

  private mutating func add(_ text: String, folder: String) {
    var added = patterns
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if let pattern = GitignorePattern(String(line), folder: folder) { added.append(pattern) }
    }
    self = IgnoreRules(root: root, patterns: added)
  }

  /// Walks the folders that are not ignored and adds their `.gitignore` files, each
  /// folder's before its subfolders', so a folder's own rules decide what is below it.
  private mutating func addNestedGitignores(below folder: String) {
    guard let root else { return }
    let absolute = folder.isEmpty ? root : root + "/" + folder
    if !folder.isEmpty { add(Self.read(absolute + "/.gitignore"), folder: folder) }
    for entry in ProjectTree.entries(of: absolute) where entry.isDirectory {
      let path = ProjectTree.join(folder, entry.name)
      if !isEntryIgnored(path, isDirectory: true) { addNestedGitignores(below: path) }
    }
  }

  /// The text of a file, or "" when it cannot be read.
  private static func read(_ path: String) -> String {
    guard let file = fopen(path, "r") else { return "" }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4096, file) }
      if count <= 0 { break }
      bytes.append(contentsOf: chunk[..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
