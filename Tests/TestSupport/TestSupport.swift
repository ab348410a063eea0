import CShims
import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where things are for tests: the package, the fixture projects, the demo.
public enum TestPaths {
  /// The package root (the folder with Package.swift).
  public static let packageRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  public static let fixtures = packageRoot + "/Tests/Fixtures"
  public static let demo = packageRoot + "/Sources/djdash/Demo"
  /// The hook as djdash ships it: the copy in the resource bundle beside the test binary,
  /// which every build refreshes from Sources/DjangoRunner/Hook. Runs cache the hook's
  /// bytecode beside it (see sitecustomize.py): here, never in the sources, whose
  /// `__pycache__` folders the next build would copy into the bundle.
  public static let hook: String = {
    let sources = packageRoot + "/Sources/DjangoRunner/Hook"
    guard let bundled = try? BundledResources.hookDirectory(environment: [:]), bundled != sources else {
      return sources
    }
    return bundled
  }()
  /// The djdash binary built beside the test bundle.
  public static var binary: String {
    let folder =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      .map { ($0 as NSString).deletingLastPathComponent } ?? ""
    return folder + "/djdash"
  }

  /// A fresh, empty temporary folder (removed by the caller or left for the OS).
  public static func temporaryFolder(_ prefix: String = "djdash-test") throws -> String {
    try makeTemporaryFolder(prefix: prefix)
  }

  /// Writes `manage_spawn.py` into a kitchen copy: manage.py with multiprocessing's
  /// `spawn` start method, so parallel workers start fresh instead of forking.
  /// Returns the command to run it with.
  public static func addSpawnManagePy(to project: String) throws -> String {
    try addManagePy(to: project, startMethod: "spawn")
  }

  /// Writes `manage_forkserver.py` into a kitchen copy: manage.py with multiprocessing's
  /// `forkserver` start method (Django 6.0+; Python 3.14's default on Linux), so parallel
  /// workers are forked by a server process started before Django set anything up.
  /// Returns the command to run it with.
  public static func addForkserverManagePy(to project: String) throws -> String {
    try addManagePy(to: project, startMethod: "forkserver")
  }

  private static func addManagePy(to project: String, startMethod: String) throws -> String {
    try """
    import multiprocessing, os, sys
    if __name__ == "__main__":
        multiprocessing.set_start_method("\(startMethod)", force=True)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitchen.settings")
        from django.core.management import execute_from_command_line
        execute_from_command_line(sys.argv)
    """.write(toFile: project + "/manage_\(startMethod).py", atomically: true, encoding: .utf8)
    return "python manage_\(startMethod).py test"
  }

  /// Saves `text` to `file` the way many editors do: a new file renamed over the old one.
  public static func saveLikeAnEditor(_ text: String, to file: String) throws {
    let temporary = file + ".djdash-save"
    try text.write(toFile: temporary, atomically: false, encoding: .utf8)
    guard rename(temporary, file) == 0 else { throw CocoaError(.fileWriteUnknown) }
  }

  /// Copies a fixture project (or the demo) to a temporary folder, so runs never write
  /// into the source tree.
  public static func copy(_ folder: String) throws -> String {
    let destination = try temporaryFolder("djdash-project") + "/" + (folder as NSString).lastPathComponent
    try FileManager.default.copyItem(atPath: folder, toPath: destination)
    return destination
  }
}

public struct TestSetupError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// The Django versions the tests run against. 5.2 and 4.2 live in venvs the tests create
/// on first use (under .build/, so a clean clone bootstraps itself) from the machine's
/// Python; 6.0 and 6.1 need Python 3.12+, so they live in a Debian 13 root that
/// `Tests/Scripts/python313-root` makes once per machine (see `python()`).
public enum DjangoVersion: String, Sendable {
  case v61 = "6.1"
  case v60 = "6.0"
  case v52 = "5.2"
  case v42 = "4.2"

  /// The versions on the machine's own Python, which most end-to-end tests loop over:
  /// running every such test on four versions would double the suite's time.
  public static let local: [DjangoVersion] = [.v52, .v42]

