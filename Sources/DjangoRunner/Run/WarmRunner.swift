import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A warm server: one runner of the project kept alive with Django set up, the test
/// environment installed and the test databases created and migrated. Each warm run is
/// a child it forks, which runs the labels and exits, so every run starts from the
/// databases exactly as they were made: SQLite in memory is copied by the fork, other
/// test databases are cloned for the run (as for `--parallel`) and dropped after. What a
/// fork cannot refresh — a project file the server loaded (settings, models, apps and
/// what they import), migrations, the installed packages — makes it stale: start
/// another one.
public final class WarmRunner {
  public enum State: Equatable, Sendable {
    /// Setting up Django and the databases.
    case starting
    /// Forking runs; `loaded` are the project files the server imported.
    case ready(loaded: Set<String>)
    /// Not usable: why (it could not start, it exited, it was stopped).
    case unavailable(String)
  }

  /// After this many runs, or once its memory has grown by half, the server is replaced,
  /// in case a run left something behind in it (a fork never should; this bounds the
  /// damage of a surprise).
  public static let runsBeforeRecycling = 100
  public static let memoryGrowthBeforeRecycling = 1.5

  /// The plan of a run without labels: what every run it serves must match.
  public let plan: RunPlan
  public private(set) var state = State.starting
  /// Warm runs served so far.
  public private(set) var runs = 0
  /// The server process has ended (after `stop()`, its databases are gone).
  public private(set) var hasExited = false
  /// Called on the reactor's thread when `state` changes.
  public var onStateChange: ((State) -> Void)?

  private let reactor: Reactor
  private var process: RunnerProcess?
  private var channel: EventChannel?
  private var folder: String?
  private var current: RunSession?
  private var child: WarmChild?
  private var outputTail: [UInt8] = []
  private var isStopping = false
  /// The server's resident memory when it became ready, in pages.
  private var readyMemory: Int?

  /// Starts the server for `plan` (its labels are ignored). Parallel and exact-order
  /// runs are never warm.
  public init(plan: RunPlan, reactor: Reactor) {
    var plan = plan
    plan.labels = []
    self.plan = plan
    self.reactor = reactor
    do {
      let folder = try makeTemporaryFolder(prefix: "djdash-warm")
      self.folder = folder
      channel = try EventChannel(path: folder + "/events.sock", reactor: reactor) { [unowned self] update in
        self.handle(update)
      }
      var environment = RunSession.environment(for: plan, folder: folder)
      environment["DJDASH_WARM"] = "1"
      let process = try RunnerProcess(arguments: plan.arguments, directory: plan.directory, environment: environment)
      self.process = process
      for (fd, stream) in [(process.stdout, RunnerOutput.Stream.stdout), (process.stderr, .stderr)] {
        reactor.watch(fd) { [unowned self] in self.drain(fd, stream) }
      }
      if process.exitDescriptor >= 0 {
        reactor.watch(process.exitDescriptor) { [unowned self] in self.serverExited() }
      }
    } catch {
      change(to: .unavailable("the warm runner could not start: \(error)"))
    }
  }

  deinit {
    // Nobody is left to wait for a graceful end: its databases live in its memory.
    process?.signalGroup(SIGKILL)
    process?.reapGroup()
    cleanUp()
  }

  /// Whether it can serve a run of `other` now: ready, idle, and started for the same
  /// command, environment and options.
  public func canRun(_ other: RunPlan) -> Bool {
    guard case .ready = state, current == nil, runs < Self.runsBeforeRecycling else { return false }
    if let readyMemory, let now = residentPages(),
      Double(now) > Double(readyMemory) * Self.memoryGrowthBeforeRecycling
    {
      return false
    }
    if other.exactOrder || other.awaitsLabels { return false }
    if case .number(let count)? = other.options["parallel"], count > 1 { return false }
    if other.options["parallel"] == .string("auto") { return false }
    return plan.canBePrepared(for: other)
  }

