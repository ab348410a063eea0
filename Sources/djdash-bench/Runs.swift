import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What the bench needs to start runs: the interpreter, the hook, the environment.
struct RunContext {
  var python: String
  var hookDirectory: String
  /// djdash's own environment without any DJDASH_ variable of an outer run.
  var baseEnvironment: [String: String]

  init(python: String, hookDirectory: String) {
    self.python = python
    self.hookDirectory = hookDirectory
    var environment = ProcessInfo.processInfo.environment
    for key in environment.keys where key.hasPrefix("DJDASH_") { environment[key] = nil }
    environment["PYTHONUNBUFFERED"] = "1"  // as djdash sets it, so both sides match
    baseEnvironment = environment
  }
}

/// One finished run, bare or through djdash.
struct RunOutcome {
  /// From the start of the process to its end (bare) or to `run_finished` (djdash).
  var wall: Double
  /// Everything the runner printed (stdout and stderr, in arrival order per stream).
  var output: String
  /// unittest's "Ran N tests in X s".
  var ranTests: Int?
  var ranSeconds: Double?
  /// djdash only: the session's tally and the times of its events.
  var reports: [TestReport] = []
  var counts: [TestOutcome: Int] = [:]
  var firstStarted: Double?
  var lastFinished: Double?
  var startedAt: [String: Double] = [:]
  var finishedAt: [String: Double] = [:]
  var warnings: [String] = []
  /// `runner_started`'s `recording` (nil when recording was not asked for), and how many
  /// `test_finished` had an `executed`.
  var recording: String?
  var testsWithExecuted = 0
  var problem: String?
  var exitDescription = ""
  /// CPU seconds (user + system) the run took: the runner's processes, and the bench's
  /// own process (djdash's side: reading and decoding the events) while it ran.
  var runnerCPU = 0.0
  var ownCPU = 0.0

  /// Parses unittest's closing line.
  mutating func parseRan() {
    guard let range = output.range(of: #"Ran (\d+) tests? in ([0-9.]+)s"#, options: .regularExpression) else { return }
    let words = output[range].split(separator: " ")
    ranTests = Int(words[1])
    ranSeconds = Double(words[4].dropLast())
  }

  /// `DJDASH_BENCH_LOOP <kind> <queries> <seconds>` lines, by kind.
  static func loops(in text: String) -> [String: (queries: Int, seconds: Double)] {
    var found: [String: (queries: Int, seconds: Double)] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("DJDASH_BENCH_LOOP ") {
      let words = line.split(separator: " ")
      guard words.count == 4, let queries = Int(words[2]), let seconds = Double(words[3]) else { continue }
      found[String(words[1])] = (queries, seconds)
    }
    return found
  }
}

enum Runs {
  /// `python manage.py test --noinput LABELS` with plain Django: the same spawn and the
  /// same pipe draining as djdash's, no hook.
  static func bare(
    _ context: RunContext, project: String, labels: [String], extraEnvironment: [String: String] = [:],
    timeout: Double = 1800
  ) throws -> RunOutcome {
    var environment = context.baseEnvironment
    environment.merge(extraEnvironment) { $1 }
    let before = CPUTimes.now()
    let run = try command(
      [context.python, "manage.py", "test", "--noinput"] + labels, directory: project, environment: environment,
      timeout: timeout)
    var outcome = RunOutcome(wall: run.wall, output: run.output)
    outcome.parseRan()
    outcome.exitDescription = "exit status \(run.status)"
    (outcome.runnerCPU, outcome.ownCPU) = CPUTimes.now().since(before)
    return outcome
  }

  /// Runs a command to its end with RunnerProcess (posix_spawn, its own process group,
  /// pipes drained on a Reactor); stdout, then stderr. The status is the exit
  /// status, or 128 + the signal.
  static func command(_ arguments: [String], directory: String, environment: [String: String], timeout: Double)
    throws -> (wall: Double, output: String, status: Int32)
  {
    let completion = try RunnerProcess.runToCompletion(
      arguments, directory: directory, environment: environment, timeout: timeout)
    let output =
      String(decoding: completion.stdout, as: UTF8.self) + String(decoding: completion.stderr, as: UTF8.self)
    return (completion.wall, output, completion.status)
  }

