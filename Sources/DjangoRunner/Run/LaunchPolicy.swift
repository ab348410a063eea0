/// The one place that decides how runs start and what becomes of the warm runner: the
/// route of each run (warm, prepared or cold, and why), when the warm runner is started,
/// replaced or retired, and `--warm-check` (a warm run followed by the same labels cold,
/// then the comparison). A value: it is told what happened and returns what to do;
/// `RunLauncher` carries that out on the reactor. The dashboard, the warm service and
/// `djdash run --warm-check` all launch through it, so warm behaviour changes here only.
///
/// It reads no clock and starts no process: what it needs to know of the warm runner
/// comes in as `WarmRunnerFacts`.
public struct LaunchPolicy: Sendable {
  /// What the user asked for.
  public struct Settings: Equatable, Sendable {
    /// A warm runner is kept at all (watch mode without `--cold`; the warm service).
    public var keepsWarmRunner: Bool
    /// `--warm-check`: every warm run is followed by the same labels cold, compared.
    public var checksWarm: Bool

    public init(keepsWarmRunner: Bool, checksWarm: Bool = false) {
      self.keepsWarmRunner = keepsWarmRunner
      self.checksWarm = checksWarm
    }
  }

  /// What the policy needs to know of the current warm runner, at the moment it decides.
  public struct WarmRunnerFacts: Equatable, Sendable {
    /// The plan it was started for (a run without labels).
    public var plan: RunPlan
    public var state: WarmRunner.State
    /// Runs it has forked so far.
    public var runs: Int
    /// A run it forked has not ended yet.
    public var isBusy: Bool
    /// The loaded files its children can refresh in function bodies, with their text as
    /// the server loaded it (project-relative path → text).
    public var loadedTexts: [String: String]

    public init(
      plan: RunPlan, state: WarmRunner.State, runs: Int = 0, isBusy: Bool = false, loadedTexts: [String: String] = [:]
    ) {
      self.plan = plan
      self.state = state
      self.runs = runs
      self.isBusy = isBusy
      self.loadedTexts = loadedTexts
    }
  }

  /// How a run starts.
  public enum Route: Equatable, Sendable {
    /// In a child forked from the warm runner.
    case warm
    /// In the runner prepared when the save began, given its labels now.
    case prepared
    /// In a new runner, and why not warm.
    case cold(because: String)
  }

  /// What the carrier does, in order.
  public enum Action: Equatable, Sendable {
    /// Start a warm runner for this plan (a run without labels); the current one, if
    /// any, was retired by an earlier action.
    case startWarmRunner(RunPlan, replacing: String?)
    /// Stop the current warm runner after its run, and keep it until it has ended (its
    /// test databases torn down).
    case retireWarmRunner
    /// The warm runner went stale: call `replaceWarmRunner(because:unlabelled:)` once the
    /// callback that said so has returned.
    case replaceWarmRunnerLater(because: String)
    /// Files changed while the warm runner starts: it checks them against what it loads.
    case tellStartingWarmRunner(changed: [String])
    /// Abort the prepared runner, unseen.
    case discardPreparedRunner
    /// `--warm-check`: ask for a cold run of these labels; `coldCheckNotStarted()` if none
    /// was asked for.
    case runColdCheck(labels: [String])
    /// Something the user should read.
    case showNotice(String)
  }

  /// The result of `--warm-check`: the same labels warm and cold.
  public enum CheckOutcome: Equatable, Sendable {
    /// Every verdict is the same, for this many tests.
    case agree(tests: Int)
    /// The tests whose verdicts differ, as `WarmCheck.differences` says them.
    case differ([String])

    public init(warm: [TestReport], cold: [TestReport]) {
      let differences = WarmCheck.differences(warm: warm, cold: cold)
      self = differences.isEmpty ? .agree(tests: warm.count) : .differ(differences)
    }
  }

