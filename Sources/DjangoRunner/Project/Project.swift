import Foundation
import TOMLKit

/// A configuration or usage problem, worded for the user (djdash exits with 2).
public struct ProjectError: Error, CustomStringConvertible, Equatable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// A Django project on disk: where it is, how its tests start, its djdash settings.
public struct Project: Sendable {
  /// The project's root: the folder holding manage.py (or, with a custom command, the
  /// starting folder), or a folder above it when the project's code is imported from
  /// there (see `SourceTree`). djdash watches, selects and keeps `.djdash/` here.
  public var root: String
  /// Where the test command runs: the folder holding manage.py, or where a custom
  /// command was started.
  public var commandDirectory: String
  /// The folders the runner imports the project's modules from, relative to `root`.
  public var sourceRoots: [String]
  /// `[tool.djdash]` from the project's pyproject.toml, as a request to fill gaps.
  public var configuration: RunRequest
  /// What the runner reported it loaded in the last run from `commandDirectory`.
  public var report: ProjectReport?

  /// A project at `root` whose command runs in `commandDirectory` (default: the root),
  /// importing its modules from `sourceRoots` (default: the root itself).
  public init(root: String, configuration: RunRequest, commandDirectory: String? = nil, sourceRoots: [String] = [""]) {
    self.root = root
    self.configuration = configuration
    self.commandDirectory = commandDirectory ?? root
    self.sourceRoots = sourceRoots
  }

  /// Finds the project that `directory` belongs to: the nearest folder at or above it
  /// with a manage.py, unless a custom `command` makes manage.py unnecessary.
  ///
  /// - Throws: `ProjectError` when there is no manage.py and no command, or when
  ///   pyproject.toml cannot be read.
  public static func locate(from directory: String, command: String?) throws -> Project {
    let start = URL(fileURLWithPath: directory).standardizedFileURL.path
    var root: String?
    var folder = start
    while true {
      if FileManager.default.fileExists(atPath: folder + "/manage.py") {
        root = folder
        break
      }
      let parent = (folder as NSString).deletingLastPathComponent
      if parent == folder || parent.isEmpty { break }
      folder = parent
    }
    let commandDirectory = root ?? start
    let configuration = try readConfiguration(in: commandDirectory)
    if root == nil && command == nil && configuration.command == nil {
      throw ProjectError(
        """
        no manage.py in \(start) or any folder above it.
        Run djdash inside your Django project, or name the test entry point, e.g.
          djdash run --command "python runtests.py"
        """)
    }
    let report = lastReport(commandDirectory: commandDirectory)
    let tree = sourceTree(commandDirectory: commandDirectory, command: command ?? configuration.command, report: report)
    var project = Project(
      root: tree.root, configuration: configuration, commandDirectory: commandDirectory, sourceRoots: tree.sourceRoots)
    project.report = report
    if tree.root != commandDirectory, configuration == RunRequest() {
      project.configuration = try readConfiguration(in: tree.root)  // [tool.djdash] of the repository
    }
    return project
  }

  /// The runner's last report for runs from `commandDirectory`, kept in `.djdash/project.json`
  /// of that folder or of one at most two above it (the project's root).
  static func lastReport(commandDirectory: String) -> ProjectReport? {
    var folder = commandDirectory
    for _ in 0...SourceTree.levelsAbove {
      if let found = ProjectReport.load(projectRoot: folder),
        SourceTree.standardized(found.directory) == commandDirectory
      {
        return found
      }
      let parent = (folder as NSString).deletingLastPathComponent
      if parent == folder { break }
      folder = parent
    }
    return nil
  }

  /// The project's tree for an entry point in `commandDirectory`: from the runner's last
  /// report, else guessed from manage.py, the command's script and `PYTHONPATH`.
  static func sourceTree(
    commandDirectory: String, command: String?, report: ProjectReport?,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> SourceTree {
    let words = command.flatMap { try? ShellWords.split($0) } ?? []
    let scripts = (["manage.py"] + words.filter { $0.hasSuffix(".py") }).compactMap { name in
      let path = name.hasPrefix("/") ? name : commandDirectory + "/" + name
      return FileManager.default.contents(atPath: path).map {
        (source: String(decoding: $0, as: UTF8.self), folder: (path as NSString).deletingLastPathComponent)
      }
    }
    return SourceTree.find(
      commandDirectory: commandDirectory, report: report, scripts: scripts,
      scriptFolder: runScriptPath(of: command, in: commandDirectory).map {
        ($0 as NSString).deletingLastPathComponent
      }, environment: environment)
  }

  /// The absolute path of the script `command`'s Python runs, a relative name taken from
  /// `directory` (see `runScript(of:)`); nil when it runs none.
  static func runScriptPath(of command: String?, in directory: String) -> String? {
    let words = command.flatMap { try? ShellWords.split($0) } ?? []
    return runScript(of: words).map { SourceTree.standardized($0.hasPrefix("/") ? $0 : directory + "/" + $0) }
  }

  /// The script a command's Python runs (`python tests/manage.py test` → `tests/manage.py`,
  /// `./runtests.py` → itself); nil for `python -m …` and `python -c …`, whose sys.path
  /// starts with the working directory.
  static func runScript(of words: [String]) -> String? {
    guard let first = words.first else { return nil }
    if first.hasSuffix(".py") { return first }
    let interpreter = (first as NSString).lastPathComponent
    guard interpreter.hasPrefix("python") || interpreter.hasPrefix("pypy") else { return nil }
    var index = 1
    while index < words.count, words[index].hasPrefix("-") {
      let option = words[index]
      if option == "-m" || option == "-c" || option.hasPrefix("-m") || option.hasPrefix("-c") { return nil }
      // Options that take a value: `-W error`, `-X dev`.
      index += option == "-W" || option == "-X" ? 2 : 1
    }
    return index < words.count && words[index].hasSuffix(".py") ? words[index] : nil
  }

  /// Reads `[tool.djdash]` from `folder/pyproject.toml`; an empty request if absent.
  public static func readConfiguration(in folder: String) throws -> RunRequest {
    let path = folder + "/pyproject.toml"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return RunRequest() }
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch {
      throw ProjectError("cannot read \(path): \(error)")
    }
    guard let section = table["tool"]?.table?["djdash"]?.table else { return RunRequest() }
    return try RunRequest(configuration: section, path: path)
  }
}

