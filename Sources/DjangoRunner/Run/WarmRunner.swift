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
public final class WarmRunner: WarmServer {
  public enum State: Equatable, Sendable {
    /// Setting up Django and the databases.
    case starting
    /// Forking runs; `loaded` are the project files the server imported.
    case ready(loaded: Set<String>)
    /// Set up, but a change while it started touched a file it loaded: replace it.
    case stale(String)
    /// Not usable: why (it could not start, it exited, it was stopped).
    case unavailable(String)
  }

  /// After this many runs the server is replaced, in case a run left something behind
  /// in it (a fork never should; this bounds the damage of a surprise). Its memory does
  /// not grow with runs: they happen in its children.
  public static let runsBeforeRecycling = 100

  /// The plan of a run without labels: what every run it serves must match.
  public let plan: RunPlan
  public private(set) var state = State.starting
  /// Warm runs served so far.
  public private(set) var runs = 0
  /// A run it forked has not ended yet.
  public var isBusy: Bool { current != nil }
  /// The loaded files its children can refresh in function bodies, with their text as
  /// the server loaded it: those it reported refreshable whose stamp was still the same
  /// when read here (a save since it imported them leaves a file out).
  public private(set) var loadedTexts: [String: String] = [:]
  /// The server process has ended (after `stop()`, its databases are gone).
  public private(set) var hasExited = false
  /// Called on the reactor's thread when `state` changes.
  public var onStateChange: ((State) -> Void)?

  private let reactor: Reactor
  private var process: RunnerProcess?
  private var channel: EventChannel?
  private var folder: String?
  private var current: (any WarmRun)?
  private var child: WarmChild?
  private var outputTail: [UInt8] = []
  private var isStopping = false
  /// Changes seen while it was still starting: checked against what it loaded.
  private var changedWhileStarting: [String] = []

