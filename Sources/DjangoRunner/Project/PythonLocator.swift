import Foundation

/// Why djdash runs the interpreter it runs; the dashboard's header and `djdash run`'s
/// first line say it, so a wrong choice is seen before it confuses anyone.
public enum PythonOrigin: String, Sendable, Equatable, Codable {
  /// `--python` on the command line.
  case option
  /// `python` in `[tool.djdash]`.
  case configuration
  /// The active virtualenv, `$VIRTUAL_ENV`.
  case activeVirtualenv = "virtual_env"
  /// The project's `.venv` or `venv`.
  case projectVenv = "project_venv"
  /// The venv djdash itself is installed in (`pip install djdash` into the project's
  /// venv), chosen only when it can import Django.
  case installedVenv = "installed_venv"
  /// `python3` (or `python`) on `PATH`: nothing better was found.
  case path
  /// The demo's own `.venv`, made for it with Django (`djdash demo`).
  case demoVenv = "demo_venv"

  /// Why `python` was chosen, in words: "the project's .venv".
  public func reason(for python: String) -> String {
    switch self {
    case .option: return "--python"
    case .configuration: return "python in [tool.djdash]"
    case .activeVirtualenv: return "the active virtualenv ($VIRTUAL_ENV)"
    case .projectVenv: return python.contains("/.venv/") ? "the project's .venv" : "the project's venv"
    case .installedVenv: return "the venv djdash is installed in, which has Django"
    case .path: return "\((python as NSString).lastPathComponent) on PATH: no virtualenv found"
    case .demoVenv: return "the demo's .venv, made for it"
    }
  }
}

/// An interpreter and why it was chosen.
public struct PythonChoice: Sendable, Equatable {
  public var path: String
  public var origin: PythonOrigin

  public init(path: String, origin: PythonOrigin) {
    self.path = path
    self.origin = origin
  }

  /// "/p/.venv/bin/python (the project's .venv)".
  public var description: String { "\(path) (\(origin.reason(for: path)))" }
}

/// Finds the Python interpreter the way a Django developer expects, whether djdash was
/// installed into the project's venv or as a tool in a venv of its own:
/// 1. `--python` (or `python` in `[tool.djdash]`);
/// 2. the active virtualenv, `$VIRTUAL_ENV`;
/// 3. the project's `.venv`, then `venv`;
/// 4. the venv djdash is installed in, if it can import Django (a tool install's venv
///    cannot, and is passed over);
/// 5. `python3`, then `python`, on `PATH`.
public enum PythonLocator {
  /// What the locator asks of the file system and of interpreters; a test gives a fake,
  /// so the order is tested without files or processes.
  public struct Probe: Sendable {
    /// Whether `path` is an executable file.
    public var isExecutable: @Sendable (String) -> Bool
    /// Whether the interpreter at `path` can `import django`.
    public var canImportDjango: @Sendable (String) -> Bool

    public init(
      isExecutable: @escaping @Sendable (String) -> Bool, canImportDjango: @escaping @Sendable (String) -> Bool
    ) {
      self.isExecutable = isExecutable
      self.canImportDjango = canImportDjango
    }

    /// The real file system; Django is probed by running the interpreter once, and the
    /// answer kept for the life of the process.
    public static let system = Probe(
      isExecutable: { FileManager.default.isExecutableFile(atPath: $0) },
      canImportDjango: { DjangoProbe.canImportDjango($0) })
  }

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
    try choose(explicit: explicit, projectRoots: projectRoots, environment: environment).path
  }

  /// The interpreter for a project, and why (see the order above).
  ///
  /// - Parameters:
  ///   - explicit: `--python` or the config's `python`: a path (relative to the first
  ///     project root) or a name looked up in `PATH`.
  ///   - explicitOrigin: where `explicit` came from, said with the choice.
  ///   - projectRoots: where to look for `.venv` and `venv`, in turn.
  ///   - environment: the process environment (`VIRTUAL_ENV`, `PATH`).
  ///   - executable: the running djdash binary, symlinks resolved; its folder's `python`
  ///     is the venv djdash is installed in.
  ///   - probe: the file system and interpreter checks.
  /// - Throws: `ProjectError` when `explicit` names no interpreter, or none is found.
  public static func choose(
    explicit: String?, explicitOrigin: PythonOrigin = .option, projectRoots: [String],
    environment: [String: String], executable: String = BundledResources.executablePath,
    probe: Probe = .system
  ) throws -> PythonChoice {
    let projectRoot = projectRoots.first ?? "."
    if let explicit {
      if explicit.contains("/") {
        let path = absolute(explicit, relativeTo: projectRoot)
        guard probe.isExecutable(path) else {
          throw ProjectError("--python \(explicit): no executable at \(path)")
        }
        return PythonChoice(path: path, origin: explicitOrigin)
      }
      guard let found = which(explicit, path: environment["PATH"], probe: probe) else {
        throw ProjectError("--python \(explicit): not found in PATH")
      }
      return PythonChoice(path: found, origin: explicitOrigin)
    }
    if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty, probe.isExecutable(venv + "/bin/python") {
      return PythonChoice(path: venv + "/bin/python", origin: .activeVirtualenv)
    }
    var seen: Set<String> = []
    for root in projectRoots where seen.insert(root).inserted {
      for candidate in [root + "/.venv/bin/python", root + "/venv/bin/python"] where probe.isExecutable(candidate) {
        return PythonChoice(path: candidate, origin: .projectVenv)
      }
    }
    if let installed = installedPython(executable: executable, probe: probe), probe.canImportDjango(installed) {
      return PythonChoice(path: installed, origin: .installedVenv)
    }
    if let found = which("python3", path: environment["PATH"], probe: probe)
      ?? which("python", path: environment["PATH"], probe: probe)
    {
      return PythonChoice(path: found, origin: .path)
    }
    throw ProjectError(
      "no Python found: no active virtualenv, no .venv or venv in \(projectRoot), no python3 in PATH. Name one with --python."
    )
  }

  /// The interpreter of the environment the djdash binary is installed in: `python` (or
  /// `python3`) in the binary's own folder, as `pip install djdash` puts it in a venv's
  /// `bin/`; nil when there is none (a build folder, `~/.local/bin`).
  public static func installedPython(
    executable: String = BundledResources.executablePath, probe: Probe = .system
  ) -> String? {
    guard executable.hasPrefix("/") else { return nil }
    let folder = (executable as NSString).deletingLastPathComponent
    return [folder + "/python", folder + "/python3"].first(where: probe.isExecutable)
  }

  static func which(_ name: String, path: String?, probe: Probe = .system) -> String? {
    for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(folder)/\(name)"
      if probe.isExecutable(candidate) { return candidate }
    }
    return nil
  }

  static func absolute(_ path: String, relativeTo folder: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
  }
}

/// Asks an interpreter whether it can import Django, once per interpreter and process.
enum DjangoProbe {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var answers: [String: Bool] = [:]

  static func canImportDjango(_ python: String) -> Bool {
    lock.lock()
    let known = answers[python]
    lock.unlock()
    if let known { return known }
    var environment = ProcessInfo.processInfo.environment
    // The project's own sitecustomize, or djdash's hook, has no business here.
    environment["PYTHONPATH"] = nil
    let answer =
      (try? RunnerProcess.runToCompletion(
        [python, "-c", "import django"], directory: "/", environment: environment, reactor: Reactor(), timeout: 30))?
      .termination == .exited(0)
    lock.lock()
    answers[python] = answer
    lock.unlock()
    return answer
  }
}
