import Foundation

/// The folder djdash treats as the project, and the folders inside it that Python imports
/// the project's modules from (its source roots).
///
/// Where the runner imports from decides, not where djdash started: in the commonest
/// layout of a reusable app the library sits at the repository's root and the test
/// project, with its `manage.py`, in `tests/`; the library is imported from one folder
/// above `manage.py`, so the project is the repository, and `tests/testapp/models.py` is
/// the module `testapp.models` (source root `tests`) while `shelf/utils.py` is
/// `shelf.utils` (source root the repository's root).
///
/// The runner's own report (`ProjectReport.sourceFolders`, its `sys.path` less the
/// standard library and installed packages) is the truth; before the first run djdash
/// guesses from the source: the entry point's folder, the folder of the script Python
/// runs (sys.path[0]), `sys.path` edits in `manage.py` or
/// the script, `PYTHONPATH`, and a package repository (pyproject.toml, setup.py,
/// setup.cfg) at most two folders up.
public struct SourceTree: Sendable, Equatable {
  /// The project's root: absolute, standardized.
  public var root: String
  /// The folders modules are imported from, relative to `root` (`""` for the root itself).
  public var sourceRoots: [String]

  public init(root: String, sourceRoots: [String]) {
    self.root = root
    self.sourceRoots = sourceRoots
  }

  /// How far above the entry point's folder a project may reach.
  static let levelsAbove = 2

  /// The tree for an entry point in `commandDirectory`.
  ///
  /// - Parameters:
  ///   - report: what the runner reported last, if anything.
  ///   - scripts: the entry point's files (manage.py, runtests.py) and their folders, read
  ///     for `sys.path` edits.
  ///   - scriptFolder: the folder of the script the command's Python runs, which Python
  ///     puts first on sys.path (`python tests/manage.py test` run from the repository
  ///     imports `testapp` from `tests/`); nil for `python -m` or no command.
  ///   - environment: for `PYTHONPATH`.
  public static func find(
    commandDirectory: String, report: ProjectReport?, scripts: [(source: String, folder: String)] = [],
    scriptFolder: String? = nil, environment: [String: String] = [:]
  ) -> SourceTree {
    let start = standardized(commandDirectory)
    let folders =
      report?.sourceFolders.map(standardized)
      ?? (scriptFolder.map { [standardized($0)] } ?? []) + guessedFolders(start, scripts: scripts, environment: environment)
    // The highest folder a source root may make the project: two levels up, but never
    // past a repository's root, nor to `/`.
    var limit = start
    for _ in 0..<levelsAbove {
      if isRepositoryRoot(limit) { break }
      let parent = (limit as NSString).deletingLastPathComponent
      if parent == limit || parent == "/" || parent.isEmpty { break }
      limit = parent
    }
    let inside = ([start] + folders).filter { $0 == limit || $0.hasPrefix(limit == "/" ? "/" : limit + "/") }
    var root = start
    for folder in inside where !(folder == root || folder.hasPrefix(root + "/")) {
      root = commonAncestor(root, folder)
    }
    var roots: [String] = []
    for folder in [start] + inside where folder == root || folder.hasPrefix(root + "/") {
      let relative = folder == root ? "" : String(folder.dropFirst(root.count + 1))
      if !roots.contains(relative) { roots.append(relative) }
    }
    return SourceTree(root: root, sourceRoots: roots)
  }

  /// Source folders read from the source, before any run.
  static func guessedFolders(
    _ start: String, scripts: [(source: String, folder: String)], environment: [String: String]
  ) -> [String] {
    var folders: [String] = []
    let parent = (start as NSString).deletingLastPathComponent
    for (script, scriptFolder) in scripts {
      let scriptFolder = standardized(scriptFolder)
      for line in script.split(separator: "\n") where line.contains("sys.path") {
        let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard code.contains("insert") || code.contains("append") || code.contains("[0:0]") else { continue }
        // The script's own folder's parent (`join(dirname(__file__), "..")`).
        if code.contains("\"..\"") || code.contains("'..'") || code.contains("pardir") || code.contains(".parent")
          || code.contains("dirname(os.path.dirname") || code.contains("dirname(dirname")
        {
          folders.append((scriptFolder as NSString).deletingLastPathComponent)
        }
        // A quoted name of a folder beside the script or the working directory:
        // `sys.path.insert(0, "src")`.
        for quoted in code.split(separator: "\"").enumerated().filter({ $0.offset % 2 == 1 }).map(\.element)
          + code.split(separator: "'").enumerated().filter({ $0.offset % 2 == 1 }).map(\.element)
        where !quoted.isEmpty && quoted != ".." {
          for base in Set([start, scriptFolder]) where isDirectory(base + "/" + quoted) {
            folders.append(standardized(base + "/" + quoted))
          }
        }
      }
    }
    for entry in (environment["PYTHONPATH"] ?? "").split(separator: ":") where !entry.isEmpty {
      let path = entry.hasPrefix("/") ? String(entry) : start + "/" + entry
      if isDirectory(path) { folders.append(standardized(path)) }
    }
    // A package repository above the test project: the library is imported from there
    // (an editable install, tox's install, or a sys.path edit).
    var folder = parent
    for _ in 0..<levelsAbove {
      if ["pyproject.toml", "setup.py", "setup.cfg"].contains(where: { isFile(folder + "/" + $0) }),
        hasPackage(folder) || hasPackage(folder + "/src")
      {
        folders.append(folder)
        if isDirectory(folder + "/src") { folders.append(folder + "/src") }
        break
      }
      if isRepositoryRoot(folder) { break }
      let up = (folder as NSString).deletingLastPathComponent
      if up == folder || up == "/" { break }
      folder = up
    }
    return folders
  }

  /// The dotted module of `path` (relative to `root`) under the deepest source root that
  /// holds it; nil when no source root does.
  public func module(of path: String) -> (module: String, sourceRoot: String)? {
    var best: String?
    for sourceRoot in sourceRoots where sourceRoot.isEmpty || path.hasPrefix(sourceRoot + "/") {
      if best == nil || sourceRoot.count > best!.count { best = sourceRoot }
    }
    guard let best else { return nil }
    let inside = best.isEmpty ? path : String(path.dropFirst(best.count + 1))
    guard case .python(let module, _) = ProjectFileKind.of(inside) else { return nil }
    return (module, best)
  }

  static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

  static func commonAncestor(_ a: String, _ b: String) -> String {
    let left = a.split(separator: "/")
    let right = b.split(separator: "/")
    let shared = zip(left, right).prefix { $0 == $1 }.map(\.0)
    return "/" + shared.joined(separator: "/")
  }

  /// Whether `folder` holds a Python package (a folder with an `__init__.py`).
  static func hasPackage(_ folder: String) -> Bool {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return entries.contains { !$0.hasPrefix(".") && isFile(folder + "/" + $0 + "/__init__.py") }
  }

  static func isRepositoryRoot(_ folder: String) -> Bool {
    [".git", ".hg", ".svn"].contains { FileManager.default.fileExists(atPath: folder + "/" + $0) }
  }

  static func isDirectory(_ path: String) -> Bool {
    var isFolder: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
  }

  static func isFile(_ path: String) -> Bool {
    var isFolder: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
  }
}
