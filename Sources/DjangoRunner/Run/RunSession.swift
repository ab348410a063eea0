import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One run of a Django test suite: starts the runner with the hook, streams every
/// event as it arrives, supervises the processes, and ends with a `run_finished`.
///
/// Everything happens on the reactor's thread. Call `start()`, then run the reactor;
/// `onEvent` sees each event with its time, the last one always `run_finished`.
public final class RunSession: WarmRun {
  public let plan: RunPlan
  public private(set) var tally = RunTally()
  public private(set) var supervisor = RunSupervisor()
  public private(set) var summary: RunSummary?
  public var isFinished: Bool { summary != nil }
  /// The run is a child of a warm server (`start(in:)`).
  public var isWarm: Bool {
    if case .warm = mode { return true }
    return false
  }

  /// A test running now, and since when (seconds since the run started).
  public struct RunningTest: Equatable, Sendable {
    public var id: String
    public var pid: Int32
    public var startedAt: Double
  }

  /// The tests running at this moment, oldest first: what a UI shows for a hanging test.
  public var runningTests: [RunningTest] {
    running.values.sorted { $0.startedAt < $1.startedAt }
  }

  /// Seconds a timed-out test gets to return to Python before its process is ended.
  public static let timeoutGrace = 5.0

  private let reactor: Reactor
  /// Where events go; a prepared session may be handed to a new owner before its
  /// labels are given (nothing was published until then).
  public var onEvent: (TimedEvent) -> Void
  /// How the run's runner was started: one of these at a time.
  private enum Mode {
    /// Not started, or its start failed.
    case unstarted
    /// A runner of its own, given its labels on its command line (or `DJDASH_LABELS`).
    case cold(RunnerProcess)
    /// A prepared runner waiting for its labels: what it reports is held until
    /// `run(labels:command:)` gives them.
    case awaitingLabels(RunnerProcess, held: [TimedEvent])
    /// A prepared runner given its labels; a process that connects late is sent them too.
    case prepared(RunnerProcess, labels: [String])
    /// A child of a warm server; nil until the server says it forked it.
    case warm(WarmChild?)
  }
  private var mode = Mode.unstarted
  /// A prepared runner still waiting for its labels.
  public var isAwaitingLabels: Bool {
    if case .awaitingLabels = mode { return true }
    return false
  }
  /// The run's first process: its runner, or the warm child.
  private var process: (any RunnerHandle)? {
    switch mode {
    case .unstarted: return nil
    case .cold(let process), .awaitingLabels(let process, _), .prepared(let process, _): return process
    case .warm(let child): return child
    }
  }
  private var channel: EventChannel?
  private var runDirectory: String?
  private var startedAt = 0.0
  private var openPipes = 0
  private var pendingOutput: [RunnerOutput.Stream: [UInt8]] = [:]
  private var stragglerTimer: Int?
  private var stragglersKilled = false
  private var recheckScheduled = false
  private var stderrTail: [UInt8] = []
  private var running: [Int32: RunningTest] = [:]
  /// Test databases this run created that are not destroyed yet.
  private var createdDatabases = LeftoverDatabases()
  /// Templates rendered and modules first imported by this run's tests, for the selection.
  private var recordedEdges = RecordedEdges()
  /// How the runner records what each test executed (`runner_started.recording`); nil
  /// when it does not: then the run leaves `ExecutionRecords` as they are.
  public private(set) var recorder: String?
  /// When the runner (or the warm child) started: files saved after it are not what ran.
  private var runStartDate = Date()
  /// The run did not run every test it was given: its records hold no complete suite.
  private var lostProcess = false
  private var discardedTests = false
  private var databasesDestroyed = false
  private var hungProcesses: Set<Int32> = []

  public init(plan: RunPlan, reactor: Reactor, onEvent: @escaping (TimedEvent) -> Void) {
    self.plan = plan
    self.reactor = reactor
    self.onEvent = onEvent
  }

  /// Starts the runner. If it cannot start, the run finishes at once with a problem.
  public func start() {
    begin(isWarm: false) { folder in try startRunner(in: folder) }
  }

