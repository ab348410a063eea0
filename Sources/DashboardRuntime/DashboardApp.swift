import CShims
import Dashboard
import DjangoRunner
import Foundation
import RunHistory

#if canImport(Glibc)
  import Glibc
#endif

/// The dashboard's runtime: turns keys, signals, run events, file changes and time into
/// actions, applies them with the reducer, carries out the effects, and paints frames on
/// a `TerminalBackend`. All on one reactor thread.
///
/// The executable runs it on a `CursesTerminal` (`run(on:)`); tests on a `MemoryTerminal`,
/// turning the reactor themselves between keys (`start(on:)`, `runOnce(timeout:)`,
/// `finish()`), with real runs of real projects.
public final class DashboardApp {
  private let project: Project
  private let request: RunRequest
  private let directory: String
  /// What runs start from, and where `$EDITOR` is read.
  private let environment: [String: String]
  /// The one event loop: the terminal's input, the run's sockets and pipes, the watcher,
  /// timers. The executable adds its signal source here.
  public let reactor = Reactor()
  private var state: DashboardState
  private var terminal: (any TerminalBackend)?
  /// Between `start(on:)` and the `quit` effect.
  public private(set) var isRunning = false
  private var session: RunSession?
  private var isFrameScheduled = false
  private var lastFrame = 0.0
  private var ticker: Int?
  private var editor: (pid: pid_t, fd: Int32)?
  private var selector: TestSelector?
  private var watcher: ProjectWatcher?
  /// How each run starts (warm, prepared, cold) and the warm runner's life: decided by
  /// its `LaunchPolicy`, carried out on this reactor.
  private lazy var launcher = makeLauncher()
  private var isStartScheduled = false
  /// The project's run history: read at start, and every run recorded into it.
  private var history: HistoryStore?
  /// `--events` and `--junit-xml`: every run's events appended, the last run's JUnit.
  private let reports: Reports
  /// What earlier runs recorded each test executing, for function precision; reread
  /// after every run (the run's session writes them).
  private var records = ExecutionRecords()
  /// Files whose narrowed selection missed a test: the graph's selection for them, until
  /// a run of that selection has ended (then their tests ran again).
  private var narrowingOff: Set<String> = []
  private var narrowingBackAfterRun: Set<String> = []

  /// Reports kept across runs.
  public struct Reports {
    /// `--events`: every run's events appended.
    public var events: EventLogWriter?
    /// `--junit-xml`: the last run's JUnit report.
    public var junitXML: String?

    public init(events: EventLogWriter? = nil, junitXML: String? = nil) {
      self.events = events
      self.junitXML = junitXML
    }
  }

  /// Seconds between two frames at most 60 a second, however fast events arrive.
  private static let frameInterval = 1.0 / 60
  private static let tickInterval = 0.25

  /// - Parameters:
  ///   - project: the project located for the command.
  ///   - request: the command line's request; the project's configuration fills the gaps.
  ///   - directory: where djdash was started.
  ///   - reports: `--events` and `--junit-xml`.
  ///   - environment: what runs start from, and where `$EDITOR` is read (djdash's own).
  public init(
    project: Project, request: RunRequest, directory: String, reports: Reports = Reports(),
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    self.project = project
    self.reports = reports
    self.environment = environment
    var request = request
    // Watch mode records what each test executes, unless `record = false`.
    let configured = request.filling(from: project.configuration)
    if configured.records == nil { request.records = configured.watch != false }
    self.request = request
    self.directory = directory
    let name = URL(fileURLWithPath: project.root).lastPathComponent
    let merged = request.filling(from: project.configuration)
    // The header names the interpreter before the first run starts.
    let plan = try? project.plan(for: request, directory: directory, environment: environment)
    state = DashboardState(
      projectName: name, projectRoot: project.root, scopeLabels: merged.labels,
      testNamePatterns: merged.testNamePatterns,
      interpreter: plan.flatMap { plan in plan.pythonOrigin.map { PythonChoice(path: plan.python, origin: $0) } },
      watching: merged.watch == false ? nil : WatchState(onChange: merged.restartsOnChange == true ? .restart : .queue),
      safetyNet: SafetyNet(isAutomatic: merged.thenRest == true))
  }

