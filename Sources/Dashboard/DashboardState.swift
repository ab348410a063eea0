import DjangoRunner

/// Which part of the screen has the keys.
public enum Screen: Equatable, Sendable {
  case list
  case detail
}

/// The detail view's tabs, in Tab order.
public enum DetailTab: Int, CaseIterable, Sendable {
  case traceback, sql, mail, output

  public var title: String {
    switch self {
    case .traceback: return "Traceback"
    case .sql: return "SQL"
    case .mail: return "Mail"
    case .output: return "Output"
    }
  }
}

/// How the test list is ordered.
public enum ListOrder: Equatable, Sendable {
  case failuresFirst
  case runOrder
}

/// A line of text being typed at the bottom of the screen.
public struct Prompt: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// `/`: filters the list as you type.
    case filter
    /// `t`: a test name pattern (`-k`) for the next runs.
    case testName
  }
  public var kind: Kind
  public var text: String
}

/// One row of the test list: a group header or a test.
public enum Row: Equatable, Sendable {
  /// `level` 0 app, 1 module, 2 class; `end` is the row after its last member.
  case group(level: Int, title: String, end: Int)
  /// An index into `DashboardState.tests`.
  case test(Int)
}

/// The current (or last) run as the header shows it.
public struct RunStatus: Equatable, Sendable {
  public enum Phase: Equatable, Sendable {
    case idle
    case running
    case stopping
    case finished(RunSummary)
  }
  public var phase: Phase = .idle
  public var labels: [String] = []
  public var command: [String] = []
  /// The dashboard clock when the run started.
  public var startedAt = 0.0
  public var duration = 0.0
  /// Tests in the plan, once Django has built the suite.
  public var planned: Int?
  public var counts: [TestOutcome: Int] = [:]
  public var done: Int { counts.values.reduce(0, +) }
  public var isActive: Bool { phase == .running || phase == .stopping }
  /// A run was asked for and has not reported `run_started` yet: a save now must
  /// queue, not start a second run.
  public var isStartRequested = false
  /// The run is a child of the warm server (Django and the test databases were ready).
  public var isWarm = false
  /// Running, stopping, or about to start.
  public var isBusy: Bool { isActive || isStartRequested }
  /// Why it was asked for (a selection, the rest of the suite, …).
  public var purpose: RunPurpose = .other
}

/// Everything the dashboard shows and remembers. Only the reducer (`apply`) changes it;
/// the view is a pure function of it.
public struct DashboardState: Sendable {
  // What the dashboard is about.
  public internal(set) var projectName: String
  public internal(set) var projectRoot: String
  /// What `a` runs: the labels the dashboard was opened with (none: everything).
  public internal(set) var scopeLabels: [String]
  /// What `r` reruns.
  public internal(set) var lastLabels: [String]
  /// `-k` patterns from `t`, applied to every run until cleared.
  public internal(set) var testNamePatterns: [String]
  /// The interpreter runs use and why it was chosen (the header says it): from the
  /// dashboard's first plan, then from each run's `run_started`.
  public internal(set) var interpreter: PythonChoice?
  public internal(set) var glyphs: Glyphs
  public internal(set) var width: Int
  public internal(set) var height: Int
  /// The dashboard clock, in seconds, as of the last action.
  public internal(set) var now = 0.0

  public internal(set) var run = RunStatus()
  public private(set) var tests: [TestEntry] = []
  public private(set) var index: [String: Int] = [:]
  private var nextOrder = 0
  var groups = GroupTable()
  /// Positions in `tests`, sorted by `order`.
  var byOrder: [Int] = []
  /// The row of each position in `tests`, -1 when not shown.
  var rowOfPosition: [Int] = []
  /// What the runner printed outside tests, last lines only: shown when a run has no tests.
  public internal(set) var runnerLog: [String] = []
  /// A short message under the list ("stopping after the running tests…").
  public internal(set) var notice: String?
  /// The last run found a file that does not compile: shown as a code frame under the
  /// list until the next run starts; `e` opens the editor there.
  public internal(set) var syntaxError: SyntaxFrame?

  // The list.
  public internal(set) var order: ListOrder = .failuresFirst
  public internal(set) var filter = ""
  public internal(set) var rows: [Row] = []
  var rowsAreStale = true
  public internal(set) var selectedID: String?
  /// The cursor is on the header: Enter reruns the last selection.
  public internal(set) var isHeaderSelected = false
  public internal(set) var listScroll = 0
  /// The user moved the cursor; until then it follows the first failure.
  var hasUserMoved = false

