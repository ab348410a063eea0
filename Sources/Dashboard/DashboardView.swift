import DjangoRunner

/// The view: a pure function of the state into a cell buffer. It never changes the
/// state; scroll offsets and the selection were settled by the reducer.
public enum DashboardView {
  /// Draws the whole screen. Call `state.layoutIfNeeded()` first.
  public static func render(_ state: DashboardState) -> CellBuffer {
    var buffer = CellBuffer(width: state.width, height: state.height)
    let layout = state.layout
    if layout.isTooSmall {
      drawTooSmall(state, into: &buffer)
      return buffer
    }
    drawHeader(state, layout.header, into: &buffer)
    switch state.screen {
    case .list: drawList(state, layout.body, into: &buffer)
    case .detail: drawDetail(state, layout, into: &buffer)
    }
    if let rect = layout.codeFrame, let frame = state.syntaxError {
      drawCodeFrame(frame, state, rect, into: &buffer)
    }
    if let rect = layout.notice {
      buffer.fill(rect)
      if let notice = state.notice {
        buffer.write(" " + notice, x: 0, y: rect.y, role: .warning, bold: true)
      } else if let line = state.watchLine {
        buffer.write(" " + line, x: 0, y: rect.y, role: .accent)
      }
    }
    drawFooter(state, layout.footer, into: &buffer)
    if state.isSlowestShown { SlowestView.draw(state, into: &buffer) }
    if state.isHelpShown { drawHelp(state, into: &buffer) }
    if state.watching?.isWhyShown == true { drawWhy(state, into: &buffer) }
    return buffer
  }

  /// A file that does not compile: the error, where, the line and the caret.
  static func drawCodeFrame(_ frame: SyntaxFrame, _ state: DashboardState, _ rect: Rect, into buffer: inout CellBuffer) {
    buffer.fill(rect)
    let path = DetailDocument.shortPath(frame.file, root: state.projectRoot)
    buffer.write(" " + frame.message, x: 0, y: rect.y, role: .failure, bold: true, limit: rect.width)
    var x = buffer.write("   \(path):\(frame.line)", x: 0, y: rect.y + 1, role: .accent, limit: rect.width)
    x = buffer.write("  (e: edit there)", x: x, y: rect.y + 1, role: .muted, limit: rect.width)
    let number = String(frame.line)
    let gutter = "   " + number + " │ "
    x = buffer.write(gutter, x: 0, y: rect.y + 2, role: .muted, limit: rect.width)
    buffer.write(frame.text, x: x, y: rect.y + 2, role: .text, limit: rect.width)
    if let column = frame.column {
      let prefix = String(repeating: " ", count: 3 + number.count) + " │ "
      let caretX = TextWidth.of(prefix) + TextWidth.of(String(frame.text.prefix(column)))
      buffer.write(prefix, x: 0, y: rect.y + 3, role: .muted, limit: rect.width)
      if caretX < rect.width { buffer.write("^", x: caretX, y: rect.y + 3, role: .failure, bold: true) }
    }
  }

  // MARK: header