  /// A new runner of the plan, reporting on the channel in `folder`.
  private func startRunner(in folder: String) throws -> Mode {
    let process = try RunnerProcess(
      arguments: plan.arguments, directory: plan.directory,
      environment: RunnerEnvironment.variables(for: plan, folder: folder))
    openPipes = 2
    reactor.watch(process.stdout) { [unowned self] in self.drain(process.stdout, .stdout) }
    reactor.watch(process.stderr) { [unowned self] in self.drain(process.stderr, .stderr) }
    if process.exitDescriptor >= 0 {
      reactor.watch(process.exitDescriptor) { [unowned self] in self.checkExit() }
    } else {
      pollExit()
    }
    return plan.awaitsLabels ? .awaitingLabels(process, held: []) : .cold(process)
  }

  /// Starts the run in a child that `warm` (a ready warm server) forks for it, instead of
  /// a new runner: Django set up, test databases made. The same events follow.
  ///
  /// - Parameter refreshing: loaded files saved since in function bodies only, which the
  ///   child refreshes first (`LaunchPolicy.refreshing`).
  public func start(in warm: any WarmServer, refreshing: [String] = []) {
    begin(isWarm: true) { folder in
      try warm.fork(
        for: self, labels: plan.labels, socket: folder + "/events.sock", runDirectory: folder, refreshing: refreshing)
      return .warm(nil)
    }
  }

  /// The warm server refused to refresh the saved function bodies and forked nothing:
  /// the run goes on in a new runner, on the same channel, and says so (`went_cold`).
  public func warmRefreshRefused(_ reason: String) {
    guard case .warm(let child) = mode, child == nil, let runDirectory else { return }
    publish(.wentCold(reason: "the warm runner could not refresh the saved function bodies (\(reason))"))
    do {
      mode = try startRunner(in: runDirectory)
    } catch {
      finish(problem: "\(error)")
    }
  }

  /// What both starts share: the run's folder and channel, `run_started`, the timeout
  /// watch; `launch` starts the process and says in which mode. A failure finishes the
  /// run with it.
  private func begin(isWarm: Bool, _ launch: (_ folder: String) throws -> Mode) {
    startedAt = reactor.clock.now()
    runStartDate = Date()
    var problem: String?
    do {
      let folder = try makeTemporaryFolder(prefix: "djdash")
      runDirectory = folder
      channel = try EventChannel(path: folder + "/events.sock", reactor: reactor) { [unowned self] update in
        self.handle(update)
      }
      // Nothing the process reports is read before this returns: the reactor serves it.
      mode = try launch(folder)
    } catch {
      problem = "\(error)"
    }
    publish(
      .runStarted(
        RunStart(
          labels: plan.labels, command: plan.arguments, directory: plan.directory,
          python: plan.python, options: plan.options, isWarm: isWarm ? true : nil,
          labelsInsideRunner: plan.labelRoute == .insideRunner && !plan.labels.isEmpty ? true : nil,
          pythonOrigin: plan.pythonOrigin)),
      at: startedAt)
    if let problem { return finish(problem: problem) }
    if plan.testTimeout != nil { watchForHungTests() }
  }

  /// The warm server ended before it forked the run's child: nothing will run.
  public func warmServerLost(_ reason: String) {
    guard case .warm(let child) = mode, child == nil else { return }
    finish(problem: reason)
  }

  /// The warm server forked the run's child.
  public func adopt(_ child: WarmChild) {
    mode = .warm(child)
    pollExit()
  }

  /// What the run's child printed (on the warm server's pipes).
  public func receive(_ bytes: [UInt8], on stream: RunnerOutput.Stream) {
    emitOutput(bytes, stream, atEnd: false)
  }

  /// The warm server reported that the run's child ended.
  public func childExited() {
    emitOutput([], .stdout, atEnd: true)
    emitOutput([], .stderr, atEnd: true)
    checkExit()
  }