  /// Starts the server for `plan`, the plan of a run without labels (see `canServe`).
  ///
  /// - Parameter onStateChange: called on the reactor's thread when `state` changes,
  ///   already for a failure to start.
  public init(plan: RunPlan, reactor: Reactor, onStateChange: ((State) -> Void)? = nil) {
    self.plan = plan
    self.reactor = reactor
    self.onStateChange = onStateChange
    do {
      let folder = try makeTemporaryFolder(prefix: "djdash-warm")
      self.folder = folder
      channel = try EventChannel(path: folder + "/events.sock", reactor: reactor) { [unowned self] update in
        self.handle(update)
      }
      var environment = RunnerEnvironment.variables(for: plan, folder: folder)
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

  /// Why runs of `plan` are never warm, or nil when a warm server can serve them:
  /// parallel runs need their own workers, exact-order runs their own process.
  public static func whyCannotServe(_ plan: RunPlan) -> String? {
    if plan.exactOrder { return "exact-order runs are never warm" }
    if case .number(let count)? = plan.options["parallel"], count > 1 { return "parallel runs are never warm" }
    if plan.options["parallel"] == .string("auto") { return "parallel runs are never warm" }
    return nil
  }

  /// Whether it can serve a run of `other` now: ready, idle, not due for recycling, and
  /// started for the same command, environment and options (`LaunchPolicy.whyNotWarm`).
  public func canRun(_ other: RunPlan) -> Bool {
    LaunchPolicy.whyNotWarm(
      other, on: LaunchPolicy.WarmRunnerFacts(plan: plan, state: state, runs: runs, isBusy: isBusy)) == nil
  }

  /// Why changing `paths` (relative to the project root) makes this server stale, or nil:
  /// a file it loaded, a migration, or what installs and configures the project.
  public func staleness(afterChanging paths: [String]) -> String? {
    switch state {
    case .ready(let loaded): return LaunchPolicy.staleness(of: paths, loaded: loaded)
    case .starting:
      // Known once it says what it loaded.
      changedWhileStarting += paths
      return nil
    case .stale, .unavailable: return nil
    }
  }

  /// Forks the child for `session`'s run; it connects to `socket` like a new runner,
  /// after giving the live functions of `refreshing` (loaded files saved since, in
  /// function bodies only: `LaunchPolicy.refreshing`) their new code.
  public func fork(
    for session: any WarmRun, labels: [String], socket: String, runDirectory: String, refreshing: [String]
  ) throws {
    guard case .ready = state, current == nil, let connection = channel?.openConnections.first else {
      throw ProjectError("the warm runner is not ready")
    }
    var request: [String: JSONValue] = [
      "cmd": .string("warm_run"), "labels": .array(labels.map(JSONValue.string)), "socket": .string(socket),
      "run_dir": .string(runDirectory),
    ]
    if !refreshing.isEmpty { request["refresh"] = .array(refreshing.map(JSONValue.string)) }
    guard connection.send(line: JSONText.of(request)) else { throw ProjectError("the warm runner is gone") }
    current = session
    runs += 1
  }

  /// Ends the server once its current run (if any) has ended: its databases are
  /// destroyed, as at the end of a cold run. Keep it until `hasExited`.
  public func stop() {
    guard !isStopping else { return }
    isStopping = true
    if case .unavailable = state {} else { change(to: .unavailable("stopped")) }
    if current == nil { finishStopping() }
  }

  private func finishStopping() {
    channel?.broadcast(command: "stop")
    guard let process, !hasExited else { return cleanUp() }
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
    case .warmReady(let loaded, _, let refreshable):
      loadedTexts = Self.texts(of: refreshable, root: plan.projectRoot)
      if let reason = LaunchPolicy.staleness(of: changedWhileStarting, loaded: Set(loaded)) {
        change(to: .stale(reason))
      } else {
        change(to: .ready(loaded: Set(loaded)))
      }
      changedWhileStarting = []
    case .warmRefreshRefused(let reason):
      let session = current
      current = nil
      // The run goes cold; this server is replaced (it cannot serve that save).
      session?.warmRefreshRefused(reason)
      change(to: .stale("a refresh was refused: \(reason)"))
      if isStopping { finishStopping() }
    case .warmChildStarted(let pid):
      let child = WarmChild(pid: pid)
      self.child = child
      current?.adopt(child)
    case .warmChildExited(let pid, let termination):
      guard let child, child.pid == pid else { return }
      child.reported = termination
      // What the child printed last may still wait in the pipes.
      drainOutput()
      let session = current
      self.child = nil
      current = nil
      session?.childExited()
      if isStopping { finishStopping() }
    default:
      break
    }
  }

  /// The text of each file of `stamps` (project-relative) whose stamp, before and after
  /// reading it, is still the one the server saw when it read the file.
  static func texts(of stamps: [String: [Int64]], root: String) -> [String: String] {
    var texts: [String: String] = [:]
    for (path, stamp) in stamps {
      let full = (root.hasSuffix("/") ? root : root + "/") + path
      guard Self.stamp(of: full) == stamp, let text = try? String(contentsOfFile: full, encoding: .utf8),
        Self.stamp(of: full) == stamp
      else { continue }
      texts[path] = text
    }
    return texts
  }

  /// `[mtime in ns, size]`, as the hook stamps a file.
  static func stamp(of path: String) -> [Int64]? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return [Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec), Int64(info.st_size)]
  }

  private func drain(_ fd: Int32, _ stream: RunnerOutput.Stream) {
    let hasEnded = drainPipe(fd) { bytes in
      if let current {
        current.receive(bytes, on: stream)
      } else {
        outputTail = Array((outputTail + bytes).suffix(4096))
      }
    }
    if hasEnded { reactor.unwatch(fd) }
  }

  private func drainOutput() {
    guard let process else { return }
    drain(process.stdout, .stdout)
    drain(process.stderr, .stderr)
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
    drainOutput()
    // A child it left running has become djdash's: its session reaps it. A run it had
    // not forked yet will not run.
    if child == nil { current?.warmServerLost("the warm runner ended before the run started (\(how))") }
    current = nil
    child = nil
    cleanUp()
  }
}

/// What a warm server forks a child for (a run's session): told when the child is
/// forked, what it prints, and when it has ended.
public protocol WarmRun: AnyObject {
  /// The server forked the run's child.
  func adopt(_ child: WarmChild)
  /// What the child printed (on the server's pipes).
  func receive(_ bytes: [UInt8], on stream: RunnerOutput.Stream)
  /// The child has ended (`child.reported` says how, when known).
  func childExited()
  /// The server ended before it forked the child: nothing will run.
  func warmServerLost(_ reason: String)
  /// The server cannot refresh the function bodies it was asked to (why), and forked
  /// nothing: the run is to go cold.
  func warmRefreshRefused(_ reason: String)
}

/// Forks warm runs: a `WarmRunner` of this process, or the project's warm service
/// (`djdash run --warm`) through a `WarmServiceClient`.
public protocol WarmServer: AnyObject {
  /// Forks the child for `run`; it connects to `socket` like a new runner, with
  /// `runDirectory` as its run's folder, and runs `labels`, after refreshing the function
  /// bodies saved in `refreshing` (a warm service decides that itself, from its own
  /// watcher, and is given none).
  func fork(for run: any WarmRun, labels: [String], socket: String, runDirectory: String, refreshing: [String])
    throws
}
