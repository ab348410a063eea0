import ArgumentParser
import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `djdash warm`: the project's warm service, which `djdash run --warm` starts and uses.
struct WarmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "warm",
    abstract: "The project's warm service, kept by djdash run --warm: its status, or stop it.",
    discussion: """
      djdash run --warm starts a warm service for the project the first time: a \
      background djdash keeping Django set up and the test databases made, so later \
      runs fork from it. It replaces its runner when settings, models, migrations or \
      installed packages change (on Python 3.12+ a save in function bodies only is \
      refreshed in each run's child instead), and ends after 30 idle minutes.
      """,
    subcommands: [WarmStatus.self, WarmStop.self, WarmServe.self],
    defaultSubcommand: WarmStatus.self
  )
}

/// Which project's warm service: the one here, or the one `djdash run --warm --command`
/// started for a project without manage.py.
struct WarmProjectOptions: ParsableArguments {
  @Option(help: "The test command the service was started with, for a project without manage.py.")
  var command: String?

  func project() throws -> Project {
    try Console.exitingOnProjectError {
      try Project.locate(from: FileManager.default.currentDirectoryPath, command: command)
    }
  }
}

struct WarmStatus: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "status", abstract: "Is the warm service running?")

  @OptionGroup var options: WarmProjectOptions

  func run() throws {
    let project = try options.project()
    let reactor = Reactor()
    guard let client = WarmServiceClient.connect(projectRoot: project.root, reactor: reactor),
      let status = client.status(timeout: 5)
    else {
      Console.out("no warm service for \(project.root) (djdash run --warm starts one)\n")
      throw ExitCode(1)
    }
    func text(_ key: String) -> String {
      switch status[key] {
      case .string(let value)?: return value
      case .number(let value)?: return String(Int(value))
      default: return "?"
      }
    }
    Console.out("warm service for \(project.root): pid \(text("pid")), \(text("state")), \(text("runs")) warm runs\n")
  }
}

struct WarmStop: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stop", abstract: "Stop the warm service (its test databases are destroyed).")

  @OptionGroup var options: WarmProjectOptions

  func run() throws {
    let project = try options.project()
    let reactor = Reactor()
    guard let client = WarmServiceClient.connect(projectRoot: project.root, reactor: reactor) else {
      Console.out("no warm service for \(project.root)\n")
      return
    }
    guard client.stopService(timeout: 5) else {
      Console.error("the warm service did not answer")
      throw ExitCode(1)
    }
    WarmServiceClient.waitUntilGone(projectRoot: project.root, reactor: reactor, timeout: 15)
    Console.out("stopped the warm service for \(project.root)\n")
  }
}

/// The service itself, as `djdash run --warm` starts it (in the background).
struct WarmServe: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve", abstract: "Be the warm service (started by djdash run --warm).",
    shouldDisplay: false)

  @Option(name: .customLong("plan-file"), help: "The run plan, as JSON; the file is removed once read.")
  var planFile: String

  @Option(name: .customLong("idle-timeout"), help: "Seconds without a run after which the service ends.")
  var idleTimeout: Double = 1800

  func run() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: planFile))
    unlink(planFile)
    let plan = try JSONDecoder().decode(RunPlan.self, from: data)
    let idle = ProcessInfo.processInfo.environment["DJDASH_WARM_IDLE_TIMEOUT"].flatMap(Double.init) ?? idleTimeout
    let reactor = Reactor()
    let service: WarmService
    do {
      service = try WarmService(
        plan: plan, reactor: reactor, socketPath: WarmService.socketPath(projectRoot: plan.projectRoot),
        idleTimeout: idle)
    } catch {
      Console.error("djdash warm service: \(error)")
      throw ExitCode(1)
    }
    Console.error("warm service \(getpid()) for \(plan.projectRoot): started")
    service.onNotice = { Console.error("warm service \(getpid()): \($0)") }
    service.onEnd = { reason in
      Console.error("warm service \(getpid()): ended (\(reason))")
      reactor.stop()
    }
    let signals = SignalSource(reactor: reactor) { _ in service.stop(because: "signalled") }
    reactor.run()
    signals.close()
  }
}