  public let settings: Settings
  /// The current warm runner's state; nil while there is none.
  public private(set) var warmState: WarmRunner.State?
  /// Why the current warm runner replaced the one before, until it is ready.
  private var replacing: String?
  /// Why runs are never warm here (the plan cannot be served, a check found a difference).
  private var offReason: String?
  /// A warm check that agreed, until the warm runner's state changes.
  private var agreeing: Int?
  /// `--warm-check`: the warm run whose labels are to run cold next.
  private var awaitingColdCheck: (labels: [String], reports: [TestReport])?
  /// `--warm-check`: the warm run's results, while the cold run of its labels goes.
  private var comparingWith: [TestReport]?
  /// No warm runner is started again (the dashboard quit, the service ended).
  private var isStopped = false
  /// The loaded files that differ from their loaded text in function bodies only: each
  /// warm run's child refreshes them (sorted, project-relative).
  public private(set) var refreshing: [String] = []

  public init(settings: Settings) {
    self.settings = settings
  }

  /// What the user is told of the warm runner; nil when there is nothing to tell (no
  /// warm runner kept, or not started yet).
  public var status: WarmStatus? {
    if let offReason { return .off(offReason) }
    switch warmState {
    case nil: return nil
    case .starting?: return replacing.map(WarmStatus.restarting) ?? .starting
    case .ready?:
      if let agreeing { return .checked(agreeingTests: agreeing) }
      return refreshing.isEmpty ? .ready : .refreshing(refreshing)
    case .stale(let why)?: return .restarting(why)
    case .unavailable(let why)?: return .off(why)
    }
  }

  // MARK: routes

  /// Why a run of `plan` cannot be warm on `warm` now, or nil when it can.
  public static func whyNotWarm(_ plan: RunPlan, on warm: WarmRunnerFacts?, replacing: String? = nil) -> String? {
    if let why = WarmRunner.whyCannotServe(plan) { return why }
    guard let warm else { return "there is no warm runner" }
    switch warm.state {
    case .starting:
      return replacing.map { "the warm runner is restarting: \($0)" } ?? "the warm runner is starting"
    case .stale(let why): return "the warm runner is restarting: \(why)"
    case .unavailable(let why): return "the warm runner is unavailable: \(why)"
    case .ready:
      if warm.isBusy { return "the warm runner is busy with another run" }
      if plan.awaitsLabels { return "a prepared run is never warm" }
      if warm.runs >= WarmRunner.runsBeforeRecycling { return "the warm runner is due for recycling" }
      if !warm.plan.canBePrepared(for: plan) {
        return "the warm runner was started for another command, environment or options"
      }
      return nil
    }
  }

  /// Why a run of `plan` cannot be warm now (see `whyNotWarm(_:on:replacing:)`).
  public func whyNotWarm(_ plan: RunPlan, on warm: WarmRunnerFacts?) -> String? {
    if let offReason, WarmRunner.whyCannotServe(plan) == nil { return "warm runs are off: \(offReason)" }
    return Self.whyNotWarm(plan, on: warm, replacing: replacing)
  }

  /// A run of `plan` is asked for: its route, and what to do first. The cold half of a
  /// warm check runs cold; else warm if the warm runner can serve it; else the prepared
  /// runner if it was prepared for it (`preparedFits`); else a new runner. A ready warm
  /// runner that cannot serve it (other `-k` patterns, due for recycling) is replaced for
  /// the runs after it.
  ///
  /// - Parameter unlabelled: the plan of a run without labels, for a new warm runner.
  public mutating func route(
    _ plan: RunPlan, warm: WarmRunnerFacts?, preparedFits: Bool, unlabelled: @autoclosure () -> RunPlan?
  ) -> (route: Route, actions: [Action]) {
    let check = awaitingColdCheck
    awaitingColdCheck = nil
    comparingWith = nil
    if let check, check.labels == plan.labels {
      comparingWith = check.reports
      return (.cold(because: "the cold half of a warm check"), [.discardPreparedRunner])
    }
    guard let why = whyNotWarm(plan, on: warm) else { return (.warm, [.discardPreparedRunner]) }
    var actions: [Action] = []
    if let warm, case .ready = warm.state, !warm.isBusy {
      let reason = warm.runs >= WarmRunner.runsBeforeRecycling ? "recycled after \(warm.runs) runs" : nil
      actions += replaceWarmRunner(because: reason, unlabelled: unlabelled())
    }
    if preparedFits { return (.prepared, actions) }
    return (.cold(because: why), actions + [.discardPreparedRunner])
  }

