import Foundation

/// Everything that happens in a run, in one vocabulary: what the hook reports from
/// inside Django and what djdash itself observes (the start, the runner's own output,
/// a process that died, the end). The `--events` file is this, one JSON object per
/// line; see EventProtocol.md in the documentation catalog.
public enum RunEvent: Sendable, Equatable {
  // Observed by djdash.
  case runStarted(RunStart)
  case output(RunnerOutput)
  case processLost(ProcessLoss)
  /// Tests that did not run as far as Django is concerned, though a worker ran or began
  /// them: an earlier `testFinished` of one of them no longer counts.
  case testsDiscarded(TestsDiscarded)
  case warning(String)
  case runFinished(RunSummary)

  // Reported by the hook, and published.
  case runnerStarted(RunnerInfo)
  /// What Django loaded (source folders, settings, apps), before the first test.
  case projectLoaded(ProjectReport)
  case suiteReady(SuitePlan)
  case databasesReady([String: String])
  case databasesDestroyed
  case testStarted(id: String, pid: Int32)
  case testFinished(TestReport)

  // Reported by the hook for djdash's own bookkeeping; never written to `--events`.
  case hello(ProcessHello)
  /// A parallel worker set up its databases (their names, clones included).
  case workerReady([String: String])
  case subsuiteStarted(index: Int)
  case subsuiteFinished(index: Int, skipped: Bool)
  /// Django's parallel parent stopped taking its workers' results before every subsuite
  /// was done: its pool is terminated next.
  case parallelStopped(ParallelStop)
  case runnerFinished(failures: Int)
  case hookError(place: String, traceback: String)
  /// A warm server set up its test environment and databases: the project files it
  /// loaded, the databases its runs would share (not SQLite in memory), and the loaded
  /// files its children can refresh in function bodies, each with the stamp
  /// (`[mtime in ns, size]`) it had when the server read it.
  case warmReady(loaded: [String], sharedDatabases: [String], refreshable: [String: [Int64]] = [:])
  /// A run announced warm goes on in a runner of its own instead (djdash): why (the
  /// warm runner refused to refresh what was saved). Its tests are a cold run's.
  case wentCold(reason: String)
  /// A warm server did not fork a run because the refresh it was asked for cannot be
  /// done safely (why): the run goes cold, and the server is replaced.
  case warmRefreshRefused(reason: String)
  /// A warm server forked the child that runs a warm run.
  case warmChildStarted(pid: Int32)
  /// That child ended (nil when the server could not tell how).
  case warmChildExited(pid: Int32, termination: Termination?)
  /// An event this version does not know: ignored, so newer hooks stay compatible.
  case unknown(String)

  /// The event's name on the wire and in `--events`.
  public var name: String {
    switch self {
    case .runStarted: return "run_started"
    case .output: return "output"
    case .processLost: return "process_lost"
    case .testsDiscarded: return "tests_discarded"
    case .warning: return "warning"
    case .runFinished: return "run_finished"
    case .runnerStarted: return "runner_started"
    case .projectLoaded: return "project_loaded"
    case .suiteReady: return "suite_ready"
    case .databasesReady: return "databases_ready"
    case .databasesDestroyed: return "databases_destroyed"
    case .testStarted: return "test_started"
    case .testFinished: return "test_finished"
    case .hello: return "hello"
    case .workerReady: return "worker_ready"
    case .subsuiteStarted: return "subsuite_started"
    case .subsuiteFinished: return "subsuite_finished"
    case .parallelStopped: return "parallel_stopped"
    case .runnerFinished: return "runner_finished"
    case .hookError: return "hook_error"
    case .warmReady: return "warm_ready"
    case .wentCold: return "went_cold"
    case .warmRefreshRefused: return "warm_refresh_refused"
    case .warmChildStarted: return "warm_child_started"
    case .warmChildExited: return "warm_child_exited"
    case .unknown(let name): return name
    }
  }

  /// Whether the event belongs to the public `--events` stream.
  public var isPublished: Bool {
    switch self {
    case .hello, .workerReady, .subsuiteStarted, .subsuiteFinished, .parallelStopped, .runnerFinished, .hookError,
      .warmReady, .warmRefreshRefused, .warmChildStarted, .warmChildExited, .unknown:
      return false
    default:
      return true
    }
  }
}

