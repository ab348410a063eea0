import CShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `djdash run --warm`'s side of the project's `WarmService`: asks whether a run can be
/// warm, then has the service fork its child, and hands the session the child's pid, its
/// output and how it ended, as a `WarmRunner` of this process would.
public final class WarmServiceClient: WarmServer {
  /// What the service said of a plan.
  public enum Answer: Equatable, Sendable {
    /// It can run warm now.
    case ready
    /// It cannot, and why (the run goes cold).
    case refused(String)
    /// It serves another command, environment or options: replace it.
    case otherPlan(String)
  }

  private let connection: LineConnection
  private let reactor: Reactor
  private var answer: Answer?
  private var reply: [String: JSONValue]?
  private var run: (any WarmRun)?
  private var child: WarmChild?
  private var plan: RunPlan?

  private init(connection: LineConnection, reactor: Reactor) {
    self.connection = connection
    self.reactor = reactor
    connection.onObject = { [unowned self] object in self.handle(object) }
    connection.onClose = { [weak self] in self?.serviceGone() }
  }

  /// The service of the project at `projectRoot`, if one is listening.
  public static func connect(projectRoot: String, reactor: Reactor) -> WarmServiceClient? {
    let path = WarmService.socketPath(projectRoot: projectRoot)
    guard WarmService.hasPrivateFolder(path), let connection = try? LineConnection.connect(to: path, reactor: reactor)
    else { return nil }
    return WarmServiceClient(connection: connection, reactor: reactor)
  }

  /// Starts the service for `plan` (a plan without labels) in the background: a djdash
  /// of its own session (`djdash warm serve`), which outlives this one. Its messages go
  /// to `.djdash/warm.log`.
  ///
  /// - Parameter executable: the djdash binary to start.
  /// - Returns: its pid.
  @discardableResult
  public static func startService(plan: RunPlan, executable: String) throws -> pid_t {
    guard let folder = DjdashFolder.ensure(projectRoot: plan.projectRoot) else {
      throw ProjectError("cannot create \(plan.projectRoot)/.djdash for the warm service")
    }
    let planFile = folder + "/warm-plan-\(getpid()).json"
    let data = try JSONEncoder().encode(plan)
    guard FileManager.default.createFile(atPath: planFile, contents: data, attributes: [.posixPermissions: 0o600])
    else { throw ProjectError("cannot write \(planFile)") }
    let arguments = [executable, "warm", "serve", "--plan-file", planFile]
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let status = djdash_spawn_detached(plan.directory, argv, folder + "/warm.log", &pid)
    guard status == 0 else {
      unlink(planFile)
      throw ProjectError("cannot start the warm service: \(String(cString: strerror(status)))")
    }
    return pid
  }

  /// Waits (serving the reactor) for the service `pid` started to listen; nil if it
  /// ended first or did not listen within `timeout` seconds.
  public static func waitForService(pid: pid_t, projectRoot: String, reactor: Reactor, timeout: Double)
    -> WarmServiceClient?
  {
    let end = reactor.clock.now() + timeout
    var status: Int32 = 0
    while reactor.clock.now() < end {
      if let client = connect(projectRoot: projectRoot, reactor: reactor) { return client }
      if waitpid(pid, &status, WNOHANG) == pid { return nil }
      reactor.runOnce(timeout: 0.05)
    }
    return nil
  }

  /// Waits (serving the reactor) until no service of the project listens, at most
  /// `timeout` seconds. A stopped service closes its socket at once, so a new one can
  /// start; it ends itself once its runner has destroyed its databases.
  public static func waitUntilGone(projectRoot: String, reactor: Reactor, timeout: Double) {
    let end = reactor.clock.now() + timeout
    while connect(projectRoot: projectRoot, reactor: reactor) != nil && reactor.clock.now() < end {
      reactor.runOnce(timeout: 0.1)
    }
  }

