import DjangoRunner

extension DashboardState {
  /// The reducer: applies one action and returns what the runtime must do.
  public mutating func apply(_ action: Action) -> [Effect] {
    switch action {
    case .key(let key):
      return handle(key)
    case .runEvent(let timed, let now):
      self.now = now
      return handle(timed)
    case .tick(let now):
      self.now = now
      return []
    case .terminalOpened(let width, let height, let glyphs):
      self.glyphs = glyphs
      return apply(.resize(width: width, height: height))
    case .resize(let width, let height):
      self.width = max(0, width)
      self.height = max(0, height)
      refreshDetail()
      layoutIfNeeded()
      return []
    case .sourcesLoaded(let files):
      sources.merge(files) { _, new in new }
      refreshDetail()
      return []
    case .editorFinished(let problem):
      notice = problem
      return []
    case .start:
      return startRun(scopeLabels, purpose: .scope)
    case .runNotStarted(let text):
      run.isStartRequested = false
      notice = text
      return startPendingRun()
    case .showNotice(let text):
      notice = text
      return []
    case .filesChanged(let change):
      return handle(change)
    case .watchModeChanged(let mode):
      watching?.mode = mode
      return []
    case .warmStateChanged(let status):
      watching?.warm = status
      return []
    case .runColdCheck(let labels):
      return run.isBusy ? [] : requestRun(labels, keepsRerun: true)
    case .historyLoaded(let snapshot):
      restore(snapshot)
      return []
    case .interruptSignal:
      return interrupt()
    case .terminate:
      isQuitting = true
      return run.isActive ? [.abortRun] : [.quit]
    }
  }

  // MARK: keys

  mutating func handle(_ key: Key) -> [Effect] {
    if key == .interrupt { return interrupt() }
    if prompt != nil { return handlePrompt(key) }
    if isHelpShown || isSlowestShown || watching?.isWhyShown == true {
      isHelpShown = false
      isSlowestShown = false
      watching?.isWhyShown = false
      return []
    }
    guard let command = Command.of(key) else { return [] }
    if run.phase != .stopping { notice = nil }
    layoutIfNeeded()
    switch command {
    case .moveDown: move(by: 1)
    case .moveUp: move(by: -1)
    case .pageDown: move(by: max(1, pageHeight - 1))
    case .pageUp: move(by: -max(1, pageHeight - 1))
    case .top: move(by: -(rows.count + detail.count))
    case .bottom: move(by: rows.count + detail.count)
    case .nextFailure: return selectFailure(forward: true)
    case .previousFailure: return selectFailure(forward: false)
    case .open:
      if screen == .list && isHeaderSelected { return startRun(lastLabels) }
      return openDetail()
    case .back:
      if screen == .detail {
        screen = .list
      } else if !filter.isEmpty {
        filter = ""
        rowsAreStale = true
        layoutIfNeeded()
      }
    case .nextTab, .previousTab:
      guard screen == .detail else { return openDetail() }
      let count = DetailTab.allCases.count
      let step = command == .nextTab ? 1 : count - 1
      tab = DetailTab(rawValue: (tab.rawValue + step) % count) ?? .traceback
      detailScroll = 0
      refreshDetail()
    case .openEditor:
      if screen == .list, let error = syntaxError { return [.openEditor(file: error.file, line: error.line)] }
      guard let entry = selectedEntry, let frame = editorFrame(of: entry) else {
        notice = "no line of the project to open for this test"
        return []
      }
      return [.openEditor(file: frame.file, line: frame.line)]
    case .runAll: return startRun(scopeLabels, purpose: .scope)
    case .runFailed:
      let failed = failedLabels
      guard !failed.isEmpty else {
        notice = "no failed tests to run"
        return []
      }
      return startRun(failed, purpose: .selection(SelectionRun(labels: failed, saved: [])))
    case .rerun: return startRun(lastLabels)
    case .runRest: return runRest()
    case .filter: prompt = Prompt(kind: .filter, text: filter)
    case .filterByName: prompt = Prompt(kind: .testName, text: testNamePatterns.joined(separator: " "))
    case .toggleOrder:
      order = order == .failuresFirst ? .runOrder : .failuresFirst
      rowsAreStale = true
      layoutIfNeeded()
    case .help: isHelpShown = true
    case .why:
      guard watching != nil else {
        notice = "not watching: djdash was started with --no-watch"
        return []
      }
      watching?.isWhyShown = true
    case .showSlowest: showSlowest()
    case .quit: return quit()
    }
    return []
  }