  private func makeLauncher() -> RunLauncher {
    let merged = request.filling(from: project.configuration)
    // Watch mode keeps a warm runner, unless `--cold`.
    let settings = LaunchPolicy.Settings(
      keepsWarmRunner: merged.watch != false && merged.warm != false, checksWarm: merged.checksWarm == true)
    let launcher = RunLauncher(reactor: reactor, settings: settings) { [unowned self] in
      try? self.plan(labels: [], patterns: self.state.testNamePatterns)
    }
    launcher.onStatusChange = { [unowned self] in self.dispatch(.warmStateChanged($0)) }
    launcher.onNotice = { [unowned self] in self.dispatch(.showNotice($0)) }
    launcher.onColdCheck = { [unowned self] labels in
      self.dispatch(.runColdCheck(labels: labels))
      return self.isStartScheduled  // else a queued save's run came first
    }
    return launcher
  }

  /// Runs the dashboard on `terminal` until the user quits. The caller opened the
  /// terminal and closes it after.
  public func run(on terminal: any TerminalBackend) {
    start(on: terminal)
    while isRunning { reactor.runOnce(timeout: nil) }
    finish()
  }

  /// Takes `terminal`, reads the history, starts the first run and paints the first
  /// frame; the reactor serves the rest (`runOnce(timeout:)`) until `isRunning` is false.
  public func start(on terminal: any TerminalBackend) {
    self.terminal = terminal
    isRunning = true
    dispatch(
      .terminalOpened(width: terminal.width, height: terminal.height, glyphs: terminal.isUnicode ? .unicode : .ascii))
    reactor.watch(terminal.inputDescriptor) { [unowned self] in self.readInputs() }
    var notices: [String] = []
    history = HistoryAccess.open(projectRoot: project.root) { notices.append($0) }
    loadHistory()
    if !notices.isEmpty { dispatch(.showNotice(notices.joined(separator: "; "))) }
    dispatch(.start)
    render()
    if state.watching != nil {
      // After the first frame: on a large project the graph takes a moment to build.
      reactor.after(0) { [unowned self] in self.startWatching() }
    }
  }

  /// Serves one turn of the reactor: waits at most `timeout` seconds (nil: until
  /// something happens) for input, run events or a timer.
  public func runOnce(timeout: Double?) {
    reactor.runOnce(timeout: timeout)
  }

  /// After the user quit: stops watching and lets the warm runner go. Warm servers tear
  /// their test databases down, as a cold run does at its end, on their own: told to
  /// stop (or seeing djdash gone), they finish detached, so the shell is back at once.
  /// What a killed teardown leaves, the next start drops.
  public func finish() {
    if let terminal { reactor.unwatch(terminal.inputDescriptor) }
    launcher.stop()
    watcher?.close()
    watcher = nil
  }

  /// A signal from outside, read by the caller's signal source: SIGINT is Ctrl-C,
  /// SIGWINCH a new window size, anything else (SIGTERM, SIGHUP) stops the run and quits.
  public func signalled(_ signal: Int32) {
    switch signal {
    case SIGINT: dispatch(.interruptSignal)
    case SIGWINCH: followResize()
    default: dispatch(.terminate)
    }
  }

  // MARK: actions and effects

  private func dispatch(_ action: Action) {
    for effect in state.apply(action) { perform(effect) }
    scheduleFrame()
  }

  private func perform(_ effect: Effect) {
    switch effect {
    case .startRun(let labels, let patterns):
      // Never from inside the callback of the run that just ended.
      isStartScheduled = true
      reactor.after(0) { [unowned self] in self.startRun(labels: labels, patterns: patterns) }
    case .interruptRun:
      session?.interrupt()
    case .abortRun:
      session?.abort()
    case .recordSelectionMiss(let miss):
      if miss.wasNarrowed { narrowingOff.formUnion(miss.saved) }
      do {
        try history?.record(selectionMiss: miss.test, saved: miss.saved, link: miss.link)
      } catch {
        dispatch(.showNotice("cannot record the selection miss in the history: \(error)"))
      }
    case .openEditor(let file, let line):
      openEditor(file: file, line: line)
    case .loadSources(let paths):
      var files: [String: [String]] = [:]
      for path in paths {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        files[path] = text.utf8.count > 4 << 20 ? [] : text.lines.map(String.init)
      }
      dispatch(.sourcesLoaded(files))
    case .quit:
      launcher.discardPreparedRunner()
      isRunning = false
      reactor.stop()
    }
  }