extension RunRequest {
  /// The keys of `[tool.djdash]` are the long options of `djdash run` (dashes or
  /// underscores), plus `labels` and `args` (what would follow `--`).
  init(configuration section: TOMLTable, path: String) throws {
    self.init()
    for (rawKey, value) in section {
      let key = rawKey.replacingOccurrences(of: "_", with: "-")
      func fail(_ expected: String) -> ProjectError {
        ProjectError("\(path): [tool.djdash] \(rawKey) should be \(expected)")
      }
      func string() throws -> String {
        guard let text = value.string else { throw fail("a string") }
        return text
      }
      func strings() throws -> [String] {
        if let text = value.string { return [text] }
        guard let array = value.array else { throw fail("a string or a list of strings") }
        return try array.map { item in
          guard let text = item.string else { throw fail("a list of strings") }
          return text
        }
      }
      func flag() throws -> Bool {
        guard let bool = value.bool else { throw fail("true or false") }
        return bool
      }
      switch key {
      case "labels": labels = try strings()
      case "reverse": reverse = try flag()
      case "failfast": failfast = try flag()
      case "keepdb": keepdb = try flag()
      case "shuffle":
        if let seed = value.int {
          shuffle = .seed(seed)
        } else if try flag() {
          shuffle = .random
        }
      case "parallel":
        if let count = value.int {
          parallel = .processes(count)
        } else if value.string == "auto" {
          parallel = .auto
        } else {
          throw fail("a number or \"auto\"")
        }
      case "k": testNamePatterns = try strings()
      case "tag", "tags": tags = try strings()
      case "exclude-tag", "exclude-tags": excludeTags = try strings()
      case "settings": settings = try string()
      case "pattern": pattern = try string()
      case "args": passthrough = try strings()
      case "command": command = try string()
      case "python": python = try string()
      case "theme": theme = try string()
      case "watch": watch = try flag()
      case "warm": warm = try flag()
      case "warm-check": checksWarm = try flag()
      case "then-rest": thenRest = try flag()
      case "record": records = try flag()
      case "on-change":
        switch value.string {
        case "queue"?: restartsOnChange = false
        case "restart"?: restartsOnChange = true
        default: throw fail("\"queue\" or \"restart\"")
        }
      case "test-timeout":
        guard let seconds = value.double ?? value.int.map(Double.init), seconds > 0 else {
          throw fail("a number of seconds above 0")
        }
        testTimeout = seconds
      case "on-timeout":
        switch value.string {
        case "continue"?: stopOnTimeout = false
        case "stop"?: stopOnTimeout = true
        default: throw fail("\"continue\" or \"stop\"")
        }
      default:
        throw ProjectError("\(path): [tool.djdash] has an unknown key \"\(rawKey)\"")
      }
    }
  }
}

extension Project {
  /// The run `request` asks for in this project, with the project's config filling
  /// the gaps, the interpreter chosen and the hook found.
  ///
  /// - Parameters:
  ///   - directory: where the command runs; the project root unless a custom command
  ///     was started elsewhere.
  ///   - environment: the environment to start from (usually djdash's own).
  public func plan(
    for request: RunRequest, directory: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> RunPlan {
    let merged = request.filling(from: configuration)
    let interpreter = try PythonLocator.choose(
      explicit: merged.python, explicitOrigin: merged.pythonOrigin ?? .option, projectRoots: [commandDirectory, root],
      environment: environment)
    let python = interpreter.path
    var env = environment
    if let settings = merged.settings { env["DJANGO_SETTINGS_MODULE"] = settings }
    let workingDirectory = merged.command == nil ? commandDirectory : (directory ?? commandDirectory)
    let labelRoute = LabelRoute.route(for: try merged.entryPoint(python: python), in: workingDirectory)
    var plan = RunPlan(
      arguments: try merged.arguments(python: python, labelRoute: labelRoute), directory: workingDirectory,
      environment: env, labels: merged.labels, python: python, options: merged.runnerOptions,
      hookDirectory: try BundledResources.hookDirectory(environment: environment), projectRoot: root,
      testTimeout: merged.testTimeout, stopOnTimeout: merged.stopOnTimeout ?? false,
      exactOrder: merged.exactOrder)
    plan.labelRoute = labelRoute
    plan.recordsExecution = merged.records == true
    plan.pythonOrigin = interpreter.origin
    return plan
  }
}
