import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The bundled demo shop: copied to a writable folder, given a Python with Django.
enum DemoProject {
  /// Django versions the demo supports; pip picks the newest the interpreter can run.
  static let djangoRequirement = "Django>=4.2,<7"

  /// Copies the demo into `directory` (default ~/.cache/djdash/demo-shop), replacing
  /// an older copy but keeping its .venv. Returns the folder.
  static func install(into directory: String?) throws -> String {
    let source = try BundledResources.find(
      "Demo", bundle: "djdash_djdash", installedName: "demo", marker: "manage.py",
      sourceFolder: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Demo").path)
    let environment = ProcessInfo.processInfo.environment
    let cache =
      environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.cache")
    let destination = directory ?? cache + "/djdash/demo-shop"
    let files = FileManager.default
    do {
      try files.createDirectory(atPath: destination, withIntermediateDirectories: true)
      for entry in try files.contentsOfDirectory(atPath: destination) where entry != ".venv" {
        try files.removeItem(atPath: destination + "/" + entry)
      }
      for entry in try files.contentsOfDirectory(atPath: source) {
        try files.copyItem(atPath: source + "/" + entry, toPath: destination + "/" + entry)
      }
    } catch {
      throw ProjectError("cannot copy the demo project to \(destination): \(error.localizedDescription)")
    }
    return destination
  }

  /// A Python that can import Django, and why it was chosen: the requested one, else the
  /// first of the usual order (`PythonLocator`: an active virtualenv, the demo's own
  /// .venv, the venv djdash is installed in, python3) that has Django; if none has it, a
  /// new .venv in the demo with Django in it.
  static func python(for folder: String, requested: String?) throws -> PythonChoice {
    let environment = ProcessInfo.processInfo.environment
    if let requested {
      return try PythonLocator.choose(explicit: requested, projectRoots: [folder], environment: environment)
    }
    var candidates: [PythonChoice] = []
    if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty {
      candidates.append(PythonChoice(path: venv + "/bin/python", origin: .activeVirtualenv))
    }
    candidates.append(PythonChoice(path: folder + "/.venv/bin/python", origin: .projectVenv))
    if let installed = PythonLocator.installedPython() {
      candidates.append(PythonChoice(path: installed, origin: .installedVenv))
    }
    let system = try PythonLocator.choose(
      explicit: "python3", explicitOrigin: .path, projectRoots: [folder], environment: environment)
    candidates.append(system)
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
      if try ToolProcess.succeeds([candidate.path, "-c", "import django"], in: folder) { return candidate }
    }
    let venv = folder + "/.venv"
    Console.error("Django is not installed; installing it into \(venv) (once)")
    guard try ToolProcess.succeeds([system.path, "-m", "venv", venv], in: folder, echo: true) else {
      throw ProjectError(
        "cannot create a virtualenv with \(system.path) -m venv (on Debian: apt-get install python3-venv)")
    }
    let pip = [venv + "/bin/python", "-m", "pip", "install", "--disable-pip-version-check", "-q", djangoRequirement]
    guard try ToolProcess.succeeds(pip, in: folder, echo: true) else {
      throw ProjectError("pip could not install \(djangoRequirement) into \(venv); see pip's message above")
    }
    return PythonChoice(path: venv + "/bin/python", origin: .demoVenv)
  }
}

/// Runs a helper program (pip, venv) to completion, Ctrl-C included.
enum ToolProcess {
  /// - Parameter echo: pass the program's output through to djdash's stderr.
  /// - Returns: whether it exited with status 0.
  static func succeeds(_ arguments: [String], in folder: String, echo: Bool = false) throws -> Bool {
    let reactor = Reactor()
    var interrupted = false
    var running: RunnerProcess?
    let signals = SignalSource(reactor: reactor) { _ in
      interrupted = true
      running?.signalGroup(SIGKILL)
    }
    defer { signals.close() }
    let completion: RunnerProcess.Completion
    do {
      completion = try RunnerProcess.runToCompletion(
        arguments, directory: folder, environment: ProcessInfo.processInfo.environment, reactor: reactor,
        onOutput: { _, bytes in if echo { Console.write(String(decoding: bytes, as: UTF8.self), to: 2) } },
        whileRunning: { running = $0 })
    } catch let error as SpawnError {
      throw ProjectError(error.description)
    }
    if interrupted { throw ExitCodeError.interrupted }
    return completion.termination == .exited(0)
  }
}

enum ExitCodeError: Error {
  case interrupted
}