  /// Gives a prepared runner its labels: it runs them as if they had been on its command
  /// line. `run_started` is published now, with these labels and `command`, followed by
  /// whatever the runner reported while it waited.
  public func run(labels: [String], command: [String]) {
    guard case .awaitingLabels(let process, let held) = mode else { return }
    mode = .prepared(process, labels: labels)
    channel?.broadcast(line: RunnerEnvironment.runCommand(labels: labels))
    for timed in held {
      if case .runStarted(var start) = timed.event {
        start.labels = labels
        start.command = command
        onEvent(TimedEvent(t: timed.t, event: .runStarted(start)))
      } else {
        onEvent(timed)
      }
    }
  }

  /// Ctrl-C: the first finishes the current tests gracefully, the second stops at once.
  public func interrupt() {
    guard !isFinished else { return }
    perform(supervisor.interruptRequested())
  }

  /// Stops every process now.
  public func abort() {
    guard !isFinished else { return }
    perform(supervisor.abortRequested())
  }

  // MARK: events

  /// - Parameter time: when it happened on the reactor's clock; now if nil.
  private func publish(_ event: RunEvent, at time: Double? = nil) {
    let timed = TimedEvent(t: (time ?? reactor.clock.now()) - startedAt, event: event)
    if case .awaitingLabels(let process, var held) = mode {
      mode = .unstarted  // the array is not copied to append
      held.append(timed)
      mode = .awaitingLabels(process, held: held)
    } else {
      onEvent(timed)
    }
  }

  private func handle(_ update: EventChannel.Update) {
    switch update {
    case .connected(let connection):
      // A process that connects after a graceful stop (a worker still starting) must
      // not start tests either.
      if supervisor.interruption == .graceful { connection.send(command: "stop") }
      if case .prepared(_, let labels) = mode { connection.send(line: RunnerEnvironment.runCommand(labels: labels)) }
    case .event(let connection, let event, let receivedAt):
      // State first (tally, running tests, supervisor), so whoever sees the event sees
      // a session that already knows it; then the supervisor's actions.
      track(event, at: receivedAt)
      let actions = supervisor.received(event, from: connection.pid)
      if case .hookError(let place, let traceback) = event {
        publish(.warning("djdash's hook failed in \(place):\n\(traceback)"))
      }
      if event.isPublished { publish(event, at: receivedAt) }
      perform(actions)
    case .undecodable(let connection, let error):
      publish(.warning("from process \(connection.pid.map(String.init) ?? "?"): \(error)"))
    case .closed(let connection):
      perform(supervisor.connectionClosed(pid: connection.pid))
      if let pid = connection.pid, supervisor.runningTests[pid] == nil { running[pid] = nil }
      maybeFinish()
    }
  }

  /// Keeps the tally and the running tests up to date, and applies the timeout policy.
  private func track(_ event: RunEvent, at time: Double) {
    switch event {
    case .databasesReady(let names), .workerReady(let names):
      // The previous run's leftovers were dropped before these were made.
      if createdDatabases.isEmpty { LeftoverDatabases().save(projectRoot: plan.projectRoot) }
      createdDatabases.add(names)
    case .databasesDestroyed:
      databasesDestroyed = true
    case .runnerStarted(let info):
      if info.recording == "sys.monitoring" || info.recording == "coverage" { recorder = info.recording }
    case .projectLoaded(let report):
      report.save(projectRoot: plan.projectRoot)  // the selection's truth for the next start
    case .testStarted(let id, let pid):
      running[pid] = RunningTest(id: id, pid: pid, startedAt: time - startedAt)
    case .testFinished(let report):
      tally.record(report)
      recordedEdges.add(report)
      if running[report.pid]?.id == report.id { running[report.pid] = nil }
      if plan.stopOnTimeout, report.exception == "TestTimeout" || hungProcesses.contains(report.pid) {
        perform(supervisor.stopAfterTimeout(test: report.id))
      }
    default:
      break
    }
  }