  /// Every version djdash supports: for the hook's own tests and the verdict proofs.
  public static let supported: [DjangoVersion] = [.v61, .v60, .v52, .v42]

  /// Whether the version runs in the Python 3.13 root rather than a local venv.
  public var needsNewerPython: Bool { self == .v60 || self == .v61 }

  /// What the venv holds: Django, and psycopg for the PostgreSQL tests (the 6.x venvs
  /// hold the same; their requirements are in the root's script).
  var requirements: [String] {
    switch self {
    case .v61: return ["Django>=6.1,<6.2", "psycopg[binary]>=3.1"]
    case .v60: return ["Django>=6.0,<6.1", "psycopg[binary]>=3.1"]
    case .v52: return ["Django>=5.2,<5.3", "psycopg[binary]>=3.1"]
    case .v42: return ["Django>=4.2,<4.3", "psycopg[binary]>=3.1"]
    }
  }

  /// The venv's folder: .build/djdash-venvs/django-X.Y (local versions only).
  public var venv: String { TestPaths.packageRoot + "/.build/djdash-venvs/django-\(rawValue)" }

  /// The venv's Python, creating the venv and installing Django if needed. Safe to call
  /// from several test processes at once (a file lock serialises the installs).
  ///
  /// For 6.0 and 6.1 it is a wrapper script that runs the root's venv Python under
  /// `chroot`, in the same folder and environment; the first call on a machine builds
  /// the root (about 1.5 minutes, needs root and Debian's mirror), later ones only check
  /// its mounts.
  public func python() throws -> String {
    if needsNewerPython { return try Self.rootPython(self) }
    let python = venv + "/bin/python"
    let check =
      "import django, psycopg, sys; sys.exit(0 if django.get_version().startswith('\(rawValue).') else 1)"
    if FileManager.default.isExecutableFile(atPath: python), (try? Shell.run([python, "-c", check]))?.status == 0 {
      return python
    }
    try FileManager.default.createDirectory(atPath: venv + "/..", withIntermediateDirectories: true)
    let lock = open(venv + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard lock >= 0 else { throw TestSetupError("cannot create \(venv).lock") }
    defer { close(lock) }
    flock(lock, LOCK_EX)
    if FileManager.default.isExecutableFile(atPath: python), (try? Shell.run([python, "-c", check]))?.status == 0 {
      return python
    }
    try? FileManager.default.removeItem(atPath: venv)
    let system = ProcessInfo.processInfo.environment["DJDASH_TEST_BASE_PYTHON"] ?? "python3"
    let made = try Shell.run([system, "-m", "venv", venv])
    guard made.status == 0 else { throw TestSetupError("python3 -m venv failed:\n\(made.output)") }
    let pip = try Shell.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + requirements)
    guard pip.status == 0 else {
      throw TestSetupError("pip install \(requirements.joined(separator: " ")) failed:\n\(pip.output)")
    }
    return python
  }

  /// This version's wrapper from those Tests/Scripts/python313-root made.
  private static func rootPython(_ version: DjangoVersion) throws -> String {
    try Python313Root.wrapper(named: "python-\(version.rawValue)", neededFor: "Django \(version.rawValue)")
  }
}

/// The Debian 13 root with Python 3.13 (and no Swift) that Tests/Scripts/python313-root
/// makes once per machine and mounts for the tests.
public enum Python313Root {
  /// Runs the script (which locks, builds the root once and mounts what the tests need)
  /// and returns the wrapper called `name`: `python-6.1`, or `in-root`, which runs any
  /// command of the root in the same folder and environment.
  ///
  /// - Parameter purpose: what needs the root, for the error message.
  public static func wrapper(named name: String, neededFor purpose: String) throws -> String {
    let script = TestPaths.packageRoot + "/Tests/Scripts/python313-root"
    let result = try Shell.run(["/bin/bash", script, TestPaths.packageRoot], timeout: 900)
    let wrapper = result.stdout.split(separator: "\n").map(String.init).first { $0.hasSuffix("/" + name) }
    guard result.status == 0, let wrapper else {
      throw TestSetupError("Tests/Scripts/python313-root failed (\(purpose) needs it):\n\(result.output)")
    }
    return wrapper
  }
}