  /// A save began (its batch is still settling): whether to start a prepared runner now.
  /// Not when the warm runner will take the run (nothing it loaded is among `paths`).
  /// A loaded file its children can refresh counts as one it will take (its text is
  /// read once the save has settled).
  public func preparesRunner(afterChanging paths: [String], warm: WarmRunnerFacts?) -> Bool {
    guard let warm, offReason == nil, case .ready(let loaded) = warm.state else { return true }
    return Self.staleness(of: paths.filter { warm.loadedTexts[$0] == nil }, loaded: loaded) != nil
  }

  // MARK: the warm runner's life

  /// Why changing `paths` (relative to the project root) makes a warm runner that loaded
  /// `loaded` stale, or nil: a migration, what installs and configures the project, or a
  /// file it loaded — unless the file is refreshable (its text as loaded is in
  /// `loadedTexts`) and its current text (`current`) differs from that in function
  /// bodies only (`whyNotRefreshable`): then each child refreshes it instead.
  public static func staleness(
    of paths: [String], loaded: Set<String>, loadedTexts: [String: String] = [:], current: [String: String] = [:]
  ) -> String? {
    for path in paths {
      if ProjectFileKind.of(path) == .migration { return "\(path) changes the test database" }
      if TestSelector.isInstallOrConfigFile(path) { return "\(path) installs or configures the project" }
      guard loaded.contains(path) else { continue }
      guard let before = loadedTexts[path] else { return "\(path) was loaded at start-up (settings, models, apps)" }
      if let why = whyNotRefreshable(path, loaded: before, current: current[path]) {
        return "\(path) was loaded at start-up and \(why)"
      }
    }
    return nil
  }

  /// Why a warm child cannot refresh `path`, loaded as `loaded` and now `current` (nil:
  /// unreadable), or nil when it can: only function and method bodies differ
  /// (`DefinitionDiff.isBodyOnly`). Which kind of file it is does not matter: a body
  /// that ran while the server started (an app's `ready()`, a decorator, a function
  /// called at import) is refused by the server itself, which recorded what ran.
  public static func whyNotRefreshable(_ path: String, loaded: String, current: String?) -> String? {
    guard let current else { return "cannot be read now" }
    let diff = DefinitionDiff(old: loaded, new: current)
    guard diff.isBodyOnly else { return "changed outside function bodies (\(diff.moduleLevelChanges[0]))" }
    return nil
  }

  /// Starts a warm runner, retiring the current one: the first after a run, or a
  /// replacement (`reason`). Nothing when warm runs are not kept, are off, or cannot
  /// serve `unlabelled` (then the status says why).
  public mutating func replaceWarmRunner(because reason: String?, unlabelled: @autoclosure () -> RunPlan?)
    -> [Action]
  {
    guard settings.keepsWarmRunner, offReason == nil, !isStopped, let plan = unlabelled() else { return [] }
    var actions = retireWarmRunner()
    if let why = WarmRunner.whyCannotServe(plan) {
      offReason = why
      return actions
    }
    warmState = .starting
    replacing = reason
    agreeing = nil
    refreshing = []
    actions.append(.startWarmRunner(plan, replacing: reason))
    return actions
  }

  /// A run is about to be asked of the warm runner (the warm service): one that has
  /// served `WarmRunner.runsBeforeRecycling` runs is replaced first.
  public mutating func recycleIfDue(warm: WarmRunnerFacts?, unlabelled: @autoclosure () -> RunPlan?) -> [Action] {
    guard let warm, case .ready = warm.state, warm.runs >= WarmRunner.runsBeforeRecycling else { return [] }
    return replaceWarmRunner(because: "recycled after \(warm.runs) runs", unlabelled: unlabelled())
  }

