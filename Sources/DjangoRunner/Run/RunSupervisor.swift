/// The decisions of a run that depend only on what happened, never on I/O: the
/// Ctrl-C ladder, which test a vanished process was running, when Django's parallel
/// pool can no longer finish, which results Django's parallel parent never counted, and
/// when the run is over. The session feeds it facts and carries out what it returns.
public struct RunSupervisor: Sendable {
  /// What the session must do next.
  public enum Action: Equatable, Sendable {
    /// Ask every process to finish its current test and start no other.
    case requestStop
    /// Kill every process of the run now.
    case killRun(reason: String?)
    /// Report that `pid` went away while running `test` (nil: between tests).
    case reportLostProcess(pid: Int32, test: String?)
    /// Report `tests` as not run: Django's parallel parent stopped or died and never
    /// counted them (their results, if any were reported, no longer count).
    case discardTests([String], reason: String)
    /// Kill stragglers still connected after the runner exited, after `seconds`.
    case killStragglers(after: Double)
  }

  /// Seconds the other processes get to close their channel after the runner exits.
  public static let stragglerGrace = 1.0

  /// Why tests are discarded after Django's parent stopped replaying (`--failfast`).
  public static let droppedByStop =
    "Django's parallel runner stopped early (--failfast) and terminated its workers; it never counted these"
  /// Why tests running in workers are discarded when Django's parent crashed or exited.
  public static let cutByRunnerEnd =
    "Django's parallel runner ended while its workers were running these; they did not run to the end"

  public private(set) var interruption: Interruption?
  public private(set) var runnerStarted = false
  public private(set) var runnerFinished = false
  public private(set) var runnerTermination: Termination?
  /// Why the run ended early other than by the user, for the summary.
  public private(set) var problem: String?
  private var runningTest: [Int32: String] = [:]
  private var subsuitesTotal: Int?
  private var subsuitesDone = 0
  private var subsuitesLost = 0
  private var subsuiteOf: [Int32: Int] = [:]
  private var killed = false
  /// The runner's own process (the leader of the run): its test is its own to lose.
  private var leaderPID: Int32?
  /// Set when Django's parallel parent stopped taking its workers' results.
  public private(set) var parallelStop: ParallelStop?
  /// Tests each parallel subsuite finished, in the order they finished: what Django
  /// drops when it never replays that subsuite.
  private var finishedInSubsuite: [Int: [String]] = [:]

  public init() {}

  /// The test each process is running now.
  public var runningTests: [Int32: String] { runningTest }

  // MARK: facts from the user

  /// Ctrl-C: the first asks for a graceful stop, the next one stops everything. A first
  /// one while no test is running (database setup, migrations, teardown) has no test to
  /// let finish, so it stops everything too, as Django does there.
  public mutating func interruptRequested() -> [Action] {
    if interruption == nil, !runningTest.isEmpty {
      interruption = .graceful
      return [.requestStop]
    }
    interruption = .hard
    return kill(reason: nil)
  }

  /// A test exceeded `--test-timeout` and the user chose `--on-timeout stop`: finish the
  /// running tests and start no other. Not an interruption by the user.
  public mutating func stopAfterTimeout(test: String) -> [Action] {
    guard problem == nil, interruption == nil, !killed else { return [] }
    problem = "\(test) exceeded the test timeout; the run stopped after it (--on-timeout stop)"
    return [.requestStop]
  }

  /// A hard stop asked for directly (a second key, a quitting dashboard).
  public mutating func abortRequested() -> [Action] {
    interruption = .hard
    return kill(reason: nil)
  }

  // MARK: facts from the hook

