import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A real, third-party reusable Django app whose test suite ships in its sdist on PyPI:
/// what to fetch and how its own docs (tox.ini, Makefile, CONTRIBUTING) run its tests.
public struct RealProject: Sendable, CustomStringConvertible {
  /// The name on PyPI.
  public var name: String
  /// The exact version fetched.
  public var version: String
  /// The test entry point, as `djdash run --command` takes it.
  public var command: String
  /// Where the command runs, relative to the unpacked sdist ("" for its root).
  public var folder: String = ""
  /// Extra environment for the command (the project's documented settings).
  public var environment: [String: String] = [:]
  /// Whether the command passes Django's test flags through (a management command or a
  /// script that hands argv to one). A script that parses its own arguments does not:
  /// Django's own runner then gets `--parallel` as a DiscoverRunner keyword argument.
  public var takesFlags: Bool
  /// Packages the test suite needs besides Django (pinned).
  public var testRequirements: [String] = []
  /// Whether the app itself must be installed into the venv (it reads its own
  /// distribution metadata); otherwise it runs from the source folder, as its docs say.
  public var isInstalled = false
  /// Fewer tests than this in Django's own run means the suite was not found.
  public var minimumTests: Int

  public var description: String { "\(name) \(version)" }

  /// Folder names of the cache: `.build/real-projects/src/<name>-<version>`.
  var slug: String { "\(name)-\(version)" }
}

extension RealProject {
  /// A `runtests.py` that imports `django.test.runner` before it calls
  /// `settings.configure()`, parses its own arguments (no test labels) and runs two
  /// suites with two DiscoverRunners in one process. tox: `runtests.py {posargs}`.
  public static let simpleHistory = RealProject(
    name: "django-simple-history", version: "3.13.0", command: "python runtests.py", takesFlags: false,
    isInstalled: true, minimumTests: 300)

  /// A `runtests.py` that sets DJANGO_SETTINGS_MODULE to the test project in `tests/`
  /// and hands argv to `manage.py test`; skips and expected failures included.
  public static let filter = RealProject(
    name: "django-filter", version: "26.2", command: "python runtests.py", takesFlags: true,
    testRequirements: [
      "djangorestframework==3.18.3", "django-crispy-forms==2.7", "Markdown==3.11.3", "pytz==2026.6",
    ], minimumTests: 500)

  /// A test project in `tests/` with its own manage.py (tox: `tests/manage.py test testapp`).
  public static let jsAsset = RealProject(
    name: "django-js-asset", version: "5.0.0", command: "python tests/manage.py test testapp", takesFlags: true,
    minimumTests: 40)

  /// `python -m django test` at the root with a settings module (tox).
  public static let widgetTweaks = RealProject(
    name: "django-widget-tweaks", version: "1.5.1", command: "python -m django test --settings=tests.settings",
    takesFlags: true, minimumTests: 60)

  /// `python -m django test` at the root with `DJANGO_SETTINGS_MODULE` in the environment
  /// (tox); its Redis backend talks to an in-process stand-in (`tests/redis_mockup.py`).
  public static let constance = RealProject(
    name: "django-constance", version: "4.4.0", command: "python -m django test",
    environment: ["DJANGO_SETTINGS_MODULE": "tests.settings"], takesFlags: true, testRequirements: ["redis==8.1.0"],
    minimumTests: 140)

  public static let all: [RealProject] = [.simpleHistory, .filter, .jsAsset, .widgetTweaks, .constance]
}

/// Fetches the real projects' sdists from PyPI and builds the venv that runs them, once,
/// under `.build/real-projects` (so a clean clone bootstraps itself); a file lock makes it
/// safe for several test processes at once.
public enum RealProjects {
  /// The cache folder.
  public static let root = TestPaths.packageRoot + "/.build/real-projects"
  /// Django for every real project (the 5.2 series, pinned).
  public static let django = "Django==5.2.19"

  static var venv: String { root + "/venv" }

  /// Everything the venv holds, in a stable order: what its stamp records.
  static var requirements: [String] {
    [django] + RealProject.all.flatMap(\.testRequirements)
      + RealProject.all.filter(\.isInstalled).map { "\($0.name)==\($0.version) (from its sdist)" }
  }

  /// A fresh copy of `project`'s unpacked sdist in a temporary folder, so runs never write
  /// into the cache, and the interpreter to run it with.
  ///
  /// - Returns: the folder to run the project's command in, and the venv's python.
  public static func checkout(_ project: RealProject, python313: Bool = false) throws -> (
    folder: String, python: String
  ) {
    let python = python313 ? try preparePython313() : try prepare()
    let copy = try TestPaths.temporaryFolder("djdash-real") + "/" + project.slug
    try FileManager.default.copyItem(atPath: source(of: project), toPath: copy)
    return (project.folder.isEmpty ? copy : copy + "/" + project.folder, python)
  }