/// Runs helper programs from tests (pip, Django directly, the djdash binary), through
/// djdash's own process layer: Foundation's Process was seen to leave a finished child
/// unreaped here, hanging `waitUntilExit()` for good.
public enum Shell {
  public struct Result {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// stdout, then stderr.
    public var output: String { stdout + stderr }
  }

  /// Runs `arguments` to completion and returns its status and output. A bare program
  /// name is looked up in the PATH of `environment`.
  ///
  /// - Parameters:
  ///   - timeout: seconds before the program's process group is killed.
  ///   - whileRunning: called about every 50 ms with the program's pid until it exits.
  public static func run(
    _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
    timeout: Double = 600, whileRunning: ((pid_t) -> Void)? = nil
  ) throws -> Result {
    let completion: RunnerProcess.Completion
    do {
      completion = try RunnerProcess.runToCompletion(
        arguments, directory: directory ?? FileManager.default.currentDirectoryPath,
        environment: environment ?? ProcessInfo.processInfo.environment, timeout: timeout,
        whileRunning: { whileRunning?($0.pid) })
    } catch let error as SpawnError {
      throw TestSetupError(error.description)
    }
    return Result(
      status: completion.status, stdout: String(decoding: completion.stdout, as: UTF8.self),
      stderr: String(decoding: completion.stderr, as: UTF8.self))
  }

  /// Runs the djdash binary as a user would, without colour, to its end.
  public static func djdash(
    _ arguments: [String], in folder: String, environment extra: [String: String] = [:],
    whileRunning: ((pid_t) -> Void)? = nil
  ) throws -> Result {
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    environment["NO_COLOR"] = "1"
    return try run([TestPaths.binary] + arguments, in: folder, environment: environment, whileRunning: whileRunning)
  }
}

/// Presses Ctrl-C once on a djdash run, as soon as its `--events` file shows a test has
/// started: pass `press` as `Shell.djdash`'s `whileRunning`.
public final class CtrlCOnceATestStarts {
  public let events: String
  public private(set) var hasPressed = false

  public init(events: String) {
    self.events = events
  }

  public func press(_ pid: pid_t) {
    guard !hasPressed, let text = try? String(contentsOfFile: events, encoding: .utf8),
      text.contains("\"test_started\"")
    else { return }
    hasPressed = true
    kill(pid, SIGINT)
  }
}

/// A finished run, as a test sees it.
public struct RecordedRun {
  public var events: [TimedEvent]
  public var summary: RunSummary
  public var tally: RunTally

  /// Each reported test's verdict.
  public var outcomes: [String: TestOutcome] {
    Dictionary(tally.reports.map { ($0.id, $0.outcome) }, uniquingKeysWith: { $1 })
  }

  public func report(_ id: String) -> TestReport? { tally.report(for: id) }

  /// Events of one kind, by name (`test_started`, …).
  public func events(named name: String) -> [TimedEvent] { events.filter { $0.event.name == name } }

  /// Everything the runner printed outside tests.
  public var runnerOutput: String {
    events.compactMap { if case .output(let output) = $0.event { return output.text } else { return nil } }.joined()
  }
}

/// Runs a project's tests through a real RunSession, in this process.
public enum TestRun {
  /// - Parameters:
  ///   - project: the project folder (with manage.py unless `request.command` is set).
  ///   - request: labels and flags, as `djdash run` would take them.
  ///   - environment: extra variables for the runner.
  ///   - timeout: seconds before the run is aborted and the test fails.
  ///   - during: called for every event, with the session (to interrupt it, say).
  public static func run(
    project: String, python: String, request: RunRequest = RunRequest(),
    environment extra: [String: String] = [:], timeout: Double = 120,
    during: ((TimedEvent, RunSession) -> Void)? = nil
  ) throws -> RecordedRun {
    // Like djdash: workers orphaned by a killed runner become ours, so they are reaped.
    _ = djdash_become_subreaper()
    var request = request
    request.python = python
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    environment["DJDASH_HOOK_DIR"] = TestPaths.hook
    let located = try Project.locate(from: project, command: request.command)
    let plan = try located.plan(for: request, directory: project, environment: environment)
    let reactor = Reactor()
    var events: [TimedEvent] = []
    var sessionRef: RunSession?
    let session = RunSession(plan: plan, reactor: reactor) { event in
      events.append(event)
      if let during, let session = sessionRef { during(event, session) }
    }
    sessionRef = session
    session.start()
    let deadline = reactor.clock.now() + timeout
    var aborted = false
    while !session.isFinished {
      reactor.runOnce(timeout: 0.1)
      if !aborted, reactor.clock.now() > deadline {
        aborted = true
        session.abort()
      }
    }
    guard let summary = session.summary else { throw TestSetupError("the run did not finish") }
    if aborted { throw TestSetupError("the run took longer than \(timeout) s and was aborted") }
    return RecordedRun(events: events, summary: summary, tally: session.tally)
  }
}