  /// The same command through a real `RunSession` with the hook; ends at `run_finished`.
  static func djdash(
    _ context: RunContext, project: String, labels: [String], extraEnvironment: [String: String] = [:],
    timeout: Double = 1800
  ) throws -> RunOutcome {
    var environment = context.baseEnvironment
    environment.merge(extraEnvironment) { $1 }
    environment["DJDASH_HOOK_DIR"] = context.hookDirectory
    var request = RunRequest()
    request.python = context.python
    request.labels = labels
    request.passthrough = ["--noinput"]
    let plan = try Project.locate(from: project, command: nil).plan(
      for: request, directory: project, environment: environment)

    let reactor = Reactor()
    let log = EventLog()
    let session = RunSession(plan: plan, reactor: reactor) { timed in log.record(timed) }
    let before = CPUTimes.now()
    let start = reactor.clock.now()
    session.start()
    let deadline = start + timeout
    var aborted = false
    while !session.isFinished {
      reactor.runOnce(timeout: 0.5)
      if !aborted, reactor.clock.now() > deadline {
        aborted = true
        session.abort()
      }
    }
    let wall = (log.finishedAt ?? reactor.clock.now()) - start
    if aborted { throw BenchError("the djdash run took longer than \(Int(timeout)) s and was aborted") }

    var outcome = RunOutcome(wall: wall, output: log.output)
    (outcome.runnerCPU, outcome.ownCPU) = CPUTimes.now().since(before)
    outcome.parseRan()
    outcome.reports = session.tally.reports
    outcome.counts = session.tally.counts
    outcome.firstStarted = log.firstStarted
    outcome.lastFinished = log.lastFinished
    outcome.startedAt = log.startedAt
    outcome.finishedAt = log.finishedTimes
    outcome.warnings = log.warnings
    outcome.recording = log.recording
    outcome.testsWithExecuted = log.testsWithExecuted
    outcome.problem = session.summary?.problem
    if let summary = session.summary {
      outcome.exitDescription =
        summary.runnerStatus.map { "exit status \($0)" } ?? summary.runnerSignal.map { "signal \($0)" } ?? "?"
    }
    return outcome
  }
}

/// Keeps what the bench needs of a session's events (not the events themselves).
private final class EventLog {
  var output = ""
  var firstStarted: Double?
  var lastFinished: Double?
  var finishedAt: Double?
  var startedAt: [String: Double] = [:]
  var finishedTimes: [String: Double] = [:]
  var warnings: [String] = []
  var recording: String?
  var testsWithExecuted = 0
  private let clock = MonotonicClock()

  func record(_ timed: TimedEvent) {
    switch timed.event {
    case .runnerStarted(let info):
      recording = info.recording
    case .testStarted(let id, _):
      if firstStarted == nil { firstStarted = timed.t }
      startedAt[id] = timed.t
    case .testFinished(let report):
      lastFinished = timed.t
      finishedTimes[report.id] = timed.t
      if !report.executed.isEmpty { testsWithExecuted += 1 }
    case .output(let text):
      output += text.text
    case .warning(let message):
      warnings.append(message)
    case .runFinished:
      finishedAt = clock.now()
    default:
      break
    }
  }
}

/// This process's CPU time and that of its children that have ended (getrusage).
struct CPUTimes {
  var children: Double
  var own: Double

  static func now() -> CPUTimes {
    CPUTimes(children: seconds(RUSAGE_CHILDREN), own: seconds(RUSAGE_SELF))
  }

  /// (children, own) CPU seconds since `earlier`.
  func since(_ earlier: CPUTimes) -> (Double, Double) {
    (children - earlier.children, own - earlier.own)
  }

  private static func seconds(_ who: __rusage_who) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(who.rawValue), &usage)
    func value(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return value(usage.ru_utime) + value(usage.ru_stime)
  }
}