  private func startRun(labels: [String], patterns: [String]) {
    isStartScheduled = false
    if let session, !session.isFinished { return }
    let plan: RunPlan
    do {
      plan = try self.plan(labels: labels, patterns: patterns)
    } catch {
      launcher.discardPreparedRunner()
      dispatch(.runNotStarted("cannot start the run: \(error)"))
      return
    }
    let recorder = history.map {
      HistoryRecorder(store: $0, origin: .dashboard, projectRoot: project.root, reactor: reactor)
    }
    recorder?.onProblem = { [unowned self] in self.dispatch(.showNotice($0)) }
    // The session this closure reports on; set before it starts.
    var current: RunSession?
    var renders: [String: Set<String>] = [:]
    var imports: [String: Set<String>] = [:]
    var resolutions: [String: Set<String>] = [:]
    let onEvent: (TimedEvent) -> Void = { [unowned self] timed in
      self.reports.events?.write(timed)
      recorder?.record(timed)
      if case .testFinished(let report) = timed.event {
        if !report.templates.isEmpty { renders[report.id, default: []].formUnion(report.templates) }
        if !report.imported.isEmpty { imports[report.id, default: []].formUnion(report.imported) }
        if !report.resolved.isEmpty { resolutions[report.id, default: []].formUnion(report.resolved) }
      }
      // Before the reducer, which may start the run a save queued (and its ticks).
      if case .runFinished = timed.event { self.stopTicking() }
      self.dispatch(.runEvent(timed, now: self.reactor.clock.now()))
      if case .runFinished(let summary) = timed.event {
        if let current { self.writeJUnit(of: current, summary: summary) }
        self.selector?.recordRenders(renders)
        self.selector?.recordImports(imports)
        self.selector?.recordResolutions(resolutions)
        // A run that recorded wrote the records anew (`RunSession`); others left them.
        if current?.recorder != nil { self.records = ExecutionRecords.load(projectRoot: self.project.root) }
        // The graph's selection for files narrowing missed a test of ran to its end: their
        // tests have run again, and been recorded anew.
        if summary.interrupted == nil, case .selection(let selection) = self.state.run.purpose {
          let back = self.narrowingBackAfterRun.intersection(selection.saved)
          self.narrowingOff.subtract(back)
          self.narrowingBackAfterRun.subtract(back)
        }
        self.loadHistory()
        if let current { self.launcher.runFinished(current) }
      }
    }
    startTicking()
    // Warm, prepared or cold: the launcher's policy decides.
    _ = launcher.launch(plan, onEvent: onEvent) { [unowned self] run in
      current = run
      self.session = run
    }
  }

  private func plan(labels: [String], patterns: [String]) throws -> RunPlan {
    var runRequest = request
    runRequest.labels = labels
    runRequest.testNamePatterns = patterns
    return try project.plan(for: runRequest, directory: directory, environment: environment)
  }

  // MARK: watching

  private func startWatching() {
    selector = TestSelector(graph: project.dependencyGraph(for: request))
    records = ExecutionRecords.load(projectRoot: project.root)
    do {
      let watcher = try ProjectWatcher(root: project.root, reactor: reactor, ignore: IgnoreRules(root: project.root)) {
        [unowned self] batch in self.filesChanged(batch)
      }
      // A save begins: start Python and Django while it settles, when no run is going.
      watcher.onActivity = { [unowned self] paths in
        guard !self.state.run.isBusy else { return }
        self.launcher.saveBegan(paths)
      }
      self.watcher = watcher
      dispatch(.watchModeChanged(watcher.notice))
    } catch {
      dispatch(.watchModeChanged("cannot watch the project: \(error)"))
    }
  }

  private func filesChanged(_ batch: WatchBatch) {
    guard var selector else { return }
    let selection: TestSelection
    if batch.isOverflow {
      selector = TestSelector(graph: project.dependencyGraph(for: request))
      selection = TestSelection(isEverything: true, broadReasons: ["too many changes at once to follow: every test"])
    } else {
      let uncompilable = project.uncompilableBeforeTests(batch.paths, in: selector.graph) {
        try? self.plan(labels: [], patterns: self.state.testNamePatterns).python
      }
      let graphs = selector.selection(afterChanging: batch.paths, uncompilable: uncompilable)
      selection = project.narrowed(
        graphs, changing: batch.paths, records: records, in: selector.graph, off: narrowingOff)
      if selection.rule?.hasPrefix(FunctionNarrowing.rule) != true, !records.isEmpty, !graphs.labels.isEmpty {
        // The tests may now run otherwise than recorded: recorded anew as they run.
        if records.forget(testsUnder: graphs.isEverything ? [] : graphs.labels) {
          records.save(projectRoot: project.root)
        }
      }
      narrowingBackAfterRun.formUnion(batch.paths.filter(narrowingOff.contains))
    }
    self.selector = selector
    launcher.filesChanged(batch.paths, isOverflow: batch.isOverflow)
    dispatch(.filesChanged(WatchChange(paths: batch.paths, selection: selection)))
    // Nothing to run (or only queued): the prepared runner is not needed.
    if !isStartScheduled { launcher.discardPreparedRunner() }
  }