  private mutating func handlePrompt(_ key: Key) -> [Effect] {
    guard var prompt else { return [] }
    switch key {
    case .character(let character):
      prompt.text.append(character)
    case .backspace:
      if !prompt.text.isEmpty { prompt.text.removeLast() }
    case .enter:
      self.prompt = nil
      if prompt.kind == .testName {
        testNamePatterns = prompt.text.split(separator: " ").map(String.init)
        return startRun(scopeLabels, purpose: .scope)
      }
      return []
    case .escape:
      self.prompt = nil
      if prompt.kind == .filter {
        filter = ""
        rowsAreStale = true
        layoutIfNeeded()
      }
      return []
    default:
      return []
    }
    self.prompt = prompt
    if prompt.kind == .filter {
      filter = prompt.text
      rowsAreStale = true
      layoutIfNeeded()
    }
    return []
  }

  private var pageHeight: Int { screen == .detail ? layout.detail.height : layout.body.height }

  private mutating func move(by step: Int) {
    if screen == .detail {
      let maximum = max(0, detail.count - layout.detail.height)
      detailScroll = max(0, min(maximum, detailScroll + step))
      return
    }
    hasUserMoved = true
    guard let first = firstTestRow() else { return }
    if isHeaderSelected {
      guard step > 0 else { return }
      isHeaderSelected = false
      selectedID = testID(at: first)
      if step > 1 { move(by: step - 1) }
      return
    }
    let current = selectedID.flatMap { rowIndex(of: $0) } ?? first
    if step < 0 && current == first {
      isHeaderSelected = true
      return
    }
    var target = max(0, min(rows.count - 1, current + step))
    if let row = firstTestRow(from: target, step: step > 0 ? 1 : -1)
      ?? firstTestRow(from: target, step: step > 0 ? -1 : 1)
    {
      target = row
    }
    selectedID = testID(at: target)
    scrollToSelection()
  }

  private mutating func selectFailure(forward: Bool) -> [Effect] {
    layoutIfNeeded()
    let failing = rows.indices.filter { row in
      if case .test(let position) = rows[row] { return tests[position].hasFailed }
      return false
    }
    guard !failing.isEmpty else {
      notice = "no failures" + (filter.isEmpty ? "" : " in the filtered list")
      return []
    }
    // Until the user moves, the cursor follows the run: the first n is the first failure,
    // even when the cursor happens to be on it.
    let followed = hasUserMoved ? selectedID.flatMap { rowIndex(of: $0) } : nil
    hasUserMoved = true
    isHeaderSelected = false
    let current = followed ?? (forward ? -1 : rows.count)
    let target =
      forward
      ? (failing.first { $0 > current } ?? failing[0])
      : (failing.last { $0 < current } ?? failing[failing.count - 1])
    selectedID = testID(at: target)
    scrollToSelection()
    if screen == .detail {
      detailScroll = 0
      refreshDetail()
      return sourceRequests()
    }
    return []
  }

  private mutating func openDetail() -> [Effect] {
    guard selectedEntry != nil else { return [] }
    isHeaderSelected = false
    // Always the traceback first, so "Enter Tab Tab" means the mail, whatever was open before.
    if screen == .list { tab = .traceback }
    screen = .detail
    detailScroll = 0
    refreshDetail()
    return sourceRequests()
  }

  private mutating func startRun(_ labels: [String], purpose: RunPurpose = .other) -> [Effect] {
    guard !run.isBusy else {
      notice = Self.runIsGoing
      return []
    }
    return requestRun(labels, purpose: purpose)
  }

  private mutating func interrupt() -> [Effect] {
    guard run.isActive else { return [.quit] }
    interruptions += 1
    run.phase = .stopping
    notice = interruptions == 1 ? Self.stoppingGracefully : Self.stoppingNow
    return [.interruptRun]
  }