  /// Stops the current warm runner (kept by the carrier until it has ended).
  public mutating func retireWarmRunner() -> [Action] {
    guard warmState != nil else { return [] }
    warmState = nil
    return [.retireWarmRunner]
  }

  /// The end: the warm runner retired, and none started again.
  public mutating func stop() -> [Action] {
    isStopped = true
    return retireWarmRunner() + [.discardPreparedRunner]
  }

  /// The current warm runner's state changed.
  public mutating func warmRunnerChanged(to state: WarmRunner.State) -> [Action] {
    guard warmState != nil else { return [] }
    warmState = state
    agreeing = nil
    switch state {
    case .ready:
      replacing = nil
      refreshing = []
    case .stale(let why): return [.replaceWarmRunnerLater(because: why)]
    case .starting, .unavailable: break
    }
    return []
  }

  /// Files changed (one debounced batch): the warm runner is replaced when a fork
  /// cannot refresh them, when there were too many to follow, or when it could not start
  /// (the change may be the fix). A loaded file changed in function bodies only is
  /// refreshed by each warm run's child from now on (`refreshing`); one back to its
  /// loaded text is not.
  ///
  /// - Parameter current: the text now of each changed file in `warm.loadedTexts`
  ///   (absent: it cannot be read).
  public mutating func filesChanged(
    _ paths: [String], isOverflow: Bool, warm: WarmRunnerFacts?, current: [String: String] = [:],
    unlabelled: @autoclosure () -> RunPlan?
  ) -> [Action] {
    guard let warm, warmState != nil else { return [] }
    let reason: String?
    switch warm.state {
    case .unavailable(let why):
      reason = "the project changed since it failed (\(why.prefix(200)))"
    case _ where isOverflow:
      reason = "too many changes at once to follow"
    case .ready(let loaded):
      reason = Self.staleness(of: paths, loaded: loaded, loadedTexts: warm.loadedTexts, current: current)
      if reason == nil {
        var files = Set(refreshing)
        for path in paths where loaded.contains(path) {
          if current[path] == warm.loadedTexts[path] { files.remove(path) } else { files.insert(path) }
        }
        refreshing = files.sorted()
      }
    case .starting:
      return [.tellStartingWarmRunner(changed: paths)]
    case .stale:
      reason = nil
    }
    guard let reason else { return [] }
    return replaceWarmRunner(because: reason, unlabelled: unlabelled())
  }

  // MARK: runs ending

  /// A run ended: a warm runner is started if there is none (the first run is never
  /// warm: the warm runner starts after it, so it does not slow it), and `--warm-check`
  /// moves on: after a warm run, its labels cold; after that cold run, the comparison.
  /// A difference turns warm runs off and says which tests differ.
  public mutating func runFinished(
    labels: [String], wasWarm: Bool, reports: [TestReport], wasInterrupted: Bool,
    unlabelled: @autoclosure () -> RunPlan?
  ) -> [Action] {
    var actions: [Action] = []
    if warmState == nil { actions += replaceWarmRunner(because: nil, unlabelled: unlabelled()) }
    let warmReports = comparingWith
    comparingWith = nil
    guard settings.checksWarm, !wasInterrupted else { return actions }
    if let warmReports {
      switch CheckOutcome(warm: warmReports, cold: reports) {
      case .agree(let count):
        if case .ready? = warmState, offReason == nil { agreeing = count }
      case .differ(let differences):
        actions += retireWarmRunner()
        offReason = "\(differences.count) verdicts differed from cold: \(differences.prefix(3).joined(separator: "; "))"
        actions.append(
          .showNotice("warm and cold runs differ (\(differences.count) tests): warm runs are off; w for more"))
      }
    } else if wasWarm {
      awaitingColdCheck = (labels, reports)
      actions.append(.runColdCheck(labels: labels))
    }
    return actions
  }

  /// The cold run a warm check asked for was not started (another run goes, or was
  /// asked for): the check is dropped.
  public mutating func coldCheckNotStarted() {
    awaitingColdCheck = nil
  }
}
