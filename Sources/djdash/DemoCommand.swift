import ArgumentParser
import DjangoRunner
import Foundation

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run the bundled demo shop's tests (installs Django into a venv if needed).",
    discussion: """
      The demo project is copied to ~/.cache/djdash/demo-shop (or $XDG_CACHE_HOME) and run \
      there and opened in the dashboard (headless without a terminal); a few of its \
      tests fail on purpose, to show failures with SQL and mail.
      """
  )

  @OptionGroup var tests: RunArguments
  @OptionGroup var report: ReportArguments
  @OptionGroup var display: DisplayArguments

  @Option(help: "Where to put the demo project (default: ~/.cache/djdash/demo-shop).")
  var directory: String?

  func run() throws {
    var request = tests.request
    let project = try Console.exitingOnProjectError {
      let destination = try DemoProject.install(into: directory)
      let python = try DemoProject.python(for: destination, requested: request.python)
      request.python = python.path
      request.pythonOrigin = python.origin
      return try Project.locate(from: destination, command: nil)
    }
    throw ExitCode(try display.open(project: project, request: request, directory: project.root, report: report))
  }
}
