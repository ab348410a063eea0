import DjangoRunner

/// The detail view's text for one test and tab, wrapped to the screen's width. Built by
/// the reducer when something it shows changes, so scrolling knows its length.
public enum DetailDocument {
  public static func lines(
    for entry: TestEntry, tab: DetailTab, width: Int, projectRoot: String, sources: [String: [String]],
    glyphs: Glyphs
  ) -> [StyledLine] {
    var document: [StyledLine] = []
    if entry.isPending || entry.isStale {
      document.append(
        StyledLine(
          entry.isPending ? "from the previous run: this run has not reached the test yet" : "from an earlier run",
          .muted))
    }
    if entry.isSelectionMiss {
      document.append(
        StyledLine("missed by the selection: it failed in the rest of the suite after a save left it out (w: which link)", .warning))
    }
    guard let report = entry.report else {
      document.append(StyledLine(entry.isRunning ? "running…" : "not run yet", .muted))
      return wrap(document, width: width)
    }
    let context = Context(root: projectRoot, sources: sources, glyphs: glyphs, width: width)
    switch tab {
    case .traceback: document += traceback(report, context)
    case .sql: document += sql(report, context)
    case .mail: document += mail(report, context)
    case .output: document += [title(report, context), .blank] + output(report)
    }
    return wrap(document, width: width)
  }

  /// Whether a frame's file is the project's own code (not a library inside a venv).
  public static func isProjectFile(_ file: String, root: String) -> Bool {
    guard !root.isEmpty, file.hasPrefix(root.hasSuffix("/") ? root : root + "/") else { return false }
    return !file.contains("/site-packages/") && !file.contains("/dist-packages/")
  }

  /// A path as a reader wants it: relative to the project, or from the library's root.
  public static func shortPath(_ file: String, root: String) -> String {
    let prefix = root.hasSuffix("/") ? root : root + "/"
    if file.hasPrefix(prefix) { return String(file.dropFirst(prefix.count)) }
    for marker in ["/site-packages/", "/dist-packages/"] {
      if let range = file.range(of: marker, options: .backwards) { return String(file[range.upperBound...]) }
    }
    if let range = file.range(of: #"/lib/python3\.\d+/"#, options: [.regularExpression, .backwards]) {
      return String(file[range.upperBound...])
    }
    return file
  }

  struct Context {
    var root: String
    var sources: [String: [String]]
    var glyphs: Glyphs
    var width: Int
  }

  private static func wrap(_ lines: [StyledLine], width: Int) -> [StyledLine] {
    guard width > 4 else { return lines }
    var result: [StyledLine] = []
    result.reserveCapacity(lines.count)
    for line in lines {
      if line.width <= width - 1 && !line.plainText.contains("\t") {
        result.append(line)
      } else {
        let indent = line.plainText.prefix { $0 == " " }.count
        result += line.wrapped(to: width - 1, indent: min(indent + 2, width / 3))
      }
    }
    return result
  }

  private static func title(_ report: TestReport, _ context: Context) -> StyledLine {
    var line = StyledLine()
    line.append(
      context.glyphs.glyph(report.outcome) + " " + report.outcome.word.uppercased(), report.outcome.role, bold: true)
    line.append("  " + report.id, .accent, bold: true)
    line.append("  " + formatDuration(report.duration), .muted)
    return line
  }

  // MARK: traceback