  /// Why changing `paths` (relative to the project root) makes this server stale, or nil:
  /// a file it loaded, a migration, or what installs and configures the project.
  public func staleness(afterChanging paths: [String]) -> String? {
    let loaded: Set<String>
    switch state {
    case .ready(let files): loaded = files
    case .starting: return paths.isEmpty ? nil : "the project changed while it started"
    case .unavailable: return nil
    }
    for path in paths {
      let name = String(path.split(separator: "/").last ?? "")
      if loaded.contains(path) { return "\(path) was loaded at start-up (settings, models, apps)" }
      if path.split(separator: "/").dropLast().contains("migrations") && name.hasSuffix(".py") {
        return "\(path) changes the test database"
      }
      if TestSelector.broadFiles.contains(path) || name.hasPrefix("requirements") {
        return "\(path) configures the project"
      }
    }
    return nil
  }

  /// Forks the child for `session`'s run; it connects to `socket` like a new runner.
  func fork(for session: RunSession, labels: [String], socket: String, runDirectory: String) throws {
    guard case .ready = state, current == nil, let connection = channel?.openConnections.first else {
      throw ProjectError("the warm runner is not ready")
    }
    let request: [String: JSONValue] = [
      "cmd": .string("warm_run"), "labels": .array(labels.map(JSONValue.string)), "socket": .string(socket),
      "run_dir": .string(runDirectory),
    ]
    guard connection.send(line: RunSession.json(request)) else { throw ProjectError("the warm runner is gone") }
    current = session
    runs += 1
  }

  /// Ends the server: its databases are destroyed, as at the end of a cold run.
  public func stop() {
    guard !isStopping else { return }
    isStopping = true
    if case .unavailable = state {} else { change(to: .unavailable("stopped")) }
    channel?.broadcast(command: "stop")
    guard let process else { return cleanUp() }
    // Give it a moment to tear its databases down, then make sure.
    reactor.after(5) { [weak self, process] in
      process.signalGroup(SIGKILL)
      process.reapGroup()
      self?.cleanUp()
    }
  }

  private func cleanUp() {
    if let process {
      for fd in [process.stdout, process.stderr, process.exitDescriptor] where fd >= 0 { reactor.unwatch(fd) }
    }
    channel?.close()
    channel = nil
    if let folder { try? FileManager.default.removeItem(atPath: folder) }
    folder = nil
  }

  // MARK: events

  private func change(to new: State) {
    guard new != state else { return }
    state = new
    onStateChange?(new)
  }

  private func handle(_ update: EventChannel.Update) {
    guard case .event(_, let event, _) = update else { return }
    switch event {
    case .warmReady(let loaded, _):
      readyMemory = residentPages()
      change(to: .ready(loaded: Set(loaded)))
    case .warmChildStarted(let pid):
      let child = WarmChild(pid: pid)
      self.child = child
      current?.adopt(child)
    case .warmChildExited(let pid, let termination):
      guard let child, child.pid == pid else { return }
      child.reported = termination
      let session = current
      self.child = nil
      current = nil
      session?.childExited()
    default:
      break
    }
  }

  /// The server's resident set, in pages, from /proc.
  private func residentPages() -> Int? {
    guard let pid = process?.pid,
      let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8)
    else { return nil }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? Int(fields[1]) : nil
  }

  private func drain(_ fd: Int32, _ stream: RunnerOutput.Stream) {
    while true {
      switch readAvailable(fd) {
      case .bytes(let bytes):
        if let current {
          current.receive(bytes, on: stream)
        } else {
          outputTail = Array((outputTail + bytes).suffix(4096))
        }
      case .wouldBlock:
        return
      case .end:
        reactor.unwatch(fd)
        return
      }
    }
  }

  private func serverExited() {
    guard let process else { return }
    reactor.unwatch(process.exitDescriptor)
    hasExited = true
    let how = process.reap().map { "\($0)" } ?? "?"
    if !isStopping {
      let said = String(decoding: outputTail, as: UTF8.self).split(separator: "\n").suffix(8).joined(separator: "\n")
      change(to: .unavailable("the warm runner exited (\(how))" + (said.isEmpty ? "" : ": \(said)")))
    }
    // A child it left running has become djdash's: its session reaps it.
    current = nil
    child = nil
    cleanUp()
  }
}