  /// The unpacked sdist (in the cache).
  static func source(of project: RealProject) -> String { root + "/src/" + project.slug }

  /// Fetches and unpacks every sdist and builds the venv, unless done already.
  /// - Returns: the venv's python.
  public static func prepare() throws -> String {
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let lock = open(root + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard lock >= 0 else { throw TestSetupError("cannot create \(root)/.lock") }
    defer { close(lock) }
    flock(lock, LOCK_EX)
    for project in RealProject.all where !FileManager.default.fileExists(atPath: source(of: project) + "/.unpacked") {
      try unpack(project, archive: try download(project))
    }
    return try buildVenv()
  }

  /// `pip download --no-deps --no-binary :all:` into `sdists/<name>-<version>/`.
  private static func download(_ project: RealProject) throws -> String {
    let folder = root + "/sdists/" + project.slug
    if let archive = try? archive(in: folder) { return archive }
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let pip = try Shell.run(
      [
        basePython, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps", "--no-binary", ":all:",
        "--dest", folder, "\(project.name)==\(project.version)",
      ])
    guard pip.status == 0 else { throw TestSetupError("pip download \(project) failed:\n\(pip.output)") }
    return try archive(in: folder)
  }

  private static func archive(in folder: String) throws -> String {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tar.gz") }
    guard files.count == 1 else { throw TestSetupError("expected one sdist in \(folder), found \(files)") }
    return folder + "/" + files[0]
  }

  private static func unpack(_ project: RealProject, archive: String) throws {
    let destination = source(of: project)
    try? FileManager.default.removeItem(atPath: destination)
    try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
    let untar = try Shell.run(["/bin/tar", "-xzf", archive, "-C", destination, "--strip-components=1"])
    guard untar.status == 0 else { throw TestSetupError("cannot unpack \(archive):\n\(untar.output)") }
    guard FileManager.default.createFile(atPath: destination + "/.unpacked", contents: Data()) else {
      throw TestSetupError("cannot write \(destination)/.unpacked")
    }
  }

  private static var basePython: String {
    ProcessInfo.processInfo.environment["DJDASH_TEST_BASE_PYTHON"] ?? "python3"
  }

  /// The same projects and packages on Python 3.13 (where `sys.monitoring` records what
  /// each test executes), in a venv inside the Debian 13 root (`DjangoVersion.v60`'s),
  /// with a wrapper that runs it under chroot in the caller's folder.
  ///
  /// - Returns: the wrapper.
  public static func preparePython313() throws -> String {
    _ = try prepare()
    let rootWrapper = try DjangoVersion.v60.python()  // builds and mounts the root
    let system = ProcessInfo.processInfo.environment["DJDASH_PY313_ROOT"] ?? "/var/cache/djdash/py313-root"
    let rootFolder = system.hasSuffix("/") ? String(system.dropLast()) : system
    guard FileManager.default.fileExists(atPath: rootFolder + "/usr/bin/python3") else {
      throw TestSetupError("no Python 3.13 root at \(rootFolder) (the 6.0 wrapper is \(rootWrapper))")
    }
    let lock = open(root + "/.lock313", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard lock >= 0 else { throw TestSetupError("cannot create \(root)/.lock313") }
    defer { close(lock) }
    flock(lock, LOCK_EX)
    let inside = "/opt/djdash-real-projects"
    let wrapper = root + "/python313"
    let stamp = rootFolder + inside + "/.requirements"
    let wanted = requirements.joined(separator: "\n")
    if FileManager.default.isExecutableFile(atPath: wrapper),
      (try? String(contentsOfFile: stamp, encoding: .utf8)) == wanted
    {
      return wrapper
    }
    try? FileManager.default.removeItem(atPath: rootFolder + inside)
    let made = try Shell.run(["chroot", rootFolder, "python3", "-m", "venv", inside])
    guard made.status == 0 else { throw TestSetupError("python3 -m venv in the root failed:\n\(made.output)") }
    var environment = ProcessInfo.processInfo.environment
    environment["PIP_FIND_LINKS"] = nil
    let pip = ["chroot", rootFolder, inside + "/bin/pip", "install", "-q", "--disable-pip-version-check"]
    let packages = [django] + RealProject.all.flatMap(\.testRequirements)
    let installed = try Shell.run(pip + packages, environment: environment)
    guard installed.status == 0 else { throw TestSetupError("pip install in the root failed:\n\(installed.output)") }
    for project in RealProject.all where project.isInstalled {
      let app = try Shell.run(pip + ["--no-deps", source(of: project)], environment: environment)
      guard app.status == 0 else { throw TestSetupError("pip install \(project) in the root failed:\n\(app.output)") }
    }
    try wanted.write(toFile: stamp, atomically: true, encoding: .utf8)
    let script =
      "#!/bin/sh\nexec chroot '\(rootFolder)' sh -c 'cd \"$0\" && exec \(inside)/bin/python \"$@\"' \"$PWD\" \"$@\"\n"
    try script.write(toFile: wrapper, atomically: true, encoding: .utf8)
    chmod(wrapper, 0o755)
    return wrapper
  }

  /// One venv for all real projects; its `.requirements` stamp says what it holds.
  private static func buildVenv() throws -> String {
    let python = venv + "/bin/python"
    let stamp = venv + "/.requirements"
    let wanted = requirements.joined(separator: "\n")
    if FileManager.default.isExecutableFile(atPath: python),
      (try? String(contentsOfFile: stamp, encoding: .utf8)) == wanted
    {
      return python
    }
    try? FileManager.default.removeItem(atPath: venv)
    let made = try Shell.run([basePython, "-m", "venv", venv])
    guard made.status == 0 else { throw TestSetupError("python3 -m venv failed:\n\(made.output)") }
    let pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    let packages = [django] + RealProject.all.flatMap(\.testRequirements)
    let installed = try Shell.run(pip + packages)
    guard installed.status == 0 else {
      throw TestSetupError("pip install \(packages.joined(separator: " ")) failed:\n\(installed.output)")
    }
    for project in RealProject.all where project.isInstalled {
      // From the unpacked sdist, as tox installs it; its dependencies are Django only.
      let app = try Shell.run(pip + ["--no-deps", source(of: project)])
      guard app.status == 0 else { throw TestSetupError("pip install \(project) failed:\n\(app.output)") }
    }
    try wanted.write(toFile: stamp, atomically: true, encoding: .utf8)
    return python
  }
}

/// Django's own run of a command: its verdicts per test id, the order its tests
/// started in, its exit status and output.
public struct DjangoRun {
  public var outcomes: [String: TestOutcome]
  /// Test ids as the tests started (in the parent: under --parallel, as replayed).
  public var order: [String]
  public var status: Int32
  public var output: String
  /// Tests per verdict, every verdict present (as in `RunSummary.counts`).
  public var counts: [TestOutcome: Int] {
    var counts = Dictionary(uniqueKeysWithValues: TestOutcome.allCases.map { ($0, 0) })
    for outcome in outcomes.values { counts[outcome, default: 0] += 1 }
    return counts
  }
}

extension DjangoOracle {
  /// Runs a project's own test command with plain Django (no djdash hook), through the
  /// oracle's script mode (`python djdash_oracle.py SCRIPT …` or `… -m MODULE …`), which
  /// judges DiscoverRunner itself and so keeps the project's entry point and runner.
  ///
  /// - Parameters:
  ///   - command: the command as `djdash run --command` takes it, starting with `python`.
  ///   - arguments: appended to the command (flags such as `--parallel 2`).
  ///   - options: DiscoverRunner keyword arguments for a script that parses no flags.
  public static func run(
    command: String, arguments: [String] = [], python: String, in folder: String,
    environment extra: [String: String] = [:], options: [String: Int] = [:]
  ) throws -> DjangoRun {
    var words = try ShellWords.split(command)
    guard let first = words.first, first == "python" || first == "python3" else {
      throw TestSetupError("the oracle runs Python commands only, not \(command)")
    }
    words[0] = TestPaths.fixtures + "/oracle/djdash_oracle.py"
    let scratch = try TestPaths.temporaryFolder("djdash-oracle")
    let output = scratch + "/verdicts.json"
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    environment["DJDASH_ORACLE_OUT"] = output
    environment["DJDASH_ORACLE_ORDER_OUT"] = scratch + "/order.txt"
    // Prepended, as djdash prepends its hook: the command sees the same PYTHONPATH otherwise.
    environment["PYTHONPATH"] = [TestPaths.fixtures + "/oracle", environment["PYTHONPATH"]].compactMap { $0 }
      .filter { !$0.isEmpty }.joined(separator: ":")
    if !options.isEmpty {
      let json = try JSONSerialization.data(withJSONObject: options, options: [.sortedKeys])
      environment["DJDASH_ORACLE_OPTIONS"] = String(decoding: json, as: UTF8.self)
    }
    for key in ["DJDASH_SOCKET", "DJDASH_ROLE", "DJDASH_OPTIONS"] { environment[key] = nil }
    let result = try Shell.run([python] + words + arguments, in: folder, environment: environment)
    guard let data = FileManager.default.contents(atPath: output) else {
      throw TestSetupError("the oracle wrote nothing; Django said:\n\(result.output)")
    }
    let raw = try JSONDecoder().decode([String: String].self, from: data)
    let outcomes = try raw.mapValues { value in
      guard let outcome = TestOutcome(rawValue: value) else { throw TestSetupError("oracle verdict \(value)") }
      return outcome
    }
    let order = ((try? String(contentsOfFile: scratch + "/order.txt", encoding: .utf8)) ?? "")
      .split(separator: "\n").map(String.init)
    return DjangoRun(outcomes: outcomes, order: order, status: result.status, output: result.output)
  }
}