  static func traceback(_ report: TestReport, _ context: Context) -> [StyledLine] {
    var lines = [title(report, context), .blank]
    // A module that does not compile: where, first.
    if let frame = report.syntaxError {
      lines.append(StyledLine(frame.message, .failure, bold: true))
      lines.append(StyledLine("\(shortPath(frame.file, root: context.root)):\(frame.line)", .accent))
      let gutter = "  \(frame.line) │ "
      lines.append(StyledLine(gutter + frame.text, .text))
      if let column = frame.column {
        lines.append(StyledLine(String(repeating: " ", count: TextWidth.of(gutter) + column) + "^", .failure, bold: true))
      }
      lines.append(.blank)
    }
    if report.problems.isEmpty {
      switch report.outcome {
      case .skip: lines.append(StyledLine("skipped: " + report.message, .skipped))
      case .pass: lines.append(StyledLine("passed in \(formatDuration(report.duration)): no traceback", .success))
      default:
        if !report.message.isEmpty { lines += report.message.lines.map { StyledLine(String($0), .text) } }
      }
      if !report.traceback.isEmpty { lines += frames(report.traceback, context) }
    }
    for problem in report.problems {
      if let subtest = problem.subtest { lines.append(StyledLine("subtest " + subtest, .accent, bold: true)) }
      let exception = problem.exception.map { $0 + ": " } ?? ""
      let message = (exception + problem.message).lines
      for (number, text) in message.enumerated() {
        lines.append(StyledLine(String(text), problem.outcome.role, bold: number == 0))
      }
      lines.append(.blank)
      if problem.traceback.isEmpty {
        lines += problem.tracebackText.lines.map { StyledLine(String($0), .muted) }
      } else {
        lines += frames(problem.traceback, context)
      }
      lines.append(.blank)
    }
    if !report.subtests.isEmpty {
      let failing = report.subtests.filter { $0.outcome.failsTheRun }.count
      lines.append(StyledLine("Subtests: \(report.subtests.count), \(failing) failing", .group, bold: true))
      for subtest in report.subtests {
        var line = StyledLine("  " + context.glyphs.glyph(subtest.outcome) + " ", subtest.outcome.role)
        line.append(subtest.description, subtest.outcome.failsTheRun ? .failure : .text)
        if !subtest.message.isEmpty { line.append("  " + (subtest.message.lines.first.map(String.init) ?? ""), .muted) }
        lines.append(line)
      }
    }
    return lines
  }

  private static func frames(_ frames: [SourceFrame], _ context: Context) -> [StyledLine] {
    var lines = [StyledLine("Traceback (most recent call last):", .muted)]
    for frame in frames {
      let isProject = isProjectFile(frame.file, root: context.root)
      var header = StyledLine(
        "  " + shortPath(frame.file, root: context.root), isProject ? .accent : .muted, bold: isProject)
      header.append(":\(frame.line)", isProject ? .accent : .muted)
      header.append(" in " + frame.function, .muted)
      lines.append(header)
      if isProject, let source = context.sources[frame.file], frame.line >= 1, frame.line <= source.count {
        let first = max(1, frame.line - 2)
        let last = min(source.count, frame.line + 2)
        let numberWidth = String(last).count
        for number in first...last {
          let text = String(repeating: " ", count: numberWidth - String(number).count) + String(number)
          let isFailing = number == frame.line
          var line = StyledLine(isFailing ? "  " + context.glyphs.pointer + " " : "    ", isFailing ? .failure : .muted)
          line.append(text + " " + context.glyphs.separator + " ", .muted)
          line.append(source[number - 1], isFailing ? .highlight : .text, bold: isFailing)
          lines.append(line)
        }
      } else if !frame.source.isEmpty {
        lines.append(StyledLine("      " + frame.source, isProject ? .text : .muted))
      }
    }
    return lines
  }

  // MARK: SQL

  static func sql(_ report: TestReport, _ context: Context) -> [StyledLine] {
    var lines = [title(report, context), .blank]
    let analysis = QueryAnalysis(report.queries)
    let total = report.queries.count + report.queriesDropped
    var summary = StyledLine("\(total) \(total == 1 ? "query" : "queries")", .text, bold: true)
    summary.append(" · " + queryTime(analysis.totalDuration), .muted)
    summary.append(" · \(analysis.similarCount) similar", analysis.similarCount > 0 ? .warning : .muted)
    summary.append(" · \(analysis.duplicateCount) duplicate", analysis.duplicateCount > 0 ? .warning : .muted)
    summary.append(" · setup \(report.setupQueries.count)", .muted)
    lines.append(summary)
    for group in analysis.nPlusOneGroups {
      var line = StyledLine("N+1: \(group.count) × ", .warning, bold: true)
      line.append(
        SQLFormatter.oneLine(group.sql).truncated(to: max(20, context.width - 40), ellipsis: context.glyphs.ellipsis),
        .warning)
      if let origin = group.origin { line.append("  from " + location(origin, context), .muted) }
      lines.append(line)
    }
    if report.queriesDropped > 0 {
      lines.append(StyledLine("\(report.queriesDropped) more queries were counted but not kept", .warning))
    }
    if report.queries.isEmpty { lines.append(StyledLine("The test ran no SQL.", .muted)) }
    for (number, group) in analysis.groups.enumerated() {
      lines.append(.blank)
      lines += queryGroup(group, number: number + 1, queries: report.queries, context)
    }
    if !report.setupQueries.isEmpty {
      lines.append(.blank)
      lines.append(
        StyledLine(
          "Setup: \(report.setupQueries.count) queries before the test (setUpTestData, fixtures, savepoints)",
          .group, bold: true))
      for query in report.setupQueries {
        var line = StyledLine("  " + (query.alias ?? "default") + " ", .muted)
        line.append(SQLFormatter.oneLine(query.sql), .muted)
        lines.append(line)
      }
    }
    return lines
  }

