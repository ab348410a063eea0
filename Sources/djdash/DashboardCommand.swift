import ArgumentParser
import Dashboard
import DashboardRuntime
import DjangoRunner
import Foundation
import RunHistory
import TerminalUI

#if canImport(Glibc)
  import Glibc
#endif

/// `djdash [LABELS] [FLAGS]`: the live dashboard, the default command.
struct DashboardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dashboard",
    abstract: "Open the live dashboard of the tests (the default command).",
    discussion: """
      Runs the tests at once and keeps the results on screen: j/k move, n/N jump between \
      failures, Enter opens a test's traceback, SQL, mail and output, a/f/r run again, ? \
      shows every key, q quits. Without a terminal it runs headless, like `djdash run`.
      """
  )

  @OptionGroup var tests: RunArguments
  @OptionGroup var report: ReportArguments
  @OptionGroup var display: DisplayArguments

  func run() throws {
    let directory = FileManager.default.currentDirectoryPath
    let project = try Console.exitingOnProjectError { try Project.locate(from: directory, command: tests.command) }
    throw ExitCode(try display.open(project: project, request: tests.request, directory: directory, report: report))
  }
}

/// How the dashboard looks, and the way out to a headless run.
struct DisplayArguments: ParsableArguments {
  @Option(help: ArgumentHelp("The colour theme: dark, light, high-contrast or your own.", valueName: "name"))
  var theme: String?

  @Flag(help: "Run headless (as `djdash run`) even on a terminal.")
  var headless = false

  @Flag(name: .customLong("no-watch"), help: "Do not watch the project: run once, rerun only on a key.")
  var noWatch = false

  @Flag(help: "Never run warm: every run starts Python and Django anew (watch mode is warm by default).")
  var cold = false

  @Flag(
    name: .customLong("warm-check"),
    help: "Follow each warm run with a cold run of its labels and compare; a difference turns warm runs off.")
  var warmCheck = false

  @Flag(
    name: .customLong("then-rest"),
    help: "When a run of what a save affected (or of the failed tests) passes, run the rest of the suite behind it.")
  var thenRest = false

  @Option(
    name: .customLong("on-change"),
    help: ArgumentHelp(
      "A save during a run: queue a run of what it affects after this one, or restart at once (gracefully).",
      valueName: "queue|restart"))
  var onChange: String?

  func validate() throws {
    if let onChange, onChange != "queue", onChange != "restart" {
      throw ValidationError("--on-change takes 'queue' or 'restart', not '\(onChange)'")
    }
  }

  /// Opens the dashboard on `project` (writing the reports `report` asks for, run after
  /// run), or runs headless without a terminal. Returns djdash's exit code.
  func open(
    project: Project, request: RunRequest, directory: String, report: ReportArguments
  ) throws -> Int32 {
    let isTerminal = isatty(0) == 1 && isatty(1) == 1
    if headless || !isTerminal {
      if !isTerminal && !headless { Console.error("not a terminal: running headless (use `djdash run` to say so)") }
      let plan: RunPlan
      do {
        plan = try project.plan(for: request, directory: directory)
      } catch let error as ProjectError {
        Console.error(error.description)
        return 2
      }
      let history = HistoryAccess.open(projectRoot: project.root, tell: Console.error)
      return try HeadlessRun(plan: plan, report: report, history: history).execute()
    }
    let themeName = theme ?? request.filling(from: project.configuration).theme ?? "dark"
    let chosen: Theme
    do {
      chosen = try ThemeLibrary.standard().theme(named: themeName)
    } catch let error as ThemeError {
      Console.error(error.description)
      return 2
    }
    do {
      // A plan now, so a missing Python or hook is reported before the screen changes.
      _ = try project.plan(for: request, directory: directory)
    } catch let error as ProjectError {
      Console.error(error.description)
      return 2
    }
    var request = request
    if noWatch { request.watch = false }
    if cold { request.warm = false }
    if warmCheck { request.checksWarm = true }
    if thenRest { request.thenRest = true }
    if let onChange { request.restartsOnChange = onChange == "restart" }
    let events: EventLogWriter?
    do {
      events = try report.events.map { try EventLogWriter(path: $0) }
    } catch let error as ProjectError {
      Console.error(error.description)
      return 2
    }
    let app = DashboardApp(
      project: project, request: request, directory: directory,
      reports: DashboardApp.Reports(events: events, junitXML: report.junitXML))
    let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    let terminal: CursesTerminal
    do {
      terminal = try CursesTerminal(theme: chosen, noColor: noColor)
    } catch let error as TerminalError {
      Console.error(error.description)
      return 2
    }
    defer { terminal.close() }
    let signals = SignalSource(reactor: app.reactor, followsResize: true) { app.signalled($0) }
    defer { signals.close() }
    app.run(on: terminal)
    return 0
  }
}
