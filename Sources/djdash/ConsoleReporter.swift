import ArgumentParser
import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes to the terminal without buffering, so every line shows the moment it exists.
enum Console {
  static func out(_ text: String) {
    write(text, to: 1)
  }

  /// A message from djdash itself, on stderr.
  static func error(_ message: String) {
    write("djdash: \(message)\n", to: 2)
  }

  /// Runs `body`; a configuration or usage problem it throws is said on stderr and
  /// becomes djdash's exit code 2.
  static func exitingOnProjectError<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as ProjectError {
      self.error(error.description)
      throw ExitCode(2)
    }
  }

  /// Raw text on descriptor 1 (stdout) or 2 (stderr).
  static func write(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      bytes = bytes.dropFirst(n)
    }
  }

  /// ANSI colour only on a terminal, and never with NO_COLOR set.
  static let usesColour: Bool = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
}

/// The headless view of a run: one line per finished test while it runs; at the end
/// the failures in full (traceback, subtests, output, SQL and mail at a glance) and
/// the closing line `N passed, N failed, …`.
final class ConsoleReporter {
  private let showRunnerOutput: Bool
  private var runnerOutput: [String] = []

  init(showRunnerOutput: Bool) {
    self.showRunnerOutput = showRunnerOutput
  }

  func handle(_ event: RunEvent) {
    switch event {
    case .runStarted(let start):
      let how = start.isWarm == true ? " warm (a child of the warm service)" : ""
      if let origin = start.pythonOrigin {
        Console.error("python: \(PythonChoice(path: start.python, origin: origin).description)")
      }
      Console.error("running\(how) \(start.command.joined(separator: " ")) in \(start.directory)")
      if start.labelsInsideRunner == true {
        Console.error(
          "labels \(start.labels.joined(separator: " ")): given to Django's runner inside, as the script takes none on its command line"
        )
      }
    case .wentCold(let reason):
      Console.error("running cold instead: \(reason)")
    case .runnerStarted(let info) where info.recording == "unavailable":
      Console.error("recording what tests execute needs Python 3.12+: this run records nothing (--record)")
    case .suiteReady(let plan):
      var line = "\(plan.tests.count) test\(plan.tests.count == 1 ? "" : "s")"
      if plan.processes > 1 { line += " in \(plan.processes) processes" }
      if let seed = plan.shuffleSeed { line += ", shuffle seed \(seed)" }
      Console.error(line)
    case .testFinished(let report):
      Console.out(Self.line(for: report))
    case .output(let output):
      if showRunnerOutput {
        Console.write(output.text, to: output.stream == .stdout ? 1 : 2)
      } else {
        runnerOutput.append(output.text)
        if runnerOutput.count > 200 { runnerOutput.removeFirst(runnerOutput.count - 200) }
      }
    case .processLost(let loss):
      let test = loss.test.map { " while running \($0)" } ?? ""
      Console.error("process \(loss.pid) was lost\(test): \(loss.reason)")
    case .testsDiscarded(let discarded):
      Console.error("not run: \(discarded.tests.joined(separator: ", ")) (\(discarded.reason))")
    case .warning(let message):
      Console.error("warning: \(message)")
    default:
      break
    }
  }

  func finish(summary: RunSummary, tally: RunTally) {
    let failures = tally.failures
    if !failures.isEmpty { Console.out("\n") }
    for report in failures {
      Console.out(Self.details(for: report))
    }
    if let problem = summary.problem {
      if !showRunnerOutput, summary.exitCode == 2 || summary.runnerSignal != nil, !runnerOutput.isEmpty {
        let tail = runnerOutput.joined().split(separator: "\n", omittingEmptySubsequences: false).suffix(30)
        Console.write("--- what the runner printed last ---\n" + tail.joined(separator: "\n") + "\n", to: 2)
      } else if !showRunnerOutput, let error = summary.runnerError {
        Console.write("--- the runner's last error output ---\n" + error + "\n", to: 2)
      }
      Console.error(problem)
    }
    switch summary.interrupted {
    case .graceful?: Console.error("interrupted: the running tests finished, the rest did not run")
    case .hard?: Console.error("interrupted: stopped at once; results so far are shown")
    case nil: break
    }
    Console.out(Self.closingLine(summary) + "\n")
  }

