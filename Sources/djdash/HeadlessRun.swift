import ArgumentParser
import CShims
import DjangoRunner
import Foundation
import RunHistory

#if canImport(Glibc)
  import Glibc
#endif

/// Runs one plan on the terminal: a line per finished test, failures and the summary at
/// the end, Ctrl-C handled as Django promises (first graceful, second at once).
struct HeadlessRun {
  let plan: RunPlan
  let report: ReportArguments
  /// Where the run is recorded; nil keeps no history.
  var history: HistoryStore? = nil
  /// The warm server that forks the run's child (`--warm`); nil starts a new runner.
  var warm: (any WarmServer)? = nil
  /// The loop the run is served on (the warm server's, when there is one).
  var reactor = Reactor()

  /// Returns djdash's exit code for the run.
  func execute() throws -> Int32 {
    try executeKeepingTally().code
  }

  /// Runs, and returns djdash's exit code with the run's results (none when it could
  /// not start).
  func executeKeepingTally() throws -> (code: Int32, tally: RunTally?) {
    let events: EventLogWriter?
    do {
      events = try report.events.map { try EventLogWriter(path: $0) }
    } catch let error as ProjectError {
      Console.error(error.description)
      return (2, nil)
    }
    let console = ConsoleReporter(showRunnerOutput: report.showOutput)
    let recorder = history.map {
      HistoryRecorder(store: $0, origin: .run, projectRoot: plan.projectRoot, reactor: reactor)
    }
    recorder?.onProblem = { Console.error($0) }
    let session = RunSession(plan: plan, reactor: reactor) { timed in
      events?.write(timed)
      recorder?.record(timed)
      console.handle(timed.event)
      if case .runFinished = timed.event { reactor.stop() }
    }
    let signals = SignalSource(reactor: reactor) { signal in
      if signal == SIGINT {
        session.interrupt()
        // The supervisor decides: graceful while a test runs, at once otherwise.
        if session.supervisor.interruption == .graceful {
          Console.error("stopping after the running tests finish (Ctrl-C again to stop at once)")
        } else {
          Console.error("stopping now")
        }
      } else {
        session.abort()
      }
    }
    if let warm { session.start(in: warm) } else { session.start() }
    if !session.isFinished { reactor.run() }
    signals.close()
    guard let summary = session.summary else { return (1, session.tally) }
    console.finish(summary: summary, tally: session.tally)
    if let path = report.junitXML {
      let xml = JUnitReport.xml(for: session.tally.reports, duration: summary.duration)
      do {
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        Console.error("cannot write the JUnit report \(path): \(error.localizedDescription)")
        return (max(summary.exitCode, 2), session.tally)
      }
    }
    return (summary.exitCode, session.tally)
  }
}

/// SIGINT, SIGTERM and SIGHUP (and SIGWINCH, for those who draw), read from a signalfd
/// on the reactor.
final class SignalSource {
  private let fd: Int32
  private let reactor: Reactor

  init(reactor: Reactor, followsResize: Bool = false, handler: @escaping (Int32) -> Void) {
    self.reactor = reactor
    fd = Djdash.handledSignals.withUnsafeBufferPointer { djdash_signalfd($0.baseAddress) }
    guard fd >= 0 else { return }
    reactor.watch(fd) { [fd] in
      while case let signal = djdash_read_signal(fd), signal != 0 {
        if signal == SIGWINCH && !followsResize { continue }
        handler(signal)
      }
    }
  }

  func close() {
    guard fd >= 0 else { return }
    reactor.unwatch(fd)
    Glibc.close(fd)
  }
}
