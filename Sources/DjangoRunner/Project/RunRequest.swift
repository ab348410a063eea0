/// What the user asked for: labels and `manage.py test` flags, as on the command line
/// or in `[tool.djdash]`. `plan(for:)` turns it into a `RunPlan`.
public struct RunRequest: Sendable, Equatable {
  public enum Parallelism: Sendable, Equatable {
    case auto
    case processes(Int)
  }

  public enum Shuffle: Sendable, Equatable {
    case random
    case seed(Int)
  }

  public var labels: [String] = []
  public var reverse = false
  public var shuffle: Shuffle?
  public var failfast = false
  public var keepdb = false
  public var parallel: Parallelism?
  /// `-k`: test name patterns.
  public var testNamePatterns: [String] = []
  public var tags: [String] = []
  public var excludeTags: [String] = []
  public var settings: String?
  public var pattern: String?
  /// Arguments after `--`, passed to the command untouched.
  public var passthrough: [String] = []
  /// The entry point when it is not `<python> manage.py test`, e.g. `python runtests.py`.
  public var command: String?
  public var python: String?
  /// Where `python` came from when djdash chose it itself (the demo's own venv); nil
  /// when the user named it (`--python`).
  public var pythonOrigin: PythonOrigin?
  /// Seconds a test may run before it is stopped and recorded as an error.
  public var testTimeout: Double?
  /// After a test timed out: go on with the next test (false) or end the run gracefully
  /// (true); nil when not said, so the config can decide.
  public var stopOnTimeout: Bool?
  /// Run the labels in exactly their given order, in one process: Django's grouping by
  /// class and type is turned off (how a polluter and its victim are replayed).
  public var exactOrder = false
  /// The dashboard's theme (`--theme`, `theme` in `[tool.djdash]`); the runner ignores it.
  public var theme: String?
  /// Whether the dashboard watches the project and reruns what a save affects (default
  /// true; `--no-watch`, `watch = false`).
  public var watch: Bool?
  /// A save during a run: end it gracefully and restart (true), or queue a run after it
  /// (false, the default). `--on-change`, `on-change = "queue" | "restart"`.
  public var restartsOnChange: Bool?
  /// Whether watch mode keeps a warm runner (default true; `--cold`, `warm = false`).
  public var warm: Bool?
  /// Watch mode: follow each warm run with a cold run of its labels and compare the
  /// verdicts; a difference turns warm runs off (`--warm-check`, `warm-check = true`).
  public var checksWarm: Bool?
  /// Watch mode: when a run of a selection (what a save affected, or the failed tests)
  /// passes, run the rest of the suite behind it (`--then-rest`, `then-rest = true`).
  public var thenRest: Bool?
  /// Record what each test executes (`DJDASH_RECORD`), for function-precision selection:
  /// on in the dashboard unless `record = false`; `djdash run --record`.
  public var records: Bool?

  public init() {}

  /// The DiscoverRunner keyword arguments the hook applies (only those asked for).
  public var runnerOptions: [String: JSONValue] {
    var options: [String: JSONValue] = [:]
    if reverse { options["reverse"] = .bool(true) }
    if failfast { options["failfast"] = .bool(true) }
    if keepdb { options["keepdb"] = .bool(true) }
    switch shuffle {
    case .random?: options["shuffle"] = .null
    case .seed(let seed)?: options["shuffle"] = .number(Double(seed))
    case nil: break
    }
    switch parallel {
    case _ where exactOrder: options["parallel"] = .number(1)  // one process keeps one order
    case .auto?: options["parallel"] = .string("auto")
    case .processes(let count)?: options["parallel"] = .number(Double(count))
    case nil: break
    }
    if !testNamePatterns.isEmpty { options["test_name_patterns"] = .array(testNamePatterns.map(JSONValue.string)) }
    if !tags.isEmpty { options["tags"] = .array(tags.map(JSONValue.string)) }
    if !excludeTags.isEmpty { options["exclude_tags"] = .array(excludeTags.map(JSONValue.string)) }
    if let pattern { options["pattern"] = .string(pattern) }
    return options
  }

  /// Fills what this request leaves unset from `defaults` (the project's config):
  /// the command line wins, the config fills the gaps.
  public func filling(from defaults: RunRequest) -> RunRequest {
    var merged = self
    if merged.labels.isEmpty { merged.labels = defaults.labels }
    merged.reverse = reverse || defaults.reverse
    merged.shuffle = shuffle ?? defaults.shuffle
    merged.failfast = failfast || defaults.failfast
    merged.keepdb = keepdb || defaults.keepdb
    merged.parallel = parallel ?? defaults.parallel
    if merged.testNamePatterns.isEmpty { merged.testNamePatterns = defaults.testNamePatterns }
    if merged.tags.isEmpty { merged.tags = defaults.tags }
    if merged.excludeTags.isEmpty { merged.excludeTags = defaults.excludeTags }
    merged.settings = settings ?? defaults.settings
    merged.pattern = pattern ?? defaults.pattern
    if merged.passthrough.isEmpty { merged.passthrough = defaults.passthrough }
    merged.command = command ?? defaults.command
    merged.python = python ?? defaults.python
    merged.pythonOrigin = python == nil ? (defaults.python == nil ? nil : .configuration) : (pythonOrigin ?? .option)
    merged.testTimeout = testTimeout ?? defaults.testTimeout
    merged.stopOnTimeout = stopOnTimeout ?? defaults.stopOnTimeout
    merged.theme = theme ?? defaults.theme
    merged.watch = watch ?? defaults.watch
    merged.restartsOnChange = restartsOnChange ?? defaults.restartsOnChange
    merged.warm = warm ?? defaults.warm
    merged.checksWarm = checksWarm ?? defaults.checksWarm
    merged.thenRest = thenRest ?? defaults.thenRest
    merged.records = records ?? defaults.records
    merged.exactOrder = exactOrder
    return merged
  }

  /// The exact command for `project`, with the interpreter already chosen.
  ///
  /// A `command` whose first word is `python` or `python3` runs with the project's
  /// interpreter, as a developer typing it in their activated virtualenv expects.
  ///
  /// - Parameter labelRoute: `.insideRunner` leaves the labels off the command line
  ///   (the hook applies them; see `LabelRoute`).
  public func arguments(python: String, labelRoute: LabelRoute = .commandLine) throws -> [String] {
    try entryPoint(python: python) + (labelRoute == .commandLine ? labels : []) + passthrough
  }

  /// The command before any label: `[python, manage.py, test]` unless `command` names another.
  public func entryPoint(python: String) throws -> [String] {
    guard let command else { return [python, "manage.py", "test"] }
    var words = try ShellWords.split(command)
    guard !words.isEmpty else { throw ProjectError("--command is empty") }
    if words[0] == "python" || words[0] == "python3" { words[0] = python }
    return words
  }
}