  static func drawHeader(_ state: DashboardState, _ rect: Rect, into buffer: inout CellBuffer) {
    let glyphs = state.glyphs
    buffer.fill(Rect(x: 0, y: rect.y, width: rect.width, height: 1), role: .bar, selected: state.isHeaderSelected)
    let selected = state.isHeaderSelected
    var x = buffer.write(" djdash ", x: 0, y: rect.y, role: .bar, bold: true, selected: selected)
    x = buffer.write(state.projectName + " ", x: x, y: rect.y, role: .bar, selected: selected)
    let (status, role) = statusWord(state)
    let elapsed: Double
    switch state.run.phase {
    case .running, .stopping: elapsed = max(0, state.now - state.run.startedAt)
    case .finished: elapsed = state.run.duration
    case .idle: elapsed = 0
    }
    let right = state.run.phase == .idle ? status + " " : status + "  " + formatDuration(elapsed) + " "
    let rightX = max(x, rect.width - TextWidth.of(right))
    var command = commandText(state)
    if let interpreter = interpreterText(state) { command += "  " + glyphs.separator + " " + interpreter }
    buffer.write(glyphs.separator + " " + command, x: x, y: rect.y, role: .bar, selected: selected, limit: rightX - 1)
    let statusEnd = buffer.write(status, x: rightX, y: rect.y, role: role, bold: true, selected: selected)
    if state.run.phase != .idle {
      buffer.write("  " + formatDuration(elapsed) + " ", x: statusEnd, y: rect.y, role: .bar, selected: selected)
    }

    // Progress and counts.
    let y = rect.y + 1
    buffer.fill(Rect(x: 0, y: y, width: rect.width, height: 1))
    let run = state.run
    let total = max(run.planned ?? run.done, run.done)
    let countsText = counts(state)
    let fraction = "\(run.done)/\(total) "
    let barWidth = max(0, min(40, rect.width - TextWidth.of(fraction) - countsText.width - 6))
    var column = 1
    if barWidth >= 6 {
      let filled = total == 0 ? 0 : barWidth * run.done / total
      let barRole: Role = (run.counts[.fail] ?? 0) + (run.counts[.error] ?? 0) > 0 ? .failure : .success
      column = buffer.write(glyphs.barLeft, x: column, y: y, role: .border)
      column = buffer.write(String(repeating: glyphs.barFull, count: filled), x: column, y: y, role: barRole)
      column = buffer.write(
        String(repeating: glyphs.barEmpty, count: barWidth - filled), x: column, y: y, role: .border)
      column = buffer.write(glyphs.barRight + " ", x: column, y: y, role: .border)
    }
    column = buffer.write(fraction, x: column, y: y, role: .text, bold: true)
    column = buffer.write(countsText, x: column + 1, y: y)
    var extras: [String] = []
    if !state.testNamePatterns.isEmpty { extras.append("-k " + state.testNamePatterns.joined(separator: " ")) }
    if !state.filter.isEmpty && state.prompt == nil { extras.append("filter: " + state.filter) }
    if state.order == .runOrder { extras.append("run order") }
    if state.run.isWarm { extras.append("warm") }
    if state.run.purpose.isRest { extras.append("rest of the suite") }
    let stale = state.tests.reduce(0) { $0 + ($1.isStale ? 1 : 0) }
    if stale > 0 { extras.append("\(stale) stale") }
    if let oldest = state.tests.filter(\.isRunning).min(by: { ($0.startedAt ?? 0) < ($1.startedAt ?? 0) }),
      let startedAt = oldest.startedAt
    {
      let elapsed = max(0, state.now - state.run.startedAt - startedAt)
      extras.append(state.glyphs.running + " " + oldest.path.name + " " + formatDuration(elapsed))
    }
    if !extras.isEmpty {
      column = buffer.write("  " + extras.joined(separator: "  "), x: column, y: y, role: .accent)
    }
    // A crashed runner's own last word stays in sight (the notice goes with the next key).
    if case .finished(let summary) = state.run.phase, let error = summary.runnerError,
      let last = error.lines.last(where: { !$0.isEmpty })
    {
      buffer.write("  " + last.trimmingCharacters(in: .whitespaces), x: column, y: y, role: .failure)
    }
  }

  static func statusWord(_ state: DashboardState) -> (String, Role) {
    switch state.run.phase {
    case .idle: return ("ready", .muted)
    case .running: return (state.glyphs.running + " running", .running)
    case .stopping: return ("stopping…", .warning)
    case .finished(let summary):
      if summary.interrupted != nil { return ("interrupted", .warning) }
      if summary.problem != nil && summary.exitCode != 0 && summary.total == 0 { return ("could not run", .failure) }
      if summary.runnerError != nil { return ("crashed", .failure) }
      if summary.exitCode == 0 { return ("passed", .success) }
      return ("failed", .failure)
    }
  }

