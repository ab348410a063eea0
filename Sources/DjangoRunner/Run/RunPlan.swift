/// A run ready to start: the exact command, where, with which environment, and the
/// options the hook applies inside Django's runner.
public struct RunPlan: Sendable, Equatable, Codable {
  /// The full command line, e.g. `[python, manage.py, test, shop]`.
  public var arguments: [String]
  public var directory: String
  /// The environment the runner gets, before djdash adds its own variables.
  public var environment: [String: String]
  public var labels: [String]
  /// The Python interpreter (for display; `arguments` may name another program).
  public var python: String
  /// Why `python` was chosen (`PythonLocator`); nil for a plan made without asking it.
  public var pythonOrigin: PythonOrigin?
  /// DiscoverRunner keyword arguments set by the hook (`DJDASH_OPTIONS`), so flags
  /// work through every entry point, including scripts that parse no flags.
  public var options: [String: JSONValue]
  /// The folder holding the hook's sitecustomize.py.
  public var hookDirectory: String
  /// The project root, used to tell project frames from library frames.
  public var projectRoot: String
  /// Seconds a test may run (`--test-timeout`); nil for no limit.
  public var testTimeout: Double?
  /// Whether a timed-out test ends the run gracefully (`--on-timeout stop`).
  public var stopOnTimeout: Bool
  /// Whether the labels run in exactly their order (`--exact-order`).
  public var exactOrder: Bool
  /// A prepared runner: started without labels, it waits in `run_tests` until
  /// `RunSession.run(labels:command:)` gives them (watch mode starts Python and Django
  /// while a save settles).
  public var awaitsLabels = false
  /// How the labels reach Django's runner: on the command line, or (for a script that
  /// takes none there) through the hook, `DJDASH_LABELS`.
  public var labelRoute = LabelRoute.commandLine
  /// The hook records what each test executes (`DJDASH_RECORD`), and the run's records
  /// replace theirs in `ExecutionRecords`.
  public var recordsExecution = false

  public init(
    arguments: [String], directory: String, environment: [String: String], labels: [String],
    python: String, options: [String: JSONValue], hookDirectory: String, projectRoot: String,
    testTimeout: Double? = nil, stopOnTimeout: Bool = false, exactOrder: Bool = false
  ) {
    self.arguments = arguments
    self.directory = directory
    self.environment = environment
    self.labels = labels
    self.python = python
    self.options = options
    self.hookDirectory = hookDirectory
    self.projectRoot = projectRoot
    self.testTimeout = testTimeout
    self.stopOnTimeout = stopOnTimeout
    self.exactOrder = exactOrder
  }

  /// Whether a runner prepared with this plan (no labels, `awaitsLabels`) can run
  /// `other`: the same command but for `other`'s labels, and the same everything else.
  public func canBePrepared(for other: RunPlan) -> Bool {
    var prepared = self
    prepared.arguments = []
    prepared.labels = []
    prepared.awaitsLabels = false
    var wanted = other
    wanted.arguments = []
    wanted.labels = []
    // Why the interpreter was chosen does not change what runs.
    prepared.pythonOrigin = nil
    wanted.pythonOrigin = nil
    guard prepared == wanted else { return false }
    if other.labelRoute == .insideRunner { return other.arguments == arguments }
    guard other.arguments.count == arguments.count + other.labels.count else { return false }
    // The labels sit somewhere in the command line (before what followed `--`).
    return (0...arguments.count).contains { split in
      Array(other.arguments[..<split]) == Array(arguments[..<split])
        && Array(other.arguments[split..<(split + other.labels.count)]) == other.labels
        && Array(other.arguments[(split + other.labels.count)...]) == Array(arguments[split...])
    }
  }
}
