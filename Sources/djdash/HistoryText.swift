import DjangoRunner
import Foundation
import RunHistory

/// The text of `djdash history`: plain lines, one fact each, for people and for grep.
enum HistoryText {
  static func runs(_ runs: [RunRecord]) -> String {
    guard !runs.isEmpty else { return "no runs recorded yet\n" }
    var lines = ["recent runs, newest first:"]
    for run in runs {
      var parts = ["#\(run.id)", date(run.startedAt), pad(run.origin.rawValue, 9), pad(run.ending.rawValue, 11)]
      parts.append(pad(counts(run.counts), 22))
      parts.append(pad(run.duration.map { String(format: "%.1f s", $0) } ?? "", 8))
      let command = run.command.map(shortPython).joined(separator: " ")
      parts.append(command.count > 90 ? String(command.prefix(89)) + "…" : command)
      lines.append("  " + parts.joined(separator: "  "))
      if let problem = run.problem, let first = problem.split(separator: "\n").first {
        lines.append("        " + first)
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One test's record; nil when the history has never seen it.
  static func test(_ id: String, store: HistoryStore, limit: Int) throws -> String? {
    let results = try store.results(of: id, limit: limit)
    let last = try store.lastRecord(of: id)
    let findings = try store.findings(about: id)
    guard !results.isEmpty || last != nil || !findings.isEmpty else { return nil }
    var lines = [id]
    if let last {
      lines.append(
        "  last verdict: \(last.outcome.rawValue) in \(String(format: "%.3f", last.duration)) s (run #\(last.runID))"
          + (last.summary.map { "  " + $0 } ?? ""))
      if last.isFlipping {
        lines.append(
          "  flipping: its verdict changed \(last.flips) time\(last.flips == 1 ? "" : "s") with no change to its file")
      }
    }
    if !results.isEmpty {
      lines.append("  results, newest first:")
      for result in results {
        var line = "    #\(result.runID)  \(date(result.startedAt))  \(pad(result.origin.rawValue, 9))  "
        line += pad(result.outcome.rawValue, 5) + "  " + pad(String(format: "%.3f s", result.duration), 9)
        if let summary = result.summary { line += "  " + summary }
        lines.append(line)
      }
    }
    for finding in findings {
      let source = finding.kind == RecordedFinding.selectionMiss ? "dashboard" : "hunt"
      lines.append("  \(source) \(date(finding.foundAt)): \(finding.kind): \(finding.victim) \(finding.detail)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func selectionMisses(_ misses: [RecordedFinding]) -> String {
    guard !misses.isEmpty else { return "no selection miss recorded: every test the rest of the suite found failing had been selected\n" }
    var lines = ["selection misses, newest first (tests a save's selection left out that then failed):"]
    for miss in misses { lines.append("  \(date(miss.foundAt))  \(miss.victim)\n    \(miss.detail)") }
    return lines.joined(separator: "\n") + "\n"
  }

  static func slowest(_ tests: [SlowTest]) -> String {
    guard !tests.isEmpty else { return "no test durations recorded yet\n" }
    var lines = ["slowest tests (latest duration, trend over recent runs):"]
    for test in tests {
      let arrow: String
      switch test.trend {
      case .slower: arrow = "slower"
      case .faster: arrow = "faster"
      case .steady: arrow = "steady"
      }
      lines.append(
        "  " + pad(String(format: "%.3f s", test.latest), 10) + "  " + pad(Sparkline.unicode.render(test.durations), 10)
          + "  " + pad(arrow, 6) + "  " + test.id)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func counts(_ counts: [TestOutcome: Int]) -> String {
    var parts = ["\(counts[.pass] ?? 0) passed", "\((counts[.fail] ?? 0) + (counts[.error] ?? 0)) failed"]
    if let skipped = counts[.skip], skipped > 0 { parts.append("\(skipped) skipped") }
    return parts.joined(separator: ", ")
  }

  private static func shortPython(_ word: String) -> String {
    guard word.contains("/python"), let slash = word.lastIndex(of: "/") else { return word }
    return String(word[word.index(after: slash)...])
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  private static func date(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: date)
  }
}