  static func commandText(_ state: DashboardState) -> String {
    guard var words = state.run.command.first.map({ _ in state.run.command }) else {
      return state.scopeLabels.isEmpty ? "all tests" : state.scopeLabels.joined(separator: " ")
    }
    if let python = words.first, let slash = python.lastIndex(of: "/") {
      words[0] = String(python[python.index(after: slash)...])
    }
    return words.joined(separator: " ")
  }

  /// "python .venv/bin/python (the project's .venv)": the interpreter, from the project's
  /// root when inside it, and why it was chosen.
  static func interpreterText(_ state: DashboardState) -> String? {
    guard let interpreter = state.interpreter else { return nil }
    var path = interpreter.path
    if path.hasPrefix(state.projectRoot + "/") { path.removeFirst(state.projectRoot.count + 1) }
    return "python " + path + " (" + interpreter.origin.reason(for: interpreter.path) + ")"
  }

  static func counts(_ state: DashboardState) -> StyledLine {
    var line = StyledLine()
    for outcome in [TestOutcome.pass, .fail, .error, .skip, .xfail, .xpass] {
      let count = state.run.counts[outcome] ?? 0
      if count == 0 && outcome != .pass && outcome != .fail { continue }
      line.append(state.glyphs.glyph(outcome) + " \(count)  ", count == 0 ? .muted : outcome.role, bold: count > 0)
    }
    return line
  }

  // MARK: list

  static func drawList(_ state: DashboardState, _ rect: Rect, into buffer: inout CellBuffer) {
    guard !state.rows.isEmpty else {
      drawEmptyList(state, rect, into: &buffer)
      return
    }
    let selectedRow = state.selectedID.flatMap { state.rowIndex(of: $0) }
    for offset in 0..<rect.height {
      let row = state.listScroll + offset
      guard row < state.rows.count else { break }
      let y = rect.y + offset
      let isSelected = row == selectedRow && !state.isHeaderSelected
      if isSelected { buffer.fill(Rect(x: 0, y: y, width: rect.width, height: 1), selected: true) }
      switch state.rows[row] {
      case .group(let level, let title, let end):
        drawGroup(state, level: level, title: title, members: (row + 1)..<end, y: y, width: rect.width, into: &buffer)
      case .test(let position):
        drawTest(state, state.tests[position], y: y, width: rect.width, selected: isSelected, into: &buffer)
      }
    }
  }

  static func drawGroup(
    _ state: DashboardState, level: Int, title: String, members: Range<Int>, y: Int, width: Int,
    into buffer: inout CellBuffer
  ) {
    var failed = 0
    var done = 0
    var running = 0
    var total = 0
    for row in members {
      guard case .test(let position) = state.rows[row] else { continue }
      let entry = state.tests[position]
      total += 1
      if entry.hasFailed { failed += 1 }
      if entry.isRunning { running += 1 }
      if entry.outcome != nil && !entry.isPending { done += 1 }
    }
    var shown = title
    if level == 1, let app = appTitle(state, members: members), title.hasPrefix(app + ".") {
      shown = String(title.dropFirst(app.count + 1))
    }
    let glyph =
      failed > 0
      ? state.glyphs.fail
      : running > 0 ? state.glyphs.running : done == total ? state.glyphs.pass : state.glyphs.pending
    let glyphRole: Role = failed > 0 ? .failure : running > 0 ? .running : done == total ? .success : .muted
    let indent = level * 2
    var x = buffer.write(glyph + " ", x: indent, y: y, role: glyphRole)
    let summary = failed > 0 ? "\(failed) failed of \(total)" : "\(total) \(total == 1 ? "test" : "tests")"
    let summaryX = width - TextWidth.of(summary) - 1
    x = buffer.write(shown, x: x, y: y, role: .group, bold: level == 0, limit: summaryX - 1)
    if summaryX > x { buffer.write(summary, x: summaryX, y: y, role: failed > 0 ? .failure : .muted) }
  }

  private static func appTitle(_ state: DashboardState, members: Range<Int>) -> String? {
    for row in members {
      if case .test(let position) = state.rows[row] { return state.tests[position].path.app }
    }
    return nil
  }