  static func closingLine(_ summary: RunSummary) -> String {
    let count = { (outcome: TestOutcome) in summary.counts[outcome] ?? 0 }
    var parts = ["\(count(.pass)) passed", "\(summary.failed) failed"]
    if count(.skip) > 0 { parts.append("\(count(.skip)) skipped") }
    if count(.xfail) > 0 { parts.append("\(count(.xfail)) expected failure\(count(.xfail) == 1 ? "" : "s")") }
    if count(.xpass) > 0 { parts.append("\(count(.xpass)) unexpected success\(count(.xpass) == 1 ? "" : "es")") }
    if count(.error) > 0 { parts.append("\(count(.error)) error\(count(.error) == 1 ? "" : "s") (counted in failed)") }
    return parts.joined(separator: ", ") + String(format: " in %.2fs", summary.duration)
  }

  static func verdict(_ outcome: TestOutcome) -> String {
    switch outcome {
    case .pass: return "PASS"
    case .fail: return "FAIL"
    case .error: return "ERROR"
    case .skip: return "SKIP"
    case .xfail: return "XFAIL"
    case .xpass: return "XPASS"
    }
  }

  static func line(for report: TestReport) -> String {
    var word = verdict(report.outcome).padding(toLength: 5, withPad: " ", startingAt: 0)
    if Console.usesColour {
      let colour: String
      switch report.outcome {
      case .pass: colour = "32"
      case .fail, .error, .xpass: colour = "31;1"
      case .skip, .xfail: colour = "33"
      }
      word = "\u{1B}[\(colour)m\(word)\u{1B}[0m"
    }
    var line = "\(word) \(String(format: "%7.3fs", report.duration))  \(report.id)"
    switch report.kind {
    case .loadError: line += "  (could not be loaded)"
    case .suiteError: line += "  (class or module fixture)"
    case .test: break
    }
    if report.outcome == .skip, !report.message.isEmpty { line += "  (\(report.message))" }
    return line + "\n"
  }

  static func details(for report: TestReport) -> String {
    let rule = String(repeating: "=", count: 70)
    let thin = String(repeating: "-", count: 70)
    var text = "\(rule)\n\(verdict(report.outcome)): \(report.id)\n\(thin)\n"
    if report.outcome == .xpass {
      text += "The test is marked @expectedFailure but passed.\n"
    }
    let problems =
      report.problems.isEmpty && !report.tracebackText.isEmpty
      ? [
        Problem(
          outcome: report.outcome, exception: report.exception, message: report.message,
          tracebackText: report.tracebackText)
      ]
      : report.problems
    for problem in problems where problem.outcome == .fail || problem.outcome == .error {
      if let subtest = problem.subtest { text += "In subtest \(subtest):\n" }
      text += problem.tracebackText.hasSuffix("\n") ? problem.tracebackText : problem.tracebackText + "\n"
    }
    if !report.stdout.isEmpty {
      text += "\(thin)\nStdout:\n\(report.stdout)\(report.stdout.hasSuffix("\n") ? "" : "\n")"
    }
    if !report.stderr.isEmpty {
      text += "\(thin)\nStderr:\n\(report.stderr)\(report.stderr.hasSuffix("\n") ? "" : "\n")"
    }
    var facts: [String] = []
    if !report.queries.isEmpty || !report.setupQueries.isEmpty {
      facts.append(
        "SQL: \(report.queries.count) quer\(report.queries.count == 1 ? "y" : "ies") (+\(report.setupQueries.count) in setup)"
      )
    }
    if !report.mails.isEmpty {
      let subjects = report.mails.prefix(3).map { "\"\($0.subject)\"" }.joined(separator: ", ")
      facts.append("Mail: \(report.mails.count) (\(subjects))")
    }
    if !facts.isEmpty { text += facts.joined(separator: " · ") + "\n" }
    return text + "\n"
  }
}
