import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// djdash as a Django developer gets it: the wheel `Sources/Packaging/build-wheel` builds,
/// `pip install`ed into venvs of the Debian 13 root (Python 3.13, no Swift toolchain), one
/// each with Django 6.0, 6.1 and 5.2 LTS, and one without Django (a tool install). Made once per
/// test process; everything djdash does here runs inside the root.
final class InstalledWheel: @unchecked Sendable {
  static let shared = Result { try InstalledWheel() }

  /// The Django versions of the project installs, and what pip is asked for.
  static let versions = ["6.0", "6.1", "5.2"]
  static let requirements = ["6.0": "Django>=6.0,<6.1", "6.1": "Django>=6.1,<6.2", "5.2": "Django>=5.2,<5.3"]

  /// The wheel file, in `.build/wheels`.
  let wheel: String
  /// The version `djdash --version` printed when the wheel was built (from its name).
  let version: String
  /// Its platform tag: `manylinux_2_34_x86_64`.
  let platform: String
  /// Runs a command in the root, in the caller's folder (see `python313-root`).
  let inRoot: String
  /// A temporary folder under /tmp, which the root sees at the same path: the venvs.
  let folder: String

  private init() throws {
    let build = try Shell.run(["/bin/bash", TestPaths.packageRoot + "/Sources/Packaging/build-wheel"], timeout: 2400)
    guard build.status == 0, let path = build.stdout.split(separator: "\n").last.map(String.init),
      path.hasSuffix(".whl")
    else {
      throw TestSetupError("Sources/Packaging/build-wheel failed:\n\(build.output)")
    }
    wheel = path
    // djdash-<version>-py3-none-<platform>.whl
    let parts = ((path as NSString).lastPathComponent as NSString).deletingPathExtension.split(separator: "-")
    guard parts.count == 5 else { throw TestSetupError("not a wheel's name: \(path)") }
    version = String(parts[1])
    platform = String(parts[4])
    inRoot = try Python313Root.wrapper(named: "in-root", neededFor: "the installed wheel")
    folder = try TestPaths.temporaryFolder("djdash-wheel")
    for version in Self.versions {
      try makeVenv(venv(version), installing: [Self.requirements[version] ?? "Django", wheel])
    }
    try makeVenv(venv("tool"), installing: [wheel])
  }

  /// The venv of a Django version ("6.1"), or of the tool install ("tool").
  func venv(_ name: String) -> String {
    folder + "/" + (name == "tool" ? "tool" : "django-\(name)")
  }

  /// `python -m venv`, then `pip install` of `requirements`, inside the root.
  func makeVenv(_ venv: String, installing requirements: [String]) throws {
    let made = try Shell.run([inRoot, "python3", "-m", "venv", venv], in: folder)
    guard made.status == 0 else { throw TestSetupError("python3 -m venv \(venv) failed:\n\(made.output)") }
    // The machine's pip settings travel in PIP_* variables; find-links names a folder of
    // this machine that the root does not have.
    var environment = ProcessInfo.processInfo.environment
    environment["PIP_FIND_LINKS"] = nil
    let pip = try Shell.run(
      [inRoot, venv + "/bin/pip", "install", "-q", "--disable-pip-version-check"] + requirements, in: folder,
      environment: environment)
    guard pip.status == 0 else {
      throw TestSetupError("pip install \(requirements.joined(separator: " ")) failed:\n\(pip.output)")
    }
  }

  /// The environment of a shell in the root: no virtualenv active, no toolchain in PATH.
  static let shellEnvironment = [
    "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8", "NO_COLOR": "1",
    "TMPDIR": "/tmp",
  ]

  /// Runs `command` in the root from `directory`, in a plain shell's environment.
  func run(_ command: [String], in directory: String, environment extra: [String: String] = [:]) throws
    -> Shell.Result
  {
    var environment = Self.shellEnvironment
    environment.merge(extra) { $1 }
    return try Shell.run(
      ["/usr/bin/env", "-i"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        + [inRoot] + command, in: directory)
  }

  /// A script outside the root that runs `venv`'s Python inside it (for Django's own
  /// runner, the oracle).
  func pythonWrapper(_ venv: String) throws -> String {
    let path = venv + "-python"
    try "#!/bin/sh\nexec '\(inRoot)' '\(venv)/bin/python' \"$@\"\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
  }

  /// Each test's verdict in an `--events` file, as djdash's own tally keeps them.
  static func outcomes(inEvents path: String) throws -> [String: TestOutcome] {
    let decoder = EventDecoder()
    var tally = RunTally()
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
      switch try decoder.decodeTimed(line: Array(line.utf8)).get().event {
      case .testFinished(let report): tally.record(report)
      case .testsDiscarded(let discarded): discarded.tests.forEach { tally.discard($0) }
      default: break
      }
    }
    return Dictionary(tally.reports.map { ($0.id, $0.outcome) }, uniquingKeysWith: { $1 })
  }
}