  static func drawTest(
    _ state: DashboardState, _ entry: TestEntry, y: Int, width: Int, selected: Bool, into buffer: inout CellBuffer
  ) {
    let glyphs = state.glyphs
    let indent = entry.path.className.isEmpty ? 4 : 6
    let glyph: String
    let glyphRole: Role
    if entry.isRunning {
      (glyph, glyphRole) = (glyphs.running, .running)
    } else if entry.isPending {
      (glyph, glyphRole) = (glyphs.pending, .muted)
    } else if let outcome = entry.outcome {
      (glyph, glyphRole) = (glyphs.glyph(outcome), entry.isStale ? .muted : outcome.role)
    } else {
      (glyph, glyphRole) = (glyphs.pending, .muted)
    }
    var x = buffer.write(glyph + " ", x: indent, y: y, role: glyphRole, bold: true, selected: selected)
    let right: String
    let rightRole: Role
    if let startedAt = entry.startedAt {
      right = formatDuration(max(0, state.now - state.run.startedAt - startedAt))
      rightRole = .running
    } else if let duration = entry.duration, !entry.isPending {
      right = formatDuration(duration)
      rightRole = .muted
    } else {
      right = ""
      rightRole = .muted
    }
    let rightX = width - TextWidth.of(right) - 1
    let nameRole: Role =
      entry.isRunning ? .running : entry.isPending || entry.isStale ? .muted : entry.hasFailed ? .failure : .text
    x = buffer.write(
      entry.path.name, x: x, y: y, role: nameRole, bold: entry.isRunning, selected: selected, limit: rightX - 1)
    if entry.isBlockedByImport {
      x = buffer.write(
        "  not run: its module does not import", x: x, y: y, role: .muted, selected: selected, limit: rightX - 1)
    }
    if entry.isSelectionMiss {
      x = buffer.write(" missed by selection", x: x, y: y, role: .warning, bold: true, selected: selected, limit: rightX - 1)
    }
    if entry.isFlipping {
      x = buffer.write(
        " " + glyphs.flipping, x: x, y: y, role: .warning, bold: true, selected: selected, limit: rightX - 1)
    }
    if entry.hasFailed, !entry.isPending, let report = entry.report {
      let message = (report.exception.map { $0 + ": " } ?? "") + (report.message.lines.first.map(String.init) ?? "")
      if !message.isEmpty, rightX - x > 12 {
        let shown = message.truncated(to: rightX - x - 3, ellipsis: glyphs.ellipsis)
        buffer.write("  " + shown, x: x, y: y, role: .muted, selected: selected, limit: rightX - 1)
      }
    }
    if !right.isEmpty { buffer.write(right, x: rightX, y: y, role: rightRole, selected: selected) }
  }

  static func drawEmptyList(_ state: DashboardState, _ rect: Rect, into buffer: inout CellBuffer) {
    var lines: [StyledLine] = []
    if !state.filter.isEmpty && !state.tests.isEmpty {
      lines.append(StyledLine("No test matches “\(state.filter)”. Esc clears the filter.", .muted))
    } else {
      switch state.run.phase {
      case .idle: lines.append(StyledLine("Press a to run all tests.", .muted))
      case .running, .stopping:
        lines.append(StyledLine("Starting " + commandText(state) + " …", .running))
      case .finished(let summary):
        if let problem = summary.problem {
          lines.append(StyledLine("The run could not finish:", .failure, bold: true))
          lines += problem.lines.map { StyledLine("  " + $0, .failure) }
        } else {
          lines.append(StyledLine("No tests ran.", .warning, bold: true))
        }
        lines.append(StyledLine("Press r to run again, a to run all.", .muted))
      }
    }
    if !state.runnerLog.isEmpty {
      lines.append(.blank)
      lines.append(StyledLine("The runner said:", .muted))
      let room = max(0, rect.height - lines.count)
      lines += state.runnerLog.suffix(room).map { StyledLine("  " + $0, .text) }
    }
    for (offset, line) in lines.prefix(rect.height).enumerated() {
      buffer.write(line, x: 1, y: rect.y + offset, limit: rect.maxX)
    }
  }