/// Django's own verdicts for a suite, from the oracle runner in Tests/Fixtures/oracle.
public enum DjangoOracle {
  /// What Django itself said about a run: its verdicts, exit status and "Ran N tests".
  public struct Verdict {
    public var verdicts: [String: TestOutcome]
    public var status: Int32
    /// N of Django's closing "Ran N tests" line; nil when it printed none.
    public var ran: Int?
    public var output: String
  }

  /// Runs `manage.py test --testrunner djdash_oracle.OracleRunner` with plain Django
  /// (no djdash hook) and returns its verdict per test id.
  ///
  /// - Parameter script: the management script to run, e.g. `manage_forkserver.py`.
  public static func verdicts(
    project: String, python: String, script: String = "manage.py", arguments: [String] = [],
    environment extra: [String: String] = [:]
  )
    throws -> [String: TestOutcome]
  {
    try run(project: project, python: python, script: script, arguments: arguments, environment: extra).verdicts
  }

  /// Like `verdicts`, with Django's exit status and closing counts too.
  public static func run(
    project: String, python: String, script: String = "manage.py", arguments: [String] = [],
    environment extra: [String: String] = [:]
  ) throws -> Verdict {
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    environment["PYTHONPATH"] = TestPaths.fixtures + "/oracle"
    return try run(
      of: [python, script, "test", "--noinput", "--testrunner", "djdash_oracle.OracleRunner"] + arguments,
      in: project, environment: environment)
  }

  /// Django's own verdicts for a script that takes its runner from `get_runner(settings)`
  /// (a reusable app's runtests.py): the oracle runs the script with `get_runner`
  /// returning its OracleRunner.
  public static func verdicts(
    ofScript script: String, project: String, python: String, arguments: [String] = [],
    environment extra: [String: String] = [:]
  ) throws -> [String: TestOutcome] {
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    environment["PYTHONPATH"] = [TestPaths.fixtures + "/oracle", extra["PYTHONPATH"]].compactMap { $0 }
      .joined(separator: ":")
    return try run(
      of: [python, TestPaths.fixtures + "/oracle/djdash_oracle.py", script] + arguments, in: project,
      environment: environment
    ).verdicts
  }

  private static func run(of command: [String], in project: String, environment: [String: String]) throws
    -> Verdict
  {
    let output = try TestPaths.temporaryFolder("djdash-oracle") + "/verdicts.json"
    var environment = environment
    environment["DJDASH_ORACLE_OUT"] = output
    for key in ["DJDASH_SOCKET", "DJDASH_ROLE"] { environment[key] = nil }
    let result = try Shell.run(command, in: project, environment: environment)
    guard let data = FileManager.default.contents(atPath: output) else {
      throw TestSetupError("the oracle wrote nothing; Django said:\n\(result.output)")
    }
    let raw = try JSONDecoder().decode([String: String].self, from: data)
    let verdicts = try raw.mapValues { value in
      guard let outcome = TestOutcome(rawValue: value) else { throw TestSetupError("oracle verdict \(value)") }
      return outcome
    }
    return Verdict(verdicts: verdicts, status: result.status, ran: ranCount(in: result.output), output: result.output)
  }

