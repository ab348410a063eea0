import ArgumentParser
import DjangoRunner

/// The labels and flags of `manage.py test`, shared by every command that runs tests.
struct RunArguments: ParsableArguments {
  @Argument(
    help:
      "Test labels: dotted module, class or method paths, or directories. Arguments after -- go to the test command untouched."
  )
  var labels: [String] = []

  @Flag(help: "Run tests in reverse order.")
  var reverse = false

  @Option(help: ArgumentHelp("Shuffle the test order; --shuffle=SEED repeats an order.", valueName: "seed"))
  var shuffle: String?

  @Flag(help: "Stop at the first failing test.")
  var failfast = false

  @Flag(
    name: .customLong("exact-order"),
    help: "Run the labels in exactly the order given, in one process (Django otherwise groups tests by class and type)."
  )
  var exactOrder = false

  @Flag(help: "Keep the test database between runs.")
  var keepdb = false

  @Option(help: ArgumentHelp("Run tests in N processes, or 'auto' for one per core.", valueName: "N|auto"))
  var parallel: String?

  @Option(
    name: .customShort("k"), help: ArgumentHelp("Only tests whose name matches (repeatable).", valueName: "pattern"))
  var testNamePatterns: [String] = []

  @Option(help: "Only tests with this tag (repeatable).")
  var tag: [String] = []

  @Option(name: .customLong("exclude-tag"), help: "Skip tests with this tag (repeatable).")
  var excludeTag: [String] = []

  @Option(help: "The settings module (DJANGO_SETTINGS_MODULE).")
  var settings: String?

  @Option(help: "The test file pattern (default test*.py).")
  var pattern: String?

  @Option(
    help: ArgumentHelp(
      "The test command, when not '<python> manage.py test', e.g. \"python runtests.py\".", valueName: "command"))
  var command: String?

  @Option(help: "The Python interpreter (default: $VIRTUAL_ENV, .venv, venv, then python3).")
  var python: String?

  @Option(
    name: .customLong("test-timeout"),
    help: ArgumentHelp(
      "Stop a test that runs longer and record it as an error, with the stack where it hung.", valueName: "seconds"))
  var testTimeout: Double?

  @Option(
    name: .customLong("on-timeout"),
    help: ArgumentHelp(
      "After a timed-out test: continue with the next one, or stop the run gracefully.", valueName: "continue|stop"))
  var onTimeout: String?

  @Flag(
    help:
      "Record what each test executes (Python 3.12+), so a save of function bodies selects only the tests that ran them (the dashboard does by default; `record = false` turns it off).")
  var record = false

  /// What followed `--` (see `CommandLineShape`).
  @Option(name: .customLong("passthrough-argument"), parsing: .unconditionalSingleValue, help: .hidden)
  var passthrough: [String] = []

  func validate() throws {
    if let parallel, parallel != "auto", (Int(parallel) ?? 0) < 1 {
      throw ValidationError("--parallel takes a number of processes (1 or more) or 'auto', not '\(parallel)'")
    }
    if let testTimeout, !(testTimeout > 0) {
      throw ValidationError("--test-timeout takes a number of seconds above 0")
    }
    if let onTimeout, onTimeout != "continue", onTimeout != "stop" {
      throw ValidationError("--on-timeout takes 'continue' or 'stop', not '\(onTimeout)'")
    }
    if let shuffle, shuffle != CommandLineShape.randomShuffle, Int(shuffle) == nil {
      throw ValidationError("--shuffle takes an optional whole-number seed, not '\(shuffle)'")
    }
  }

  var request: RunRequest {
    var request = RunRequest()
    request.labels = labels
    request.reverse = reverse
    if let shuffle { request.shuffle = Int(shuffle).map(RunRequest.Shuffle.seed) ?? .random }
    request.failfast = failfast
    request.exactOrder = exactOrder
    request.keepdb = keepdb
    if let parallel { request.parallel = Int(parallel).map(RunRequest.Parallelism.processes) ?? .auto }
    request.testNamePatterns = testNamePatterns
    request.tags = tag
    request.excludeTags = excludeTag
    request.settings = settings
    request.pattern = pattern
    request.passthrough = passthrough
    request.command = command
    request.python = python
    request.testTimeout = testTimeout
    request.stopOnTimeout = onTimeout.map { $0 == "stop" }
    if record { request.records = true }
    return request
  }
}

/// Where a run's results go besides the terminal.
struct ReportArguments: ParsableArguments {
  @Option(name: .customLong("junit-xml"), help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
  var junitXML: String?

  @Option(help: ArgumentHelp("Write every event as JSON lines here, as it happens.", valueName: "file"))
  var events: String?

  @Flag(name: .customLong("show-output"), help: "Also print what the runner itself prints (Django's messages).")
  var showOutput = false
}