  private static func queryGroup(
    _ group: QueryAnalysis.Group, number: Int, queries: [SQLQuery], _ context: Context
  ) -> [StyledLine] {
    guard let first = group.indices.first.map({ queries[$0] }) else { return [] }
    var header = StyledLine("#\(number) ", .accent, bold: true)
    header.append(first.alias ?? "default", .text)
    header.append(" · " + queryTime(group.totalDuration), .muted)
    if let origin = group.origin { header.append(" · " + location(origin, context), .accent) }
    if group.count > 1 {
      header.append("  ×\(group.count) similar", .warning, bold: true)
      if group.duplicates > 0 { header.append(", \(group.duplicates) duplicate", .warning, bold: true) }
      if group.isNPlusOne { header.append("  N+1", .failure, bold: true) }
    }
    var lines = [header]
    for line in SQLFormatter.format(group.sql) {
      lines.append(StyledLine([Span("    ")] + line.spans))
    }
    let shown = group.indices.prefix(10)
    for position in shown {
      let query = queries[position]
      guard let params = query.params, params != .array([]) else { continue }
      var line = StyledLine("    params ", .muted)
      line.append(describe(params), .sqlNumber)
      if group.count > 1 { line.append("  " + queryTime(query.duration), .muted) }
      lines.append(line)
    }
    if group.count > shown.count {
      lines.append(StyledLine("    … and \(group.count - shown.count) more", .muted))
    }
    return lines
  }

  /// Query times are mostly fractions of a millisecond: two decimals there.
  static func queryTime(_ seconds: Double) -> String {
    guard seconds < 0.001 else { return formatDuration(seconds) }
    let hundredths = Int((seconds * 100_000).rounded())
    return "0.\(hundredths < 10 ? "0" : "")\(hundredths) ms"
  }

  private static func location(_ origin: SourceLocation, _ context: Context) -> String {
    "\(shortPath(origin.file, root: context.root)):\(origin.line) in \(origin.function)"
  }

