import Foundation

/// Finds the Python interpreter the way a Django developer expects: an explicit
/// choice, then the active virtualenv, then the project's .venv or venv, then python3.
public enum PythonLocator {
  /// - Parameters:
  ///   - explicit: `--python` or the config's `python`.
  ///   - projectRoot: where to look for `.venv` and `venv`.
  ///   - environment: the process environment (`VIRTUAL_ENV`, `PATH`).
  public static func locate(explicit: String?, projectRoot: String, environment: [String: String])
    throws -> String
  {
    try locate(explicit: explicit, projectRoots: [projectRoot], environment: environment)
  }

  /// As `locate(explicit:projectRoot:environment:)`, looking for `.venv` and `venv` in each
  /// of `projectRoots` in turn (the test project's folder, then the repository's).
  public static func locate(explicit: String?, projectRoots: [String], environment: [String: String])
    throws -> String
  {
    let projectRoot = projectRoots.first ?? "."
    if let explicit {
      if explicit.contains("/") {
        let path = absolute(explicit, relativeTo: projectRoot)
        guard FileManager.default.isExecutableFile(atPath: path) else {
          throw ProjectError("--python \(explicit): no executable at \(path)")
        }
        return path
      }
      guard let found = which(explicit, path: environment["PATH"]) else {
        throw ProjectError("--python \(explicit): not found in PATH")
      }
      return found
    }
    var candidates: [String] = []
    if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty { candidates.append(venv + "/bin/python") }
    for root in projectRoots where !candidates.contains(root + "/.venv/bin/python") {
      candidates += [root + "/.venv/bin/python", root + "/venv/bin/python"]
    }
    if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
      return found
    }
    if let found = which("python3", path: environment["PATH"]) ?? which("python", path: environment["PATH"]) {
      return found
    }
    throw ProjectError(
      "no Python found: no active virtualenv, no .venv or venv in \(projectRoot), no python3 in PATH. Name one with --python."
    )
  }

  static func which(_ name: String, path: String?) -> String? {
    for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(folder)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  static func absolute(_ path: String, relativeTo folder: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
  }
}