/// `run_started`: what is about to run, and how.
public struct RunStart: Codable, Sendable, Equatable {
  public var labels: [String]
  /// The full command line djdash started, arguments included.
  public var command: [String]
  public var directory: String
  public var python: String
  /// Why djdash chose `python` (`--python`, the project's venv, …); absent when unknown.
  public var pythonOrigin: PythonOrigin?
  /// The runner options djdash applies inside DiscoverRunner (`DJDASH_OPTIONS`).
  public var options: [String: JSONValue]
  /// The run is a child of a warm server ("warm": true); absent for a new runner.
  public var isWarm: Bool?
  /// The labels were applied inside Django's runner, not on the command line (a script
  /// that takes none there; see `LabelRoute`); absent otherwise.
  public var labelsInsideRunner: Bool?

  enum CodingKeys: String, CodingKey {
    case labels, command, directory, python, options
    case pythonOrigin = "python_origin"
    case isWarm = "warm"
    case labelsInsideRunner = "labels_inside_runner"
  }

  public init(
    labels: [String], command: [String], directory: String, python: String,
    options: [String: JSONValue], isWarm: Bool? = nil, labelsInsideRunner: Bool? = nil,
    pythonOrigin: PythonOrigin? = nil
  ) {
    self.labels = labels
    self.command = command
    self.directory = directory
    self.python = python
    self.pythonOrigin = pythonOrigin
    self.options = options
    self.isWarm = isWarm
    self.labelsInsideRunner = labelsInsideRunner
  }
}

/// `output`: text the runner printed outside any test (Django's own messages,
/// warnings, a crash's traceback). Tests' own output is in their `test_finished`.
public struct RunnerOutput: Codable, Sendable, Equatable {
  public enum Stream: String, Codable, Sendable { case stdout, stderr }
  public var stream: Stream
  public var text: String

  public init(stream: Stream, text: String) {
    self.stream = stream
    self.text = text
  }
}

/// `process_lost`: a process of the run went away without saying goodbye.
public struct ProcessLoss: Codable, Sendable, Equatable {
  public var pid: Int32
  /// The test it was running, if any; that test is also reported as an error.
  public var test: String?
  public var reason: String
  /// What Python's faulthandler wrote when the process crashed, if anything.
  public var crashReport: String?

  enum CodingKeys: String, CodingKey {
    case pid, test, reason
    case crashReport = "crash_report"
  }

  public init(pid: Int32, test: String?, reason: String, crashReport: String?) {
    self.pid = pid
    self.test = test
    self.reason = reason
    self.crashReport = crashReport
  }
}

/// `tests_discarded`: tests a parallel worker ran or began that Django never counted,
/// because its parent stopped replaying the workers' results (`--failfast`) or died, and
/// its pool was terminated. Each is reported as not run: its earlier `test_finished`, if
/// any, no longer counts.
public struct TestsDiscarded: Codable, Sendable, Equatable {
  public var tests: [String]
  /// Why, for the user to read.
  public var reason: String

  public init(tests: [String], reason: String) {
    self.tests = tests
    self.reason = reason
  }
}

/// `parallel_stopped` (from the hook): Django's parallel parent stops taking results
/// before every subsuite is done, and terminates its pool next.
public struct ParallelStop: Codable, Sendable, Equatable {
  public enum Reason: String, Codable, Sendable {
    /// Django's result was stopped (`--failfast`, unittest's Ctrl-C handler): it keeps
    /// what it replayed and drops the rest.
    case stop
    /// The parent's `ParallelTestSuite.run` raised (the runner crashes).
    case error
  }

  public var reason: Reason
  /// The subsuites whose results Django replayed into its own result; nil when the hook
  /// could not tell (every result is then kept).
  public var replayed: [Int]?

  public init(reason: Reason, replayed: [Int]?) {
    self.reason = reason
    self.replayed = replayed
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: EventKey.self)
    // A reason this version does not know is the cautious one: keep every result.
    reason = (try? c.decode(Reason.self, forKey: "reason")) ?? .error
    replayed = try c.decodeIfPresent([Int].self, forKey: "replayed")
  }
}

/// `runner_started`: Django's runner is about to build the suite.
public struct RunnerInfo: Codable, Sendable, Equatable {
  /// The runner's process id (parallel workers report other pids).
  public var pid: Int32?
  public var django: String
  /// The runner class actually used (the project's own TEST_RUNNER is kept).
  public var runner: String
  public var labels: [String]
  /// How the run records what each test executed (`test_finished`'s `executed`):
  /// `sys.monitoring` (Python 3.12+), `coverage` (its C tracer, 3.11), `unavailable` (asked
  /// for, but neither can); nil when recording was not asked for. Only a run with a
  /// recorder may replace `ExecutionRecords`: without one, no `executed` means nothing.
  public var recording: String? = nil
}

