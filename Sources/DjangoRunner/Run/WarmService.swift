import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The project's warm service, behind `djdash run --warm`: a background djdash that keeps
/// a `WarmRunner` of the project ready between runs, as Spring does for Rails. Each
/// `djdash run --warm` asks it to fork the run's child, which connects to that run's own
/// channel; the service relays the child's output and how it ended. It watches the
/// project, so a change to what the warm runner loaded (settings, models, migrations,
/// installed packages) replaces it at once, and it ends after `idleTimeout` seconds
/// without a run, or when asked to stop.
///
/// Requests, one JSON object per line on its socket (see the protocol page):
/// `{"cmd": "status"}`, `{"cmd": "stop"}`, `{"cmd": "reserve", "plan": …}` (may this
/// plan run warm now? waits while the warm runner starts) and `{"cmd": "run", "plan": …,
/// "socket": …, "run_dir": …}`.
public final class WarmService {
  /// Where the service of the project at `projectRoot` listens: a folder of the user's
  /// own under the temporary folder (a socket path must be short), one name per project.
  public static func socketPath(projectRoot: String) -> String {
    let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in projectRoot.utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return "\(base)/djdash-\(getuid())/warm-\(String(hash, radix: 16)).sock"
  }

  /// Whether the folder of `socketPath` is the user's own and closed to others, made so if
  /// missing: a folder in /tmp someone else made could take the plans (and their
  /// environment) sent to it.
  public static func hasPrivateFolder(_ socketPath: String) -> Bool {
    let folder = (socketPath as NSString).deletingLastPathComponent
    mkdir(folder, 0o700)
    var info = stat()
    guard lstat(folder, &info) == 0 else { return false }
    return (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o077 == 0
  }

  /// Environment variables that differ between two shells of the same user without
  /// changing what a test sees: left out when a run's plan is compared with the service's.
  static let volatileVariables: Set<String> = [
    "_", "OLDPWD", "PWD", "SHLVL", "TERM", "COLORTERM", "COLUMNS", "LINES", "TMUX", "TMUX_PANE", "WINDOWID",
    "SSH_TTY", "SSH_CLIENT", "SSH_CONNECTION", "SSH_AUTH_SOCK", "STY", "TERM_SESSION_ID", "PS1", "CI_JOB_ID",
  ]

  /// The service's plan: the plan of a run without labels, as the first client gave it.
  public let plan: RunPlan
  public let socketPath: String
  public let idleTimeout: Double
  /// Warm runs served.
  public private(set) var runs = 0
  /// Called when the service has ended (stopped, idle, or its socket was taken away).
  public var onEnd: ((String) -> Void)?
  /// What it does, for its log: a runner replaced, a run refused.
  public var onNotice: ((String) -> Void)?

  private let reactor: Reactor
  private var listener: LineListener?
  /// The warm runner's life, as the launch policy decides it (as in the dashboard).
  private let launcher: RunLauncher
  private var watcher: ProjectWatcher?
  /// Clients waiting for the warm runner to start, with their plans.
  private var waiting: [(LineConnection, RunPlan)] = []
  private var connections: [ObjectIdentifier: LineConnection] = [:]
  /// Connections that asked for runs (not only for the status).
  private var users: Set<ObjectIdentifier> = []
  private var lastUse: Double
  private var hasEnded = false

  /// Starts the warm runner for `plan` and listens at `socketPath`.
  ///
  /// - Throws: `SpawnError` when it cannot listen (another service listens there).
  public init(plan: RunPlan, reactor: Reactor, socketPath: String, idleTimeout: Double = 1800) throws {
    self.plan = plan
    self.reactor = reactor
    self.socketPath = socketPath
    self.idleTimeout = idleTimeout
    lastUse = reactor.clock.now()
    guard Self.hasPrivateFolder(socketPath) else {
      throw SpawnError(
        description:
          "\((socketPath as NSString).deletingLastPathComponent) is not a folder of this user's only: not listening there"
      )
    }
    launcher = RunLauncher(reactor: reactor, settings: LaunchPolicy.Settings(keepsWarmRunner: true)) { plan }
    // A socket file nobody listens at is a service that died: take its place.
    if (try? LineConnection.connect(to: socketPath, reactor: reactor)) == nil { unlink(socketPath) }
    listener = try LineListener(path: socketPath, reactor: reactor) { [unowned self] connection in
      self.accept(connection)
    }
    chmod(socketPath, 0o600)
    launcher.onWarmStateChange = { [unowned self] state in self.warmChanged(state) }
    launcher.onWarmRunnerReplaced = { [unowned self] reason in self.onNotice?("replacing the warm runner: \(reason)") }
    launcher.replaceWarmRunner(because: nil)
    watcher = try? ProjectWatcher(root: plan.projectRoot, reactor: reactor) { [unowned self] batch in
      self.launcher.filesChanged(batch.paths, isOverflow: batch.isOverflow)
    }
    scheduleIdleCheck()
  }

  /// Ends the service: the warm runner (after its current run) and the socket.
  public func stop(because reason: String) {
    guard !hasEnded else { return }
    hasEnded = true
    listener?.close()
    listener = nil
    watcher?.close()
    watcher = nil
    for (connection, _) in waiting { connection.send(["refused": .string("the warm service stopped")]) }
    waiting = []
    launcher.stop()
    waitForRunnersToEnd(reason)
  }

  private func waitForRunnersToEnd(_ reason: String) {
    if launcher.haveRetiredRunnersEnded {
      onEnd?(reason)
    } else {
      reactor.after(0.05) { [weak self] in self?.waitForRunnersToEnd(reason) }
    }
  }

  /// Describes the service, for `djdash warm status`.
  public var status: [String: JSONValue] {
    [
      "pid": .number(Double(getpid())), "state": .string(launcher.policy.status?.description ?? "stopped"),
      "runs": .number(Double(runs)), "project": .string(plan.projectRoot),
      "idle_timeout": .number(idleTimeout),
    ]
  }

  // MARK: requests

  private func accept(_ connection: LineConnection) {
    let key = ObjectIdentifier(connection)
    connections[key] = connection
    connection.onObject = { [unowned self, unowned connection] request in self.handle(request, from: connection) }
    connection.onClose = { [weak self] in
      guard let self else { return }
      self.connections[key] = nil
      self.waiting.removeAll { ObjectIdentifier($0.0) == key }
      // The idle time counts from the end of the last run (a status does not count).
      if self.users.remove(key) != nil { self.lastUse = self.reactor.clock.now() }
    }
  }

  private func handle(_ request: [String: JSONValue], from connection: LineConnection) {
    if request["cmd"] != .string("status") {
      lastUse = reactor.clock.now()
      users.insert(ObjectIdentifier(connection))
    }
    switch request["cmd"] {
    case .string("status"):
      connection.send(status)
    case .string("stop"):
      connection.send(["stopping": .bool(true)])
      stop(because: "asked to stop")
    case .string("reserve"):
      guard let plan = Self.plan(in: request).map(adopted) else {
        return refuse(connection, "the request has no plan")
      }
      takePendingChanges()
      launcher.recycleWarmRunnerIfDue()
      if case .starting? = launcher.warm?.state, otherPlanReason(plan) == nil {
        waiting.append((connection, plan))
      } else {
        answer(connection, plan)
      }
    case .string("run"):
      guard let plan = Self.plan(in: request).map(adopted), case .string(let socket)? = request["socket"],
        case .string(let runDirectory)? = request["run_dir"]
      else { return refuse(connection, "the request has no plan, socket or run folder") }
      takePendingChanges()
      if let why = whyNot(plan) { return refuse(connection, why) }
      let run = RelayedRun(connection: connection)
      do {
        guard let warm = launcher.warm else { throw ProjectError("there is no warm runner") }
        try warm.fork(
          for: run, labels: plan.labels, socket: socket, runDirectory: runDirectory,
          refreshing: launcher.policy.refreshing)
        runs += 1
      } catch {
        refuse(connection, "\(error)")
      }
    default:
      refuse(connection, "unknown request")
    }
  }

  private static func plan(in request: [String: JSONValue]) -> RunPlan? {
    guard let value = request["plan"], let data = try? JSONEncoder().encode(value) else { return nil }
    return try? JSONDecoder().decode(RunPlan.self, from: data)
  }

  private func refuse(_ connection: LineConnection, _ why: String, otherPlan: Bool = false) {
    onNotice?("refused a run: \(why)")
    connection.send(["refused": .string(why), "other_plan": .bool(otherPlan)])
  }

  private func answer(_ connection: LineConnection, _ plan: RunPlan) {
    if let why = otherPlanReason(plan) {
      refuse(connection, why, otherPlan: true)
    } else if let why = whyNot(plan) {
      refuse(connection, why)
    } else {
      connection.send(["ready": .bool(true)])
    }
  }

  /// Changes the kernel has reported but the watcher has not taken yet (a save just
  /// before the run): the warm runner may have to be replaced.
  private func takePendingChanges() {
    if let pending = watcher?.takePendingBatch() {
      launcher.filesChanged(pending.paths, isOverflow: pending.isOverflow)
    }
  }

  /// Why a run of `plan` cannot be warm now, or nil: the launch policy's word, once the
  /// plan is one this service serves.
  private func whyNot(_ plan: RunPlan) -> String? {
    WarmRunner.whyCannotServe(plan) ?? otherPlanReason(plan) ?? launcher.whyNotWarm(plan)
  }

  /// Why `plan` is not one the service's warm runner can prepare (another command,
  /// environment or options), or nil.
  private func otherPlanReason(_ plan: RunPlan) -> String? {
    guard !Self.comparable(self.plan).canBePrepared(for: Self.comparable(plan)) else { return nil }
    return "the warm service runs another command, environment or options (\(Self.difference(self.plan, plan)))"
  }

  /// A client's plan with the service's values of the volatile variables (its child
  /// runs in the service's environment), so it compares equal when only those differ.
  private func adopted(_ plan: RunPlan) -> RunPlan {
    var plan = Self.comparable(plan)
    for (name, value) in self.plan.environment where Self.volatileVariables.contains(name) {
      plan.environment[name] = value
    }
    return plan
  }

  static func comparable(_ plan: RunPlan) -> RunPlan {
    var plan = plan
    plan.environment = plan.environment.filter { !volatileVariables.contains($0.key) }
    return plan
  }

  /// What differs between the service's plan and a run's, in a few words.
  static func difference(_ mine: RunPlan, _ theirs: RunPlan) -> String {
    let a = comparable(mine)
    let b = comparable(theirs)
    if a.python != b.python { return "Python \(b.python), not \(a.python)" }
    if a.directory != b.directory { return "directory \(b.directory), not \(a.directory)" }
    if a.options != b.options { return "options \(JSONText.of(b.options)), not \(JSONText.of(a.options))" }
    let names = Set(a.environment.keys).union(b.environment.keys).filter { a.environment[$0] != b.environment[$0] }
    if !names.isEmpty {
      return "environment variable\(names.count == 1 ? "" : "s") \(names.sorted().joined(separator: ", "))"
    }
    return "command \(b.arguments.joined(separator: " "))"
  }

  // MARK: the warm runner

  /// Clients waiting for the warm runner to start get their answer once it has.
  private func warmChanged(_ state: WarmRunner.State) {
    guard state != .starting else { return }
    let ready = waiting
    waiting = []
    for (connection, plan) in ready { answer(connection, plan) }
  }

  private func scheduleIdleCheck() {
    reactor.after(max(1, idleTimeout / 10)) { [weak self] in
      guard let self, !self.hasEnded else { return }
      if self.reactor.clock.now() - self.lastUse >= self.idleTimeout && self.users.isEmpty {
        self.stop(because: "idle for \(Int(self.idleTimeout)) s")
      } else {
        self.scheduleIdleCheck()
      }
    }
  }
}

/// A warm run the service forked for a client: the child's pid, output and end go to
/// the client's connection. A client that goes away takes its run with it.
private final class RelayedRun: WarmRun {
  private let connection: LineConnection
  private var child: WarmChild?

  init(connection: LineConnection) {
    self.connection = connection
    let before = connection.onClose
    connection.onClose = { [weak self] in
      before?()
      guard let child = self?.child, child.reported == nil else { return }
      child.signalGroup(SIGKILL)
    }
  }

  func adopt(_ child: WarmChild) {
    self.child = child
    connection.send(["child": .number(Double(child.pid))])
  }

  func receive(_ bytes: [UInt8], on stream: RunnerOutput.Stream) {
    connection.send([
      "output": .string(Data(bytes).base64EncodedString()), "stream": .string(stream == .stderr ? "stderr" : "stdout"),
    ])
  }

  func childExited() {
    switch child?.reported {
    case .exited(let code)?: connection.send(["exited": .number(Double(code))])
    case .signalled(let signal)?: connection.send(["signalled": .number(Double(signal))])
    case nil: connection.send(["exited": .null])
    }
  }

  func warmServerLost(_ reason: String) {
    connection.send(["lost": .string(reason)])
  }

  func warmRefreshRefused(_ reason: String) {
    connection.send(["refresh_refused": .string(reason)])
  }
}
