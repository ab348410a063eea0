import ArgumentParser
import DjangoRunner
import Foundation

/// `djdash affected PATH…`: the labels a change of these files selects, as the
/// dashboard's watch mode would run them.
struct AffectedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "affected",
    abstract: "Print the test labels a change of these files can affect, one per line.",
    discussion: """
      The same selection the dashboard runs on a save: the project's import graph plus \
      Django's wiring (the URLconf behind the test client, settings, signal receivers \
      connected at start-up, templates, fixtures). Settings, migrations and requirements \
      select every test. When only function bodies changed and earlier runs recorded what \
      each test executed (.djdash/executed.json), only the tests that ran a changed \
      function. --why adds the chain that selected each label, and the rule. Exit code 0, \
      or 2 for a usage or configuration error.
      """
  )

  @Argument(help: "Changed files (absolute, or relative to this folder); deleted files too.")
  var paths: [String]

  @Flag(help: "Explain each label: the chain of dependencies from the changed file.")
  var why = false

  @Option(help: "The settings module (DJANGO_SETTINGS_MODULE).")
  var settings: String?

  @Option(help: "The test file pattern (default test*.py).")
  var pattern: String?

  @Option(
    help: ArgumentHelp(
      "The test command, when not '<python> manage.py test', e.g. \"python runtests.py\": as `djdash run` takes it, it tells djdash where the project is.",
      valueName: "command"))
  var command: String?

  func run() throws {
    let directory = FileManager.default.currentDirectoryPath
    let project = try Console.exitingOnProjectError { try Project.locate(from: directory, command: command) }
    var relative: [String] = []
    for path in paths {
      guard let inside = project.relativePath(of: path, from: directory) else {
        Console.error("\(path) is outside the project at \(project.root)")
        throw ExitCode(2)
      }
      relative.append(inside)
    }
    var request = RunRequest()
    request.settings = settings
    request.pattern = pattern
    request.command = command
    let selector = TestSelector(graph: project.dependencyGraph(for: request))
    let uncompilable = project.uncompilableBeforeTests(relative, in: selector.graph) {
      try? project.plan(for: request, directory: directory).python
    }
    let selection = project.narrowed(
      selector.selection(for: relative, uncompilable: uncompilable), changing: relative,
      records: ExecutionRecords.load(projectRoot: project.root), in: selector.graph)
    var output = ""
    for label in selection.labels {
      output += label + "\n"
      if why {
        for line in selection.explanations[label] ?? [] { output += "    " + line + "\n" }
      }
    }
    if why {
      for line in selection.unaffected { output += "# \(line)\n" }
      if let rule = selection.rule { output += "# rule: \(rule)\n" }
    }
    Console.write(output, to: 1)
  }
}
