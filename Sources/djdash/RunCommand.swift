import ArgumentParser
import DjangoRunner
import Foundation
import RunHistory

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run the tests headless, like manage.py test: live lines, then failures and a summary."
  )

  @OptionGroup var tests: RunArguments
  @OptionGroup var report: ReportArguments
  @OptionGroup var history: HistoryArguments

  @Flag(
    name: .customLong("warm-check"),
    help:
      "Run the tests warm (forked from a warm runner, as watch mode does) and cold; any test whose verdict differs is named and the exit code is 1."
  )
  var warmCheck = false

  @Flag(
    name: .customLong("warm"),
    help:
      "Run in a child of the project's warm service, with Django set up and the test databases made; the first --warm run starts the service in the background (djdash warm stops it)."
  )
  var warm = false

  func run() throws {
    let directory = FileManager.default.currentDirectoryPath
    let project = try Console.exitingOnProjectError { try Project.locate(from: directory, command: tests.command) }
    if warmCheck { throw ExitCode(try checkWarm(project: project, directory: directory)) }
    let store = history.noHistory ? nil : HistoryAccess.open(projectRoot: project.root, tell: Console.error)
    let phases = history.phases(of: tests.request, project: project, store: store)
    var code: Int32 = 0
    for (number, request) in phases.enumerated() {
      let plan = try Console.exitingOnProjectError { try project.plan(for: request, directory: directory) }
      // With --failed-first, the report files describe the second run: the whole selection.
      let isLast = number == phases.count - 1
      var phaseReport = report
      if !isLast {
        phaseReport.events = nil
        phaseReport.junitXML = nil
      }
      var run = HeadlessRun(plan: plan, report: phaseReport, history: store)
      if warm { run.warm = warmService(for: plan, request: request, project: project, reactor: run.reactor) }
      let phaseCode = try run.execute()
      code = max(code, phaseCode)
      let stopsAtAFailure = request.filling(from: project.configuration).failfast
      if phaseCode == 2 || phaseCode == 130 || (phaseCode == 1 && stopsAtAFailure) { break }
    }
    throw ExitCode(code)
  }
}

extension RunCommand {
  /// `--warm-check`: the selection warm, then cold (as `djdash run` prints it), then the
  /// differences. Exit code 1 when any verdict differs, else the cold run's.
  func checkWarm(project: Project, directory: String) throws -> Int32 {
    let request = tests.request
    var unlabelled = request
    unlabelled.labels = []
    let (plan, serverPlan) = try Console.exitingOnProjectError {
      (try project.plan(for: request, directory: directory), try project.plan(for: unlabelled, directory: directory))
    }
    let reactor = Reactor()
    // The same launch policy as the dashboard's, with a warm runner of this command's own.
    let launcher = RunLauncher(
      reactor: reactor, settings: LaunchPolicy.Settings(keepsWarmRunner: true, checksWarm: true)
    ) { serverPlan }
    launcher.replaceWarmRunner(because: nil)
    defer {
      launcher.stop()
      let deadline = reactor.clock.now() + 10
      while !launcher.haveRetiredRunnersEnded && reactor.clock.now() < deadline { reactor.runOnce(timeout: 0.05) }
    }
    Console.out("warm-check: setting up the warm runner…\n")
    let ready = reactor.clock.now() + 600
    while launcher.warm?.state == .starting && reactor.clock.now() < ready { reactor.runOnce(timeout: 0.1) }
    if let why = launcher.whyNotWarm(plan) {
      Console.error("cannot run warm: \(why)")
      return 2
    }
    let session = launcher.launch(plan, onEvent: { _ in })
    while !session.isFinished { reactor.runOnce(timeout: 0.1) }
    Console.out("warm-check: the warm run is done (\(session.tally.reports.count) tests); now cold:\n")
    let (code, tally) = try HeadlessRun(plan: plan, report: report).executeKeepingTally()
    guard let tally else { return code }
    guard case .differ(let differences) = LaunchPolicy.CheckOutcome(warm: session.tally.reports, cold: tally.reports)
    else {
      Console.out("warm-check: warm and cold agree on all \(tally.reports.count) tests\n")
      return code
    }
    Console.out("warm-check: \(differences.count) verdict\(differences.count == 1 ? "" : "s") differ:\n")
    for line in differences { Console.out("  \(line)\n") }
    return 1
  }
}

extension RunCommand {
  /// `--warm`: the project's warm service, ready for `plan`, started if there is none;
  /// nil (the run goes cold, and says why) when it cannot serve it.
  func warmService(for plan: RunPlan, request: RunRequest, project: Project, reactor: Reactor)
    -> WarmServiceClient?
  {
    if let why = WarmRunner.whyCannotServe(plan) {
      Console.error("running cold: \(why)")
      return nil
    }
    let socket = WarmService.socketPath(projectRoot: project.root)
    guard WarmService.hasPrivateFolder(socket) else {
      Console.error(
        "running cold: \((socket as NSString).deletingLastPathComponent) for the warm service is not this user's only")
      return nil
    }
    var unlabelled = request
    unlabelled.labels = []
    guard let servicePlan = try? project.plan(for: unlabelled, directory: plan.directory) else { return nil }
    func start() -> WarmServiceClient? {
      let pid: pid_t
      do {
        pid = try WarmServiceClient.startService(plan: servicePlan, executable: BundledResources.executablePath)
      } catch {
        Console.error("running cold: \(error)")
        return nil
      }
      Console.error("starting the warm service for \(project.root): Django and the test databases, once")
      guard
        let client = WarmServiceClient.waitForService(
          pid: pid, projectRoot: project.root, reactor: reactor, timeout: 15)
      else {
        Console.error("running cold: the warm service did not start (see \(project.root)/.djdash/warm.log)")
        return nil
      }
      return client
    }
    guard let client = WarmServiceClient.connect(projectRoot: project.root, reactor: reactor) ?? start() else {
      return nil
    }
    switch client.reserve(plan, timeout: 600) {
    case .ready:
      return client
    case .refused(let why):
      Console.error("running cold: \(why)")
      return nil
    case .otherPlan(let why):
      // Replaced by one for this run's options, which this run waits for.
      Console.error("replacing the warm service: \(why)")
      _ = client.stopService(timeout: 5)
      WarmServiceClient.waitUntilGone(projectRoot: project.root, reactor: reactor, timeout: 15)
      guard let replaced = start() else { return nil }
      if case .ready = replaced.reserve(plan, timeout: 600) { return replaced }
      Console.error("running cold: the new warm service cannot serve this run")
      return nil
    }
  }
}