  private mutating func quit() -> [Effect] {
    guard run.isActive else { return [.quit] }
    if isQuitting {
      notice = Self.stoppingNow
      return [.abortRun]
    }
    isQuitting = true
    interruptions += 1
    run.phase = .stopping
    notice = "ending the run, then quitting (q again to stop at once)"
    return [.interruptRun]
  }

  static let stoppingGracefully = "stopping after the running tests finish (Ctrl-C again to stop at once)"
  static let stoppingNow = "stopping now"
  static let runIsGoing = "a run is going: wait for it, or press Ctrl-C to stop it"

  // MARK: run events

  mutating func handle(_ timed: TimedEvent) -> [Effect] {
    switch timed.event {
    case .runStarted(let start):
      run = RunStatus(phase: .running, labels: start.labels, command: start.command, startedAt: now - timed.t)
      run.isStartRequested = false
      run.purpose = requestedPurpose
      requestedPurpose = .other
      run.isWarm = start.isWarm == true
      syntaxError = nil
      if let origin = start.pythonOrigin { interpreter = PythonChoice(path: start.python, origin: origin) }
      interruptions = 0
      runnerLog = []
      if !isQuitting { notice = nil }
    case .runnerStarted(let info):
      if let recording = info.recording { watching?.recording = recording }
    case .suiteReady(let plan):
      run.planned = plan.tests.count
      self.plan(plan.tests)
    case .testStarted(let id, _):
      let position = entryIndex(for: id)
      update(position) { $0.startedAt = timed.t }
    case .testFinished(let report):
      let position = entryIndex(for: report.id, kind: report.kind)
      let before = tests[position].outcome
      update(position) { entry in
        entry.kind = report.kind
        entry.outcome = report.outcome
        entry.duration = report.duration
        entry.report = report
        entry.startedAt = nil
        entry.isPending = false
        entry.isStale = false
        entry.isBlockedByImport = false
        if !report.outcome.failsTheRun { entry.isSelectionMiss = false }
      }
      run.counts[report.outcome, default: 0] += 1
      if report.kind == .loadError, let frame = report.syntaxError {
        syntaxError = frame
        notRunAfterImportFailure(of: frame.file, module: TestID.failedModule(report.id))
      }
      let recorded = noteSelectionMiss(report, before: before)
      if !hasUserMoved, report.outcome.failsTheRun, !(selectedEntry?.hasFailed ?? false) {
        selectedID = report.id
      }
      if screen == .detail, selectedID == report.id {
        refreshDetail()
        return recorded + sourceRequests()
      }
      return recorded
    case .runFinished(let summary):
      run.phase = .finished(summary)
      run.duration = summary.duration
      for position in tests.indices where tests[position].isPending || tests[position].isRunning {
        update(position) { entry in
          entry.startedAt = nil
          entry.isPending = false
          entry.isStale = entry.outcome != nil
        }
      }
      if isQuitting { return [.quit] }
      // The run is over: a notice that Ctrl-C stops it would mislead, Ctrl-C now quits.
      if let shown = notice, [Self.stoppingGracefully, Self.stoppingNow, Self.runIsGoing].contains(shown) {
        notice = nil
      }
      if run.planned == nil && run.done == 0 && summary.problem == nil && notice == nil {
        notice = "no tests ran"
      }
      // The runner crashed: its own last words say why (the list may hide them).
      if let error = summary.runnerError, let last = error.lines.last(where: { !$0.isEmpty }) {
        notice = "the test runner crashed: " + last.trimmingCharacters(in: .whitespaces)
        if let frame = SyntaxFrame.parse(error) {
          syntaxError = frame
          notice = "a file does not compile: the run stopped before its tests"
          notRunAfterImportFailure(of: frame.file, module: nil)
        }
      }
      return followWithRest(summary, queued: startPendingRun())
    case .output(let output):
      runnerLog.append(contentsOf: output.text.lines.map(String.init))
      if runnerLog.last == "" { runnerLog.removeLast() }
      if runnerLog.count > 400 { runnerLog.removeFirst(runnerLog.count - 300) }
    case .testsDiscarded(let discarded):
      discard(discarded.tests)
      let what = discarded.tests.count == 1 ? discarded.tests[0] : "\(discarded.tests.count) tests"
      notice = "not run: \(what) (\(discarded.reason))"
    case .processLost(let loss):
      notice = "process \(loss.pid) lost: \(loss.reason)"
      runnerLog.append("process \(loss.pid) lost\(loss.test.map { " while running \($0)" } ?? ""): \(loss.reason)")
    case .warning(let text):
      notice = text
    case .wentCold(let reason):
      run.isWarm = false
      notice = "running cold: " + reason
    default:
      break
    }
    return []
  }