/// `suite_ready`: the tests that will run, in the order Django will run them.
public struct SuitePlan: Codable, Sendable, Equatable {
  public var tests: [String]
  public var processes: Int
  /// How many subsuites (TestCase classes) the parallel runner hands out; nil when serial.
  public var subsuites: Int?
  public var shuffleSeed: Int?

  enum CodingKeys: String, CodingKey {
    case tests, processes, subsuites
    case shuffleSeed = "shuffle_seed"
  }

  public init(tests: [String], processes: Int = 1, subsuites: Int? = nil, shuffleSeed: Int? = nil) {
    self.tests = tests
    self.processes = processes
    self.subsuites = subsuites
    self.shuffleSeed = shuffleSeed
  }
}

/// `hello`: a process of the run connected.
public struct ProcessHello: Codable, Sendable, Equatable {
  public enum Role: String, Codable, Sendable { case leader, worker }
  public var pid: Int32
  public var ppid: Int32
  public var role: Role
  public var python: String
  public var `protocol`: Int
}

/// How a run was cut short.
public enum Interruption: String, Codable, Sendable {
  /// Every process finished its current test; databases were torn down.
  case graceful
  /// Every process was stopped at once.
  case hard
}

/// `run_finished`: the counts and how the run ended.
public struct RunSummary: Codable, Sendable, Equatable {
  /// Tests per verdict; every verdict is present, zero included.
  public var counts: [TestOutcome: Int]
  public var duration: Double
  public var interrupted: Interruption?
  /// djdash's own exit code for this run (0, 1, 2 or 130).
  public var exitCode: Int32
  /// The runner process' exit status, or the signal that ended it.
  public var runnerStatus: Int32?
  public var runnerSignal: Int32?
  /// Why the run could not start or did not end normally, for the user to read.
  public var problem: String?
  /// When the runner ended before finishing the run: the end of what it wrote to stderr,
  /// its last traceback (a crash's reason), or its last lines.
  public var runnerError: String?

  enum CodingKeys: String, CodingKey {
    case counts, duration, interrupted, problem
    case exitCode = "exit_code"
    case runnerStatus = "runner_status"
    case runnerSignal = "runner_signal"
    case runnerError = "runner_error"
  }

  public init(
    counts: [TestOutcome: Int], duration: Double, interrupted: Interruption?, exitCode: Int32,
    runnerStatus: Int32? = nil, runnerSignal: Int32? = nil, problem: String? = nil, runnerError: String? = nil
  ) {
    self.counts = Dictionary(uniqueKeysWithValues: TestOutcome.allCases.map { ($0, counts[$0] ?? 0) })
    self.duration = duration
    self.interrupted = interrupted
    self.exitCode = exitCode
    self.runnerStatus = runnerStatus
    self.runnerSignal = runnerSignal
    self.problem = problem
    self.runnerError = runnerError
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let raw = try c.decodeIfPresent([String: Int].self, forKey: .counts) ?? [:]
    counts = Dictionary(uniqueKeysWithValues: TestOutcome.allCases.map { ($0, raw[$0.rawValue] ?? 0) })
    duration = try c.decodeIfPresent(Double.self, forKey: .duration) ?? 0
    interrupted = try c.decodeIfPresent(Interruption.self, forKey: .interrupted)
    exitCode = try c.decodeIfPresent(Int32.self, forKey: .exitCode) ?? 0
    runnerStatus = try c.decodeIfPresent(Int32.self, forKey: .runnerStatus)
    runnerSignal = try c.decodeIfPresent(Int32.self, forKey: .runnerSignal)
    problem = try c.decodeIfPresent(String.self, forKey: .problem)
    runnerError = try c.decodeIfPresent(String.self, forKey: .runnerError)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    let raw = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
    try c.encode(raw, forKey: .counts)
    try c.encode(duration, forKey: .duration)
    try c.encode(interrupted, forKey: .interrupted)  // null when not interrupted
    try c.encode(exitCode, forKey: .exitCode)
    try c.encodeIfPresent(runnerStatus, forKey: .runnerStatus)
    try c.encodeIfPresent(runnerSignal, forKey: .runnerSignal)
    try c.encodeIfPresent(problem, forKey: .problem)
    try c.encodeIfPresent(runnerError, forKey: .runnerError)
  }

  /// Tests that failed or errored: the "failed" of the closing line.
  public var failed: Int { (counts[.fail] ?? 0) + (counts[.error] ?? 0) }
  public var total: Int { counts.values.reduce(0, +) }
}