  /// The last resort for `--test-timeout`: a test still running `timeoutGrace` seconds
  /// after its timeout is stuck outside Python (the hook's timer could not fire). Its
  /// process gets SIGABRT, so faulthandler writes the stack where it hung.
  private func watchForHungTests() {
    guard let timeout = plan.testTimeout, !isFinished else { return }
    let now = reactor.clock.now() - startedAt
    // pid 0 or 1 would signal djdash's own group or init: only ever a real process of the run.
    for test in running.values where test.pid > 1 && now - test.startedAt > timeout + Self.timeoutGrace {
      if hungProcesses.insert(test.pid).inserted {
        publish(
          .warning(
            "\(test.id) is stuck \(Int(now - test.startedAt)) s into a \(timeout) s timeout; ending process \(test.pid)"
          ))
        kill(test.pid, SIGABRT)
      }
    }
    reactor.after(0.25) { [weak self] in self?.watchForHungTests() }
  }

  private func perform(_ actions: [RunSupervisor.Action]) {
    for action in actions {
      switch action {
      case .requestStop:
        channel?.broadcast(command: "stop")
      case .killRun(let reason):
        if let reason { publish(.warning(reason)) }
        channel?.broadcast(command: "abort")
        process?.signalGroup(SIGKILL)
      case .reportLostProcess(let pid, let test):
        reportLost(pid: pid, test: test)
      case .discardTests(let tests, let reason):
        discardedTests = true
        for test in tests { tally.discard(test) }
        publish(.testsDiscarded(TestsDiscarded(tests: tests, reason: reason)))
      case .killStragglers(let seconds):
        guard stragglerTimer == nil else { continue }
        stragglerTimer = reactor.after(seconds) { [weak self] in
          guard let self, !self.isFinished else { return }
          if let process = self.process, process.isGroupAlive {
            self.publish(.warning("processes of the run were still alive after the runner exited; djdash stopped them"))
            process.signalGroup(SIGKILL)
            process.reapGroup()
          }
          // Their ends (and last held lines) settle the tests they were running.
          self.channel?.drainOpenConnections()
          self.stragglersKilled = true
          self.channel?.close()
          self.maybeFinish()
        }
        maybeFinish()
      }
    }
  }

  private func reportLost(pid: Int32, test: String?) {
    let crash = crashReport(pid: pid)
    let reason: String
    running[pid] = nil
    if supervisor.interruption == .hard {
      reason = "stopped by a hard interrupt"
    } else if hungProcesses.contains(pid) {
      reason =
        "the test hung past its \(plan.testTimeout ?? 0) s timeout without returning to Python; djdash ended its process"
    } else if let crash, let first = crash.split(separator: "\n").first {
      reason = "the process crashed: \(first)"
    } else if pid == process?.pid, case .signalled(let signal)? = process?.reap() {
      reason = "the runner was killed by signal \(signal) (\(Self.signalName(signal)))"
    } else {
      reason = "the process exited without finishing the test (os._exit, a signal or a kill)"
    }
    lostProcess = true
    publish(.processLost(ProcessLoss(pid: pid, test: test, reason: reason, crashReport: crash)))
    guard let test, supervisor.interruption != .hard else { return }
    var report = TestReport(id: test, outcome: .error, pid: pid, message: reason)
    report.exception = "ProcessLost"
    report.tracebackText = crash ?? reason
    report.problems = [
      Problem(outcome: .error, exception: "ProcessLost", message: reason, tracebackText: crash ?? reason)
    ]
    track(.testFinished(report), at: reactor.clock.now())
    publish(.testFinished(report))
  }

  private func crashReport(pid: Int32) -> String? {
    guard let folder = runDirectory,
      let text = try? String(contentsOfFile: "\(folder)/crash-\(pid).txt", encoding: .utf8),
      !text.isEmpty
    else { return nil }
    return text
  }