  /// The test id, or the module or class Django could not load, that a reported id stands
  /// for: `setUpClass (a.b.Class)` → `a.b.Class`, `unittest.loader._FailedTest.a.b` → `a.b`.
  public static func dottedName(of id: String) -> String {
    if let open = id.firstIndex(of: "("), id.hasSuffix(")") {
      return String(id[id.index(after: open)..<id.index(before: id.endIndex)])
    }
    for prefix in ["unittest.loader._FailedTest.", "unittest.loader.ModuleImportFailure."] where id.hasPrefix(prefix) {
      return String(id.dropFirst(prefix.count))
    }
    return id
  }

  /// N of unittest's "Ran N tests in …" line.
  public static func ranCount(in output: String) -> Int? {
    for line in output.split(separator: "\n").reversed() where line.hasPrefix("Ran ") {
      return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
    return nil
  }
}

/// A real PostgreSQL server for the tests, started in a temporary folder and reached
/// only through a Unix socket there (no TCP port). Stopped when the test process ends.
public final class PostgresServer: @unchecked Sendable {
  /// The socket folder: Django's HOST.
  public let socketDirectory: String
  public let port = 5432
  public let user = "postgres"
  private let dataDirectory: String
  private let binaries: String
  private let runAs: [String]

  /// One server per test process, started on first use.
  public static func shared() throws -> PostgresServer {
    try sharedServer.get()
  }

  private static let sharedServer: Result<PostgresServer, any Error> = Result { try PostgresServer() }

  private init() throws {
    guard let binaries = Self.findBinaries() else {
      throw TestSetupError("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    }
    self.binaries = binaries
    let folder = try TestPaths.temporaryFolder("djdash-pg")
    socketDirectory = folder
    dataDirectory = folder + "/data"
    // initdb refuses to run as root: run the server as the postgres user then.
    runAs = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
    if getuid() == 0 {
      guard (try? Shell.run(["/usr/bin/chown", "postgres", folder]))?.status == 0 else {
        throw TestSetupError("cannot hand \(folder) to the postgres user")
      }
    }
    let initdb = try Shell.run(
      runAs + [binaries + "/initdb", "-D", dataDirectory, "-A", "trust", "-U", user, "--no-sync"])
    guard initdb.status == 0 else { throw TestSetupError("initdb failed:\n\(initdb.output)") }
    let options = "-k \(folder) -c listen_addresses='' -c fsync=off -c full_page_writes=off -p \(port)"
    let start = try Shell.run(
      runAs + [binaries + "/pg_ctl", "-D", dataDirectory, "-o", options, "-l", folder + "/server.log", "-w", "start"])
    guard start.status == 0 else {
      let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
      throw TestSetupError("pg_ctl start failed:\n\(start.output)\n\(log)")
    }
    // Stop the server when the test process ends: an immediate shutdown by signal, as
    // nothing may be spawned during exit.
    if let pidFile = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
      let line = pidFile.split(separator: "\n").first, let postmaster = Int32(line), postmaster > 1
    {
      postmasterPID = postmaster
      atexit { if postmasterPID > 1 { kill(postmasterPID, SIGQUIT) } }
    }
  }

  /// Names of the databases that exist now.
  public func databases() throws -> [String] {
    let result = try Shell.run(
      [
        binaries + "/psql", "-h", socketDirectory, "-p", String(port), "-U", user, "-d", "postgres", "-At", "-c",
        "SELECT datname FROM pg_database",
      ])
    guard result.status == 0 else { throw TestSetupError("psql failed: \(result.output)") }
    return result.output.split(separator: "\n").map(String.init)
  }

  /// Environment for the kitchen fixture's settings_pg.
  public var environment: [String: String] {
    ["DJDASH_PG_HOST": socketDirectory, "DJDASH_PG_PORT": String(port), "DJDASH_PG_USER": user]
  }

  private static func findBinaries() -> String? {
    var candidates = ["/usr/lib/postgresql"].flatMap { root in
      ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted().reversed().map {
        "\(root)/\($0)/bin"
      }
    }
    candidates.append("/usr/local/bin")
    candidates.append("/usr/bin")
    return candidates.first {
      FileManager.default.isExecutableFile(atPath: $0 + "/initdb")
        && FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl")
    }
  }
}

nonisolated(unsafe) private var postmasterPID: Int32 = 0