  /// A test module that does not import: its tests' verdicts from earlier runs no longer
  /// hold (a green check would say they pass); they show as not run.
  private mutating func notRunAfterImportFailure(of file: String, module: String?) {
    let path = file.hasSuffix("/__init__.py") ? String(file.dropLast("/__init__.py".count)) : String(file.dropLast(3))
    for position in tests.indices where tests[position].kind == .test {
      let testModule = tests[position].path.module
      let inModule =
        module.map { testModule == $0 || testModule.hasPrefix($0 + ".") }
        ?? path.hasSuffix("/" + testModule.replacingOccurrences(of: ".", with: "/"))
      guard inModule else { continue }
      update(position) { entry in
        entry.isBlockedByImport = true
        entry.outcome = nil
        entry.report = nil
        entry.duration = nil
        entry.isStale = false
        entry.isPending = false
      }
    }
    rowsAreStale = true
  }

  /// Tests Django never counted (`tests_discarded`): a result this run gave them no
  /// longer counts, and one still running is over. Either way they did not run.
  private mutating func discard(_ ids: [String]) {
    for id in ids {
      guard let position = index[id] else { continue }
      if tests[position].isPending {
        update(position) { entry in
          entry.startedAt = nil
          entry.isPending = false
          entry.isStale = entry.outcome != nil
        }
      } else if let outcome = tests[position].outcome, !tests[position].isStale {
        run.counts[outcome, default: 0] -= 1
        update(position) { entry in
          entry.outcome = nil
          entry.report = nil
          entry.duration = nil
          entry.startedAt = nil
        }
      }
    }
    if screen == .detail { refreshDetail() }
  }

  // MARK: detail

  /// Rebuilds the detail document when it is shown (a test's result, the tab or the
  /// width changed) and keeps its scroll in range.
  mutating func refreshDetail() {
    guard screen == .detail, let entry = selectedEntry else {
      detail = []
      return
    }
    detail = DetailDocument.lines(
      for: entry, tab: tab, width: width, projectRoot: projectRoot, sources: sources, glyphs: glyphs)
    detailScroll = max(0, min(detailScroll, detail.count - layout.detail.height))
  }

  /// Reads the source of the selected test's project frames, once each.
  private mutating func sourceRequests() -> [Effect] {
    guard let report = selectedEntry?.report else { return [] }
    let frames = (report.problems.flatMap(\.traceback) + report.subtests.flatMap(\.traceback) + report.traceback)
    let wanted = Set(frames.map(\.file).filter { DetailDocument.isProjectFile($0, root: projectRoot) })
      .subtracting(requestedSources)
    guard !wanted.isEmpty else { return [] }
    requestedSources.formUnion(wanted)
    return [.loadSources(wanted.sorted())]
  }

  /// Where `e` opens the editor: the innermost project frame of the first problem.
  public func editorFrame(of entry: TestEntry) -> SourceFrame? {
    guard let report = entry.report else { return nil }
    if let syntax = report.syntaxError {
      return SourceFrame(file: syntax.file, line: syntax.line, function: "<module>", source: syntax.text)
    }
    let frames = report.problems.first?.traceback ?? report.traceback
    let subtestFrames = report.subtests.first { $0.outcome.failsTheRun }?.traceback ?? []
    return (frames.isEmpty ? subtestFrames : frames).last { DetailDocument.isProjectFile($0.file, root: projectRoot) }
  }
}
