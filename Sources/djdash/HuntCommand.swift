import ArgumentParser
import CShims
import DjangoRunner
import Foundation
import RunHistory

#if canImport(Glibc)
  import Glibc
#endif

struct HuntCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hunt",
    abstract: "Find order-dependent tests and name the test that pollutes each one.",
    discussion: """
      Runs the selection in Django's order and reversed (and in shuffled orders with \
      --shuffles), then, for every test whose verdict changed, bisects the tests that ran \
      before it until one polluter is left, and confirms the pair. At most ⌈log₂ N⌉ + 3 \
      runs per victim. Exit codes: 0 nothing found, 1 something found, 2 usage or \
      configuration error, 130 interrupted.
      """
  )

  @OptionGroup var tests: RunArguments

  @Option(help: "Also run this many shuffled orders (seeds printed).")
  var shuffles = 0

  @Option(help: "The first shuffle seed (the next ones follow it).")
  var seed: Int?

  @Option(help: ArgumentHelp("Write every run's events as JSON lines here (a run_started per run).", valueName: "file"))
  var events: String?

  func validate() throws {
    if shuffles < 0 { throw ValidationError("--shuffles takes a number of orders (0 or more)") }
  }

  func run() throws {
    let directory = FileManager.default.currentDirectoryPath
    let (project, log) = try Console.exitingOnProjectError {
      (try Project.locate(from: directory, command: tests.command), try events.map { try EventLogWriter(path: $0) })
    }
    let first = seed ?? Int.random(in: 0..<1_000_000_000)
    let seeds = (0..<shuffles).map { first + $0 }
    let reactor = Reactor()
    let started = reactor.clock.now()
    var runNumber = 0
    let store = HistoryAccess.open(projectRoot: project.root, tell: Console.error)
    let recorder = store.map { HistoryRecorder(store: $0, origin: .hunt, projectRoot: project.root, reactor: reactor) }
    recorder?.onProblem = { Console.error($0) }
    let hunt = HuntRunner(
      project: project, request: tests.request, shuffleSeeds: seeds, directory: directory, reactor: reactor
    ) { run, timed in
      log?.write(timed)
      recorder?.record(timed)
      switch timed.event {
      case .runStarted:
        runNumber += 1
        Console.error("run \(runNumber): \(Self.describe(run))")
      case .runFinished(let summary):
        let failing = (summary.counts[.fail] ?? 0) + (summary.counts[.error] ?? 0)
        Console.error("  \(summary.total) tests, \(failing) failing, \(String(format: "%.1f", summary.duration)) s")
      default:
        break
      }
    }
    let signals = SignalSource(reactor: reactor) { _ in
      Console.error(
        hunt.isInterrupted ? "stopping now" : "stopping the hunt after this run (Ctrl-C again to stop at once)")
      hunt.interrupt()
    }
    defer { signals.close() }
    let findings = try Console.exitingOnProjectError { try hunt.run() }
    if hunt.isInterrupted {
      Console.error("hunt interrupted after \(hunt.hunter.runsMade) runs")
      throw ExitCode(130)
    }
    for finding in findings {
      Console.out(report(finding, hunt: hunt))
    }
    do {
      try store?.record(findings: findings)
    } catch {
      Console.error("cannot record the findings in the run history: \(error)")
    }
    let elapsed = reactor.clock.now() - started
    Console.out(
      "hunt: \(findings.isEmpty ? "no order-dependent tests found" : "\(findings.count) finding\(findings.count == 1 ? "" : "s")") in \(hunt.hunter.runsMade) runs, \(String(format: "%.1f", elapsed)) s"
        + (seeds.isEmpty ? "" : " (shuffle seeds \(seeds.map(String.init).joined(separator: ", ")))") + "\n")
    throw ExitCode(findings.isEmpty ? 0 : 1)
  }

  static func describe(_ run: FlakeHunter.Run) -> String {
    switch run.purpose {
    case .baseline(let order): return "the selection in \(order)"
    case .alone(let victim, let attempt): return "\(victim) alone (\(attempt) of \(FlakeHunter.runsAlone))"
    case .bisect(let victim, let count): return "\(count) candidate\(count == 1 ? "" : "s") then \(victim)"
    case .confirm(let victim, let polluter): return "\(polluter) then \(victim)"
    }
  }

  private func report(_ finding: FlakeHunter.Finding, hunt: HuntRunner) -> String {
    switch finding {
    case .orderDependent(let victim, let polluter, let order):
      let base = hunt.selection
      var django =
        (base.command ?? "python manage.py test")
        + (base.labels.isEmpty ? "" : " " + base.labels.joined(separator: " "))
      switch order {
      case .forward: break
      case .reverse: django += " --reverse"
      case .shuffled(let seed): django += " --shuffle \(seed)"
      }
      return """
        order-dependent: \(victim) fails after polluter \(polluter)
          reproduce with Django:  \(django)
          reproduce the pair:     djdash run --exact-order \(polluter) \(victim)

        """
    case .flaky(let victim, let failures, let runs):
      return "flaky: \(victim) fails on its own (\(failures) of \(runs) runs alone), not because of the order\n"
    case .unexplained(let victim, let reason):
      return "unexplained: \(victim) changes verdict with the order, but \(reason)\n"
    }
  }
}