  static func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGSEGV: return "SIGSEGV"
    case SIGKILL: return "SIGKILL"
    case SIGTERM: return "SIGTERM"
    case SIGABRT: return "SIGABRT"
    case SIGINT: return "SIGINT"
    case SIGBUS: return "SIGBUS"
    default: return "signal \(signal)"
    }
  }

  // MARK: process

  private func drain(_ fd: Int32, _ stream: RunnerOutput.Stream) {
    guard drainPipe(fd, onBytes: { emitOutput($0, stream, atEnd: false) }) else { return }
    emitOutput([], stream, atEnd: true)
    reactor.unwatch(fd)
    openPipes -= 1
    maybeFinish()
  }

  /// Publishes whole lines as they come (and long unterminated runs in 64 KiB pieces).
  private func emitOutput(_ bytes: [UInt8], _ stream: RunnerOutput.Stream, atEnd: Bool) {
    var pending = pendingOutput[stream, default: []] + bytes
    if stream == .stderr {
      stderrTail = Array((stderrTail + bytes).suffix(16_384))
    }
    let cut: Int
    if atEnd || pending.count > 65_536 {
      cut = pending.count
    } else if let newline = pending.lastIndex(of: 0x0A) {
      cut = newline + 1
    } else {
      cut = 0
    }
    if cut > 0 {
      publish(.output(RunnerOutput(stream: stream, text: String(decoding: pending[..<cut], as: UTF8.self))))
      pending.removeSubrange(..<cut)
    }
    pendingOutput[stream] = pending
  }

  private func checkExit() {
    guard supervisor.runnerTermination == nil, let process, let termination = process.reap() else { return }
    // Its last lines may still wait in their socket (or the socket to be accepted): the
    // exit can be seen first (a warm server's word, a pidfd). Read them before the exit is
    // handled, or the last test would look cut short, or not be there at all.
    channel?.drainOpenConnections()
    if process.exitDescriptor >= 0 { reactor.unwatch(process.exitDescriptor) }
    perform(supervisor.runnerExited(termination))
  }

  /// Without pidfd (old kernels), look for the exit a few times a second.
  private func pollExit() {
    reactor.after(0.05) { [weak self] in
      guard let self, !self.isFinished else { return }
      if self.process?.reap() != nil {
        self.checkExit()
      } else {
        self.pollExit()
      }
    }
  }

  /// The run ends when the runner has exited, its output is drained and no process of
  /// its group is left (multiprocessing's helpers included), or when the stragglers were
  /// killed.
  private func maybeFinish() {
    guard !isFinished, supervisor.runnerTermination != nil, openPipes == 0 else { return }
    process?.reapGroup()
    let connected = channel?.openConnections.isEmpty == false
    if !stragglersKilled, connected || process?.isGroupAlive == true {
      if !recheckScheduled {
        recheckScheduled = true
        reactor.after(0.02) { [weak self] in
          self?.recheckScheduled = false
          self?.maybeFinish()
        }
      }
      return
    }
    finish(problem: nil)
  }

  /// A run that recorded what its tests executed replaces their records
  /// (`ExecutionRecords`, `.djdash/executed.json`); the suites of the test modules it ran
  /// whole are kept only when it ran to its end.
  private func recordExecution() {
    guard recorder != nil else { return }
    let reports = tally.reports
    guard !reports.isEmpty else { return }
    let isComplete =
      supervisor.runnerFinished && supervisor.interruption == nil && supervisor.parallelStop == nil
      && !lostProcess && !discardedTests
    // The test modules the run reported: a test id less its class and method.
    let modules = Set(
      reports.filter { $0.kind == .test }.compactMap { report -> String? in
        let parts = report.id.split(separator: ".")
        return parts.count >= 3 ? parts.dropLast(2).joined(separator: ".") : nil
      })
    var records = ExecutionRecords.load(projectRoot: plan.projectRoot)
    var definitions = RunDefinitions(projectRoot: plan.projectRoot, runStart: runStartDate)
    records.recordRun(
      reports, labels: plan.labels, testModules: modules, isComplete: isComplete,
      definitions: { definitions.definitions(of: $0) })
    records.save(projectRoot: plan.projectRoot)
  }

  private func finish(problem startProblem: String?) {
    guard summary == nil else { return }
    process?.reapGroup()
    if !databasesDestroyed, !createdDatabases.isEmpty {
      createdDatabases.save(projectRoot: plan.projectRoot)
    }
    RecordedEdges.merge(recordedEdges, projectRoot: plan.projectRoot)
    recordExecution()
    if let timer = stragglerTimer { reactor.cancel(timer) }
    var problem = startProblem ?? supervisor.problem
    var runnerError: String?
    if problem == nil, !supervisor.runnerStarted, supervisor.interruption == nil {
      problem = startupProblem()
    } else if problem == nil, supervisor.runnerStarted, !supervisor.runnerFinished,
      supervisor.interruption == nil
    {
      problem = "the test runner ended before finishing the run (\(terminationText))"
      runnerError = Self.lastError(in: String(decoding: stderrTail, as: UTF8.self))
      // A Python traceback ends with the exception that ended the runner: say it here too.
      if let error = runnerError, error.hasPrefix("Traceback"), let last = error.split(separator: "\n").last {
        problem? += ": \(last)"
      }
    }
    channel?.close()
    channel = nil
    var exitCode = supervisor.exitCode(countsFailure: tally.hasFailures)
    if startProblem != nil { exitCode = 2 }
    var runnerStatus: Int32?
    var runnerSignal: Int32?
    switch supervisor.runnerTermination {
    case .exited(let status)?: runnerStatus = status
    case .signalled(let signal)?: runnerSignal = signal
    case nil: break
    }
    let summary = RunSummary(
      counts: tally.counts, duration: reactor.clock.now() - startedAt,
      interrupted: supervisor.interruption, exitCode: exitCode, runnerStatus: runnerStatus,
      runnerSignal: runnerSignal, problem: problem, runnerError: runnerError)
    self.summary = summary
    if let folder = runDirectory { try? FileManager.default.removeItem(atPath: folder) }
    publish(.runFinished(summary))
  }

  private var terminationText: String {
    switch supervisor.runnerTermination {
    case .exited(let status)?: return "exit status \(status)"
    case .signalled(let signal)?: return "killed by \(Self.signalName(signal))"
    case nil: return "still running"
    }
  }

  /// The runner's last error output, from the end of what it wrote to stderr: its last
  /// Python traceback (chained exceptions included), or else its last lines. Nil when it
  /// wrote nothing.
  static func lastError(in stderr: String, maxLines: Int = 80) -> String? {
    let header = "Traceback (most recent call last):"
    // unittest's progress marks have no newline: a crash's header can follow them (`..Traceback …`).
    var lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.hasSuffix(header) ? header : String(line)
    }
    while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
    guard !lines.isEmpty else { return nil }
    // Python prints a chain's causes first: take the whole chain, from its first traceback.
    var start = lines.lastIndex { $0 == header }
    while let found = start, found >= 2, lines[found - 1].isEmpty,
      lines[found - 2].hasPrefix("The above exception was the direct cause")
        || lines[found - 2].hasPrefix("During handling of the above exception")
    {
      start = lines[..<(found - 2)].lastIndex { $0 == header } ?? found
      if start == found { break }
    }
    if let start {
      return withoutHookFrames(lines[start...].joined(separator: "\n")).split(
        separator: "\n", omittingEmptySubsequences: false
      ).suffix(maxLines).joined(separator: "\n")
    }
    // No traceback: its last lines, without unittest's progress marks (`..F.s`).
    let said = lines.filter { line in !line.isEmpty && !line.allSatisfy { ".sxFEu".contains($0) } }
    return said.isEmpty ? nil : said.suffix(12).joined(separator: "\n")
  }

  /// Why Django's runner never started, from what the process printed.
  private func startupProblem() -> String {
    let tail = String(decoding: stderrTail, as: UTF8.self)
      .split(separator: "\n", omittingEmptySubsequences: true).suffix(12).joined(separator: "\n")
    var text = "Django's test runner did not start (\(terminationText))."
    if channel?.connections.isEmpty != false {
      text += " No Python process of the run reached djdash: the command may not be Python, or Python"
      text += " ran with -E, -I or -S and skipped djdash's sitecustomize."
    }
    if tail.isEmpty {
      text += " The command printed nothing; is it a Django test command? (\(plan.arguments.joined(separator: " ")))"
    } else {
      text += " The command said:\n\(tail)"
    }
    return text
  }
}