  /// `--junit-xml`: the report of the run that just ended replaces the last one.
  private func writeJUnit(of session: RunSession, summary: RunSummary) {
    guard let path = reports.junitXML else { return }
    let xml = JUnitReport.xml(for: session.tally.reports, duration: summary.duration)
    do {
      try xml.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      dispatch(.showNotice("cannot write the JUnit report \(path): \(error.localizedDescription)"))
    }
  }

  /// Hands the history's last state and slowest tests to the state.
  private func loadHistory() {
    guard let history else { return }
    do {
      dispatch(.historyLoaded(HistorySnapshot(records: try history.lastState(), slowest: try history.slowest())))
    } catch {
      dispatch(.showNotice("cannot read the run history: \(error)"))
    }
  }

  // MARK: time and frames

  private func startTicking() {
    guard ticker == nil else { return }
    ticker = reactor.after(Self.tickInterval) { [unowned self] in
      self.ticker = nil
      self.dispatch(.tick(now: self.reactor.clock.now()))
      if self.state.run.isActive { self.startTicking() }
    }
  }

  private func stopTicking() {
    if let ticker { reactor.cancel(ticker) }
    ticker = nil
  }

  private func scheduleFrame() {
    guard !isFrameScheduled else { return }
    isFrameScheduled = true
    let wait = max(0, lastFrame + Self.frameInterval - reactor.clock.now())
    reactor.after(wait) { [unowned self] in
      self.isFrameScheduled = false
      self.render()
    }
  }

  private func render() {
    guard editor == nil, let terminal else { return }
    lastFrame = reactor.clock.now()
    state.layoutIfNeeded()
    terminal.paint(DashboardView.render(state))
  }

  // MARK: terminal

  private func readInputs() {
    guard let terminal else { return }
    for input in terminal.readInputs() {
      switch input {
      case .key(let key): dispatch(.key(key))
      case .resized: followResize()
      }
    }
  }

  private func followResize() {
    guard let terminal, editor == nil else { return }
    terminal.followResize()
    dispatch(.resize(width: terminal.width, height: terminal.height))
    render()
  }

  private func openEditor(file: String, line: Int) {
    guard let terminal, editor == nil else { return }
    let arguments: [String]
    do {
      arguments = try EditorCommand.arguments(
        editor: EditorCommand.editor(environment: environment), file: file, line: line)
    } catch {
      dispatch(.editorFinished(problem: "cannot open the editor: \(error)"))
      return
    }
    terminal.suspend()
    var pid: pid_t = 0
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let status = djdash_spawn_foreground(argv, &pid)
    let fd = status == 0 ? djdash_pidfd_open(pid) : -1
    guard status == 0, fd >= 0 else {
      if status == 0 { _ = waitpid(pid, nil, 0) }
      terminal.resume()
      dispatch(
        .editorFinished(
          problem: "cannot start \(arguments[0]): \(String(cString: strerror(status == 0 ? errno : status)))"))
      return
    }
    editor = (pid, fd)
    reactor.unwatch(terminal.inputDescriptor)
    reactor.watch(fd) { [unowned self] in self.editorExited() }
  }

  private func editorExited() {
    guard let editor, let terminal else { return }
    reactor.unwatch(editor.fd)
    close(editor.fd)
    var status: Int32 = 0
    _ = waitpid(editor.pid, &status, 0)
    self.editor = nil
    terminal.resume()
    reactor.watch(terminal.inputDescriptor) { [unowned self] in self.readInputs() }
    terminal.followResize()
    dispatch(.resize(width: terminal.width, height: terminal.height))
    dispatch(.editorFinished(problem: nil))
    render()
  }
}