  public mutating func received(_ event: RunEvent, from pid: Int32?) -> [Action] {
    switch event {
    case .hello(let hello):
      if hello.role == .leader { leaderPID = hello.pid }
    case .runnerStarted(let info):
      runnerStarted = true
      if let pid = info.pid { leaderPID = pid }
    case .runnerFinished:
      runnerFinished = true
    case .suiteReady(let plan):
      subsuitesTotal = plan.subsuites
    case .testStarted(let id, let pid):
      runningTest[pid] = id
    case .testFinished(let report):
      if runningTest[report.pid] == report.id { runningTest[report.pid] = nil }
      if let subsuite = subsuiteOf[pid ?? report.pid] {
        finishedInSubsuite[subsuite, default: []].append(report.id)
        if let stop = parallelStop, stop.reason == .stop, let replayed = stop.replayed, !replayed.contains(subsuite) {
          return [.discardTests([report.id], reason: Self.droppedByStop)]
        }
      }
    case .parallelStopped(let stop):
      guard parallelStop == nil else { break }
      parallelStop = stop
      guard stop.reason == .stop, let replayed = stop.replayed.map(Set.init) else { break }
      // Everything the workers finished in subsuites Django did not replay: it never will.
      let dropped = finishedInSubsuite.keys.sorted().filter { !replayed.contains($0) }.flatMap {
        finishedInSubsuite[$0] ?? []
      }
      if !dropped.isEmpty { return [.discardTests(dropped, reason: Self.droppedByStop)] }
    case .subsuiteStarted(let index):
      if let pid { subsuiteOf[pid] = index }
    case .subsuiteFinished:
      if let pid { subsuiteOf[pid] = nil }
      subsuitesDone += 1
      return checkPool()
    default:
      break
    }
    return []
  }

  /// A process closed its channel. Between tests that is normal (a worker leaving);
  /// in the middle of a test or a subsuite it means the process died. A worker that goes
  /// after Django's parallel parent stopped its pool, or after the runner exited, was
  /// ended by Django (or left orphaned): its test did not run, and nobody lost it.
  public mutating func connectionClosed(pid: Int32?) -> [Action] {
    guard let pid else { return [] }
    var actions: [Action] = []
    let test = runningTest.removeValue(forKey: pid)
    let hadSubsuite = subsuiteOf.removeValue(forKey: pid) != nil
    if pid != leaderPID, !killed, parallelStop != nil || runnerTermination != nil {
      guard let test else { return [] }
      return [.discardTests([test], reason: parallelStop?.reason == .stop ? Self.droppedByStop : Self.cutByRunnerEnd)]
    }
    if test != nil || (hadSubsuite && !killed) {
      actions.append(.reportLostProcess(pid: pid, test: test))
    }
    if hadSubsuite && !killed {
      subsuitesLost += 1
      actions += checkPool()
    }
    return actions
  }

  // MARK: facts from the process

  /// The runner (the process djdash started) exited.
  public mutating func runnerExited(_ termination: Termination) -> [Action] {
    runnerTermination = termination
    var actions: [Action] = []
    // The runner's own test, if it died mid-test and its channel closed first or not at all.
    // A worker's test is not the runner's to lose: it is settled when the worker goes.
    for (pid, test) in runningTest.sorted(by: { $0.key < $1.key }) where !killed {
      guard leaderPID == nil || pid == leaderPID else { continue }
      actions.append(.reportLostProcess(pid: pid, test: test))
      runningTest[pid] = nil
    }
    if killed { runningTest.removeAll() }
    actions.append(.killStragglers(after: Self.stragglerGrace))
    return actions
  }

  /// The exit code of `djdash run` for this run.
  public func exitCode(countsFailure: Bool) -> Int32 {
    if interruption != nil { return 130 }
    if !runnerStarted { return 2 }
    if countsFailure || problem != nil { return 1 }
    if case .exited(let status)? = runnerTermination, status == 0 { return 0 }
    return 1
  }

  // MARK: private

  private mutating func checkPool() -> [Action] {
    guard let total = subsuitesTotal, subsuitesLost > 0, subsuitesDone + subsuitesLost >= total,
      !killed, parallelStop == nil
    else { return [] }
    problem =
      "a parallel worker died while running its tests; Django's parallel runner cannot finish without it, so djdash stopped the run"
    return kill(reason: problem)
  }

  private mutating func kill(reason: String?) -> [Action] {
    guard !killed else { return [] }
    killed = true
    var actions = runningTest.sorted { $0.key < $1.key }.map {
      Action.reportLostProcess(pid: $0.key, test: $0.value)
    }
    runningTest.removeAll()
    actions.append(.killRun(reason: reason))
    return actions
  }
}