  static func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: return "None"
    case .bool(let flag): return flag ? "True" : "False"
    case .number(let number):
      return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    case .string(let text): return "'" + text + "'"
    case .array(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
    case .object(let fields):
      return "{" + fields.keys.sorted().map { "'\($0)': " + describe(fields[$0] ?? .null) }.joined(separator: ", ")
        + "}"
    }
  }

  // MARK: mail

  static func mail(_ report: TestReport, _ context: Context) -> [StyledLine] {
    var lines = [title(report, context), .blank]
    if report.mails.isEmpty {
      lines.append(StyledLine("The test left no mail in django.core.mail.outbox.", .muted))
      return lines
    }
    lines.append(
      StyledLine(
        "\(report.mails.count) \(report.mails.count == 1 ? "message" : "messages") in the outbox", .text, bold: true))
    for (number, mail) in report.mails.enumerated() {
      lines.append(.blank)
      let rule = String(repeating: context.glyphs.rule, count: max(0, min(40, context.width - 20)))
      lines.append(StyledLine("\(context.glyphs.rule) message \(number + 1) " + rule, .border))
      func header(_ name: String, _ value: String, _ role: Role = .text) {
        var line = StyledLine(name + String(repeating: " ", count: max(1, 10 - name.count)), .muted)
        line.append(value, role, bold: name == "Subject:")
        lines.append(line)
      }
      header("Subject:", mail.subject, .accent)
      header("From:", mail.from)
      header("To:", mail.to.joined(separator: ", "))
      if !mail.cc.isEmpty { header("Cc:", mail.cc.joined(separator: ", ")) }
      if !mail.bcc.isEmpty { header("Bcc:", mail.bcc.joined(separator: ", ")) }
      if !mail.replyTo.isEmpty { header("Reply-To:", mail.replyTo.joined(separator: ", ")) }
      if let mailer = mail.sentUsing { header("Mailer:", mailer) }
      for name in mail.headers.keys.sorted() { header(name + ":", mail.headers[name] ?? "", .muted) }
      lines.append(.blank)
      lines.append(StyledLine("text/\(mail.contentSubtype)", .group, bold: true))
      let body = mail.contentSubtype == "html" ? HTMLText.readable(mail.body) : mail.body
      lines += trimmedLines(body).map { StyledLine("  " + $0) }
      for alternative in mail.alternatives {
        lines.append(.blank)
        lines.append(
          StyledLine(
            alternative.mimetype + (alternative.mimetype.contains("html") ? " (rendered)" : ""), .group, bold: true))
        let text = alternative.mimetype.contains("html") ? HTMLText.readable(alternative.content) : alternative.content
        lines += trimmedLines(text).map { StyledLine("  " + $0) }
      }
      if !mail.attachments.isEmpty {
        lines.append(.blank)
        lines.append(StyledLine("Attachments", .group, bold: true))
        for attachment in mail.attachments {
          var line = StyledLine("  " + attachment.name, .accent)
          line.append("  " + attachment.mimetype + (attachment.size.map { "  " + formatSize($0) } ?? ""), .muted)
          lines.append(line)
        }
      }
    }
    return lines
  }

  /// A body's lines without the blank ones at its end.
  static func trimmedLines(_ text: String) -> [Substring] {
    var lines = text.lines
    while lines.last?.allSatisfy(\.isWhitespace) == true { lines.removeLast() }
    return lines
  }

  static func formatSize(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) B" }
    if bytes < 1024 * 1024 { return "\((bytes * 10 / 1024 + 5) / 10) KB" }
    return "\(bytes / (1024 * 1024)) MB"
  }

  // MARK: output

  /// A stream's lines, without the empty one after a final newline.
  public static func outputLines(_ text: String) -> [Substring] {
    if text.isEmpty { return [] }
    let lines = text.lines
    return text.hasSuffix("\n") ? Array(lines.dropLast()) : lines
  }

  /// `outputLines(text).count`, without splitting: a scan of the bytes, so the tab bar
  /// can show it on every frame even for a test that printed a megabyte.
  public static func outputLineCount(_ text: String) -> Int {
    var separators = 0
    var endsWithNewline = false
    var afterCarriageReturn = false
    for byte in text.utf8 {
      switch byte {
      case 0x0A:
        // "\r\n" is one separator.
        if !afterCarriageReturn { separators += 1 }
        endsWithNewline = !afterCarriageReturn
        afterCarriageReturn = false
      case 0x0D:
        separators += 1
        endsWithNewline = false
        afterCarriageReturn = true
      default:
        endsWithNewline = false
        afterCarriageReturn = false
      }
    }
    if text.isEmpty { return 0 }
    return separators + 1 - (endsWithNewline ? 1 : 0)
  }

  static func output(_ report: TestReport) -> [StyledLine] {
    var lines: [StyledLine] = []
    if report.stdout.isEmpty && report.stderr.isEmpty {
      return [StyledLine("The test printed nothing.", .muted)]
    }
    for (name, text) in [("stdout", report.stdout), ("stderr", report.stderr)] where !text.isEmpty {
      let split = outputLines(text)
      lines.append(StyledLine("\(name) · \(split.count) \(split.count == 1 ? "line" : "lines")", .group, bold: true))
      lines += split.map { StyledLine(String($0), name == "stderr" ? .warning : .text) }
      lines.append(.blank)
    }
    return lines
  }
}