  // The detail view.
  public internal(set) var screen: Screen = .list
  public internal(set) var tab: DetailTab = .traceback
  public internal(set) var detailScroll = 0
  public internal(set) var detail: [StyledLine] = []
  /// Source files by path, for the traceback's excerpts.
  public internal(set) var sources: [String: [String]] = [:]
  var requestedSources: Set<String> = []

  /// After a green selection run, the rest of the suite (`then-rest`, `R`).
  public internal(set) var safetyNet: SafetyNet
  /// The purpose of the run asked for, until its `run_started`.
  var requestedPurpose: RunPurpose = .other

  public internal(set) var isHelpShown = false
  /// Watch mode: nil when the dashboard does not watch the project.
  public internal(set) var watching: WatchState?
  /// The run history's last state and slowest tests (see DashboardState+History).
  public internal(set) var history = HistorySnapshot()
  public internal(set) var isSlowestShown = false
  public internal(set) var prompt: Prompt?
  /// Quit when the current run has finished.
  public internal(set) var isQuitting = false
  var interruptions = 0

  public init(
    projectName: String, projectRoot: String, scopeLabels: [String], testNamePatterns: [String] = [],
    glyphs: Glyphs = .unicode, width: Int = 80, height: Int = 24, interpreter: PythonChoice? = nil,
    watching: WatchState? = nil, safetyNet: SafetyNet = SafetyNet()
  ) {
    self.interpreter = interpreter
    self.watching = watching
    self.safetyNet = safetyNet
    self.projectName = projectName
    self.projectRoot = projectRoot
    self.scopeLabels = scopeLabels
    self.lastLabels = scopeLabels
    self.testNamePatterns = testNamePatterns
    self.glyphs = glyphs
    self.width = width
    self.height = height
  }

  public var selectedEntry: TestEntry? { selectedID.flatMap { index[$0] }.map { tests[$0] } }

  /// Labels of the tests whose latest verdict fails the run, each once.
  public var failedLabels: [String] {
    var seen = Set<String>()
    return tests.sorted { $0.order < $1.order }.filter(\.hasFailed).map(\.label).filter { seen.insert($0).inserted }
  }

  // MARK: tests

  /// The entry for `id`, added (at the end of the order) if new.
  mutating func entryIndex(for id: String, kind: TestKind = .test) -> Int {
    if let existing = index[id] { return existing }
    // Built in place: a TestEntry is large, and copying one in costs a retain per field.
    let position = tests.count
    tests.append(TestEntry(id: id, kind: kind, order: nextOrder))
    tests[position].group = groups.group(for: tests[position].path)
    nextOrder += 1
    index[id] = position
    byOrder.append(position)
    rowsAreStale = true
    return position
  }

  /// Room for at least `count` tests, so that a large plan or history grows the tests and
  /// their index once instead of a dozen times, each copying every entry or rehashing
  /// every id.
  mutating func reserveRoom(forTests count: Int) {
    tests.reserveCapacity(count)
    index.reserveCapacity(count)
    byOrder.reserveCapacity(count)
  }

  mutating func update(_ position: Int, _ change: (inout TestEntry) -> Void) {
    // On the entry in place: reading `tests[position]` copies the whole (large) entry.
    func changesFailing(_ entry: inout TestEntry) -> Bool {
      let hadFailed = entry.hasFailed
      change(&entry)
      return entry.hasFailed != hadFailed
    }
    if changesFailing(&tests[position]) && order == .failuresFirst { rowsAreStale = true }
  }

  /// A new plan: its tests take its order; the others keep theirs, after it.
  mutating func plan(_ ids: [String]) {
    let planned = ids.count
    reserveRoom(forTests: planned)
    var inPlan = [Bool](repeating: false, count: tests.count + ids.count)
    var planPositions: [Int] = []
    planPositions.reserveCapacity(planned)
    for (rank, id) in ids.enumerated() {
      let entry = entryIndex(for: id)
      planPositions.append(entry)
      inPlan[entry] = true
      tests[entry].order = rank
      tests[entry].isPending = true
      tests[entry].isStale = false
    }
    for position in tests.indices where !inPlan[position] {
      tests[position].order = planned + tests[position].order
      if tests[position].outcome != nil { tests[position].isStale = true }
      tests[position].isPending = false
    }
    // Keep order numbers small and dense. Sorted by order, without sorting: the plan's
    // tests by rank (an id listed twice keeps its last rank), then the others as they
    // were, since `byOrder` holds them by their old order.
    let sorted =
      planPositions.enumerated().filter { rank, position in tests[position].order == rank }.map(\.element)
      + byOrder.filter { !inPlan[$0] }
    for (rank, position) in sorted.enumerated() { tests[position].order = rank }
    byOrder = sorted
    nextOrder = tests.count
    rowsAreStale = true
  }
}