  // MARK: detail

  static func drawDetail(_ state: DashboardState, _ layout: Layout, into buffer: inout CellBuffer) {
    let tabs = layout.tabs
    buffer.fill(tabs)
    var x = 1
    let report = state.selectedEntry?.report
    for tab in DetailTab.allCases {
      var title = tab.title
      switch tab {
      case .traceback: break
      case .sql: title += " \((report?.queries.count ?? 0) + (report?.queriesDropped ?? 0))"
      case .mail: title += " \(report?.mails.count ?? 0)"
      case .output:
        let lines = report.map {
          DetailDocument.outputLineCount($0.stdout) + DetailDocument.outputLineCount($0.stderr)
        }
        title += " \(lines ?? 0)"
      }
      let isActive = tab == state.tab
      x = buffer.write(
        " " + title + " ", x: x, y: tabs.y, role: isActive ? .accent : .muted, bold: isActive, selected: isActive)
      x = buffer.write(" ", x: x, y: tabs.y)
    }
    let area = layout.detail
    if state.detail.count > area.height {
      let position =
        "\(state.detailScroll + 1)–\(min(state.detail.count, state.detailScroll + area.height))/\(state.detail.count) "
      let positionX = tabs.width - TextWidth.of(position)
      if positionX > x { buffer.write(position, x: positionX, y: tabs.y, role: .muted) }
    }
    for offset in 0..<area.height {
      let line = state.detailScroll + offset
      guard line < state.detail.count else { break }
      buffer.write(state.detail[line], x: 1, y: area.y + offset, limit: area.maxX)
    }
  }

  // MARK: footer and overlays

  static func drawFooter(_ state: DashboardState, _ rect: Rect, into buffer: inout CellBuffer) {
    buffer.fill(rect, role: .bar)
    if let prompt = state.prompt {
      let label = prompt.kind == .filter ? " / filter: " : " t test name (-k): "
      var x = buffer.write(label, x: 0, y: rect.y, role: .key, bold: true)
      x = buffer.write(prompt.text, x: x, y: rect.y, role: .bar)
      x = buffer.write("▏", x: x, y: rect.y, role: .key)
      let hint = prompt.kind == .filter ? "   Enter keep · Esc clear" : "   Enter run · Esc cancel · empty clears"
      buffer.write(hint, x: x, y: rect.y, role: .bar)
      return
    }
    var hints: [(String, String)]
    if state.screen == .detail {
      hints = [("Tab", "tab"), ("j/k", "scroll"), ("n/N", "failure"), ("e", "editor"), ("Esc", "back")]
    } else if state.isHeaderSelected {
      let labels = state.lastLabels.isEmpty ? "all tests" : state.lastLabels.joined(separator: " ")
      hints = [("Enter", "rerun " + labels)]
    } else {
      hints = [
        ("j/k", "move"), ("n/N", "failure"), ("Enter", "open"), ("/", "filter"), ("t", "name"), ("a", "all"),
        ("f", "failed"), ("r", "rerun"),
      ]
      if state.safetyNet.pending != nil && !state.run.isBusy { hints.insert(("R", "rest"), at: 0) }
    }
    if state.watching != nil && state.screen == .list && !state.isHeaderSelected { hints.append(("w", "why")) }
    if state.run.isActive { hints.append(("^C", "stop")) }
    hints += [("?", "help"), ("q", "quit")]
    var x = 1
    for (index, hint) in hints.enumerated() {
      let width = TextWidth.of(hint.0) + TextWidth.of(hint.1) + 3
      let remaining = hints.count - index - 1
      // Always keep room for "? help" and "q quit".
      if x + width > rect.width - (remaining <= 1 ? 0 : 16) && remaining > 1 { continue }
      x = buffer.write(hint.0, x: x, y: rect.y, role: .key, bold: true)
      x = buffer.write(" " + hint.1 + "  ", x: x, y: rect.y, role: .bar)
    }
  }