  /// Asks whether a run of `plan` can be warm now, waiting (serving the reactor) while
  /// the service's warm runner starts, at most `timeout` seconds.
  public func reserve(_ plan: RunPlan, timeout: Double) -> Answer {
    answer = nil
    guard let encoded = Self.encode(plan) else { return .refused("cannot describe the run to the warm service") }
    guard connection.send(["cmd": .string("reserve"), "plan": encoded]) else {
      return .refused("the warm service went away")
    }
    let end = reactor.clock.now() + timeout
    while answer == nil && reactor.clock.now() < end { reactor.runOnce(timeout: 0.1) }
    guard let answer else { return .refused("the warm service did not answer in \(Int(timeout)) s") }
    if answer == .ready { self.plan = plan }
    return answer
  }

  /// The service's status (`djdash warm status`), waiting at most `timeout` seconds.
  public func status(timeout: Double) -> [String: JSONValue]? {
    request(["cmd": .string("status")], timeout: timeout)
  }

  /// Asks the service to end; true if it said it would.
  public func stopService(timeout: Double) -> Bool {
    request(["cmd": .string("stop")], timeout: timeout)?["stopping"] == .bool(true)
  }

  private func request(_ object: [String: JSONValue], timeout: Double) -> [String: JSONValue]? {
    reply = nil
    guard connection.send(object) else { return nil }
    let end = reactor.clock.now() + timeout
    while reply == nil && connection.isOpen && reactor.clock.now() < end { reactor.runOnce(timeout: 0.1) }
    return reply
  }

  /// The service refreshes what its own watcher saw saved: `refreshing` is not sent.
  public func fork(
    for run: any WarmRun, labels: [String], socket: String, runDirectory: String, refreshing: [String]
  ) throws {
    guard let plan, plan.labels == labels, let encoded = Self.encode(plan) else {
      throw ProjectError("the warm service was not asked about this run")
    }
    guard
      connection.send([
        "cmd": .string("run"), "plan": encoded, "socket": .string(socket), "run_dir": .string(runDirectory),
      ])
    else { throw ProjectError("the warm service went away") }
    self.run = run
  }

  private static func encode(_ plan: RunPlan) -> JSONValue? {
    guard let data = try? JSONEncoder().encode(plan) else { return nil }
    return try? JSONDecoder().decode(JSONValue.self, from: data)
  }

  private func handle(_ object: [String: JSONValue]) {
    if case .bool(true)? = object["ready"] {
      answer = .ready
    } else if case .string(let why)? = object["refused"] {
      if let run {
        self.run = nil
        run.warmServerLost("the warm service refused the run: \(why)")
      } else {
        answer = object["other_plan"] == .bool(true) ? .otherPlan(why) : .refused(why)
      }
    } else if case .number(let pid)? = object["child"] {
      let child = WarmChild(pid: pid_t(pid))
      self.child = child
      run?.adopt(child)
    } else if case .string(let text)? = object["output"], let bytes = Data(base64Encoded: text) {
      run?.receive(Array(bytes), on: object["stream"] == .string("stderr") ? .stderr : .stdout)
    } else if object.keys.contains("exited") || object.keys.contains("signalled") {
      switch (object["exited"], object["signalled"]) {
      case (.number(let code)?, _): child?.reported = .exited(Int32(code))
      case (_, .number(let signal)?): child?.reported = .signalled(Int32(signal))
      default: break
      }
      finishRun()
    } else if case .string(let why)? = object["refresh_refused"] {
      let run = self.run
      self.run = nil
      run?.warmRefreshRefused(why)
    } else if case .string(let why)? = object["lost"] {
      let run = self.run
      self.run = nil
      run?.warmServerLost(why)
    } else {
      reply = object
    }
  }

  private func finishRun() {
    let run = self.run
    self.run = nil
    child = nil
    run?.childExited()
  }

  /// The service ended (or died) under a run: a child it forked goes on alone; its end
  /// is seen when its process group is gone.
  private func serviceGone() {
    if answer == nil { answer = .refused("the warm service went away") }
    guard let run else { return }
    guard let child else {
      self.run = nil
      return run.warmServerLost("the warm service ended before the run started")
    }
    waitForOrphan(child, run)
  }

  private func waitForOrphan(_ child: WarmChild, _ run: any WarmRun) {
    if kill(child.pid, 0) != 0 && errno == ESRCH {
      // How it ended is lost with the service; its events told what it ran.
      child.reported = child.reported ?? .exited(0)
      return finishRun()
    }
    reactor.after(0.05) { [weak self] in self?.waitForOrphan(child, run) }
  }
}