  static func drawHelp(_ state: DashboardState, into buffer: inout CellBuffer) {
    var lines: [(String, String)] = Command.allCases.map { $0.help }
    lines.append(("Ctrl-C", "during a run: stop after the running tests; again: at once"))
    let keyWidth = lines.map { TextWidth.of($0.0) }.max() ?? 0
    // Two columns of margin, the keys, two of gap, the text and one column of margin.
    let textWidth = lines.map { TextWidth.of($0.1) }.max() ?? 0
    let width = min(buffer.width - 2, max(40, 2 + keyWidth + 2 + textWidth + 1))
    let box = drawOverlay(state, title: "djdash keys", width: width, rows: lines.count, into: &buffer)
    let room = max(0, box.height - 4)
    for (offset, line) in lines.prefix(room).enumerated() {
      let row = box.y + 2 + offset
      if offset == room - 1 && lines.count > room {
        let more = "… \(lines.count - offset) more keys: a taller terminal shows them all"
        buffer.write(more, x: box.x + 2, y: row, role: .muted, limit: box.maxX - 1)
        break
      }
      buffer.write(line.0, x: box.x + 2, y: row, role: .key, bold: true, limit: box.maxX)
      buffer.write(line.1, x: box.x + 4 + keyWidth, y: row, role: .text, limit: box.maxX - 1)
    }
  }

  /// `w`: what the last save changed and the chain that chose each label.
  static func drawWhy(_ state: DashboardState, into buffer: inout CellBuffer) {
    let lines = state.whyLines
    let width = min(buffer.width - 2, max(40, (lines.map { TextWidth.of($0.text) }.max() ?? 0) + 4))
    let box = drawOverlay(state, title: "why these tests", width: width, rows: lines.count, into: &buffer)
    let room = max(0, box.height - 4)
    for (offset, line) in lines.prefix(room).enumerated() {
      let isLastRow = offset == room - 1 && lines.count > room
      let text = isLastRow ? "… \(lines.count - offset) more lines (djdash affected --why FILE prints all)" : line.text
      buffer.write(text, x: box.x + 2, y: box.y + 2 + offset, role: isLastRow ? .muted : line.role, limit: box.maxX - 1)
    }
  }

  /// A centred box with rules above and below, a title and "any key closes"; returns it.
  private static func drawOverlay(
    _ state: DashboardState, title: String, width: Int, rows: Int, into buffer: inout CellBuffer
  ) -> Rect {
    let height = min(buffer.height - 2, rows + 4)
    let x = (buffer.width - width) / 2
    let y = max(1, (buffer.height - height) / 2)
    let box = Rect(x: x, y: y, width: width, height: height)
    buffer.fill(box, role: .text)
    let rule = String(repeating: state.glyphs.rule, count: max(0, width))
    buffer.write(rule, x: x, y: y, role: .border)
    buffer.write(rule, x: x, y: box.maxY - 1, role: .border)
    buffer.write(" \(title) ", x: x + 2, y: y, role: .accent, bold: true)
    buffer.write(" any key closes ", x: x + max(2, width - 18), y: box.maxY - 1, role: .muted)
    return box
  }

  static func drawTooSmall(_ state: DashboardState, into buffer: inout CellBuffer) {
    let (status, role) = statusWord(state)
    let lines: [(String, Role)] = [
      ("terminal too small", .warning),
      ("\(state.width)×\(state.height), needs \(Layout.minimumWidth)×\(Layout.minimumHeight)", .muted),
      ("\(status)  \(state.run.done)/\(max(state.run.planned ?? 0, state.run.done))", role),
    ]
    for (offset, line) in lines.prefix(buffer.height).enumerated() {
      let text = line.0.truncated(to: buffer.width)
      let x = max(0, (buffer.width - TextWidth.of(text)) / 2)
      buffer.write(text, x: x, y: offset + max(0, (buffer.height - lines.count) / 2), role: line.1)
    }
  }
}
