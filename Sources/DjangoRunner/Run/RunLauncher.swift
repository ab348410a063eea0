/// Carries out `LaunchPolicy` on the reactor: holds the warm runner (and the replaced
/// ones until they have ended) and the prepared runner, starts each run's session on the
/// route the policy gives, and tells the policy what happened. It decides nothing itself.
///
/// Used by the dashboard, the warm service and `djdash run --warm-check`; everything
/// happens on the reactor's thread.
public final class RunLauncher {
  public private(set) var policy: LaunchPolicy
  /// The current warm runner, if any.
  public private(set) var warm: WarmRunner?
  /// What the user is told of the warm runner changed.
  public var onStatusChange: ((WarmStatus?) -> Void)?
  /// The current warm runner's state changed (after the policy was told).
  public var onWarmStateChange: ((WarmRunner.State) -> Void)?
  /// A warm runner is replaced, and why.
  public var onWarmRunnerReplaced: ((String) -> Void)?
  /// Something the user should read.
  public var onNotice: ((String) -> Void)?
  /// `--warm-check`: run these labels cold; returns whether a run was asked for.
  public var onColdCheck: (([String]) -> Bool)?

  private let reactor: Reactor
  /// The plan of a run without labels, when one can be made: what a warm runner serves.
  private let unlabelled: () -> RunPlan?
  private lazy var preparer = PreparedRunner(reactor: reactor)
  /// Replaced warm runners, kept until they have ended (their databases torn down).
  private var retired: [WarmRunner] = []
  private var lastStatus: WarmStatus?

  /// - Parameter unlabelled: makes the plan of a run without labels (nil when it cannot
  ///   be made), asked whenever a warm or prepared runner may start.
  public init(reactor: Reactor, settings: LaunchPolicy.Settings, unlabelled: @escaping () -> RunPlan?) {
    self.reactor = reactor
    self.unlabelled = unlabelled
    policy = LaunchPolicy(settings: settings)
  }

  /// What the policy knows of the current warm runner.
  public var warmFacts: LaunchPolicy.WarmRunnerFacts? {
    warm.map {
      LaunchPolicy.WarmRunnerFacts(
        plan: $0.plan, state: $0.state, runs: $0.runs, isBusy: $0.isBusy, loadedTexts: $0.loadedTexts)
    }
  }

  /// Whether every retired warm runner has ended.
  public var haveRetiredRunnersEnded: Bool {
    retired.allSatisfy(\.hasExited)
  }

  /// Starts a run of `plan` on the policy's route and returns its session.
  ///
  /// - Parameters:
  ///   - onEvent: the session's events, from `run_started` (a prepared runner's held
  ///     ones first) to `run_finished`.
  ///   - beforeStart: sees the session before its first event is published.
  public func launch(
    _ plan: RunPlan, onEvent: @escaping (TimedEvent) -> Void, beforeStart: (RunSession) -> Void = { _ in }
  ) -> RunSession {
    let (route, actions) = policy.route(
      plan, warm: warmFacts, preparedFits: preparer.canTake(plan), unlabelled: unlabelled())
    perform(actions)
    switch route {
    case .warm:
      if let warm {
        let session = RunSession(plan: plan, reactor: reactor, onEvent: onEvent)
        beforeStart(session)
        session.start(in: warm, refreshing: policy.refreshing)
        return session
      }
    case .prepared:
      if let session = preparer.take(for: plan, onEvent: onEvent, beforeRunning: beforeStart) { return session }
    case .cold:
      break
    }
    let session = RunSession(plan: plan, reactor: reactor, onEvent: onEvent)
    beforeStart(session)
    session.start()
    return session
  }

  /// Why a run of `plan` would not be warm now, or nil.
  public func whyNotWarm(_ plan: RunPlan) -> String? {
    policy.whyNotWarm(plan, on: warmFacts)
  }

  /// A run launched here has finished: the policy moves on (a warm runner after the
  /// first run, the warm check).
  public func runFinished(_ session: RunSession) {
    perform(
      policy.runFinished(
        labels: session.plan.labels, wasWarm: session.isWarm, reports: session.tally.reports,
        wasInterrupted: session.summary?.interrupted != nil, unlabelled: unlabelled()))
  }

  /// The files of one debounced batch changed.
  public func filesChanged(_ paths: [String], isOverflow: Bool) {
    let facts = warmFacts
    var current: [String: String] = [:]
    if let facts, !isOverflow {
      let root = facts.plan.projectRoot.hasSuffix("/") ? facts.plan.projectRoot : facts.plan.projectRoot + "/"
      for path in paths where facts.loadedTexts[path] != nil {
        current[path] = try? String(contentsOfFile: root + path, encoding: .utf8)
      }
    }
    perform(
      policy.filesChanged(paths, isOverflow: isOverflow, warm: facts, current: current, unlabelled: unlabelled()))
  }

  /// A save began: a runner is prepared now, unless the warm runner will take the run.
  public func saveBegan(_ paths: [String]) {
    guard policy.preparesRunner(afterChanging: paths, warm: warmFacts) else { return }
    preparer.filesChanged(plan: unlabelled())
  }

  /// Starts (or replaces) the warm runner.
  public func replaceWarmRunner(because reason: String?) {
    perform(policy.replaceWarmRunner(because: reason, unlabelled: unlabelled()))
  }

  /// A run is about to be asked of the warm runner: replaced first if due for recycling.
  public func recycleWarmRunnerIfDue() {
    perform(policy.recycleIfDue(warm: warmFacts, unlabelled: unlabelled()))
  }

  /// Aborts the prepared runner, unseen.
  public func discardPreparedRunner() {
    preparer.discard()
  }

  /// Stops everything: the warm runner (it ends on its own, after tearing its databases
  /// down) and the prepared runner; none starts again.
  public func stop() {
    perform(policy.stop())
  }

  // MARK: carrying out

  private func perform(_ actions: [LaunchPolicy.Action]) {
    for action in actions {
      switch action {
      case .startWarmRunner(let plan, let reason):
        if let reason { onWarmRunnerReplaced?(reason) }
        let runner = WarmRunner(plan: plan, reactor: reactor)
        warm = runner
        runner.onStateChange = { [weak self, unowned runner] state in
          guard let self, self.warm === runner else { return }
          self.warmChanged(state)
        }
        // It may have failed already, before anyone listened.
        if runner.state != .starting { warmChanged(runner.state) }
      case .retireWarmRunner:
        retired.removeAll(where: \.hasExited)
        guard let warm else { continue }
        self.warm = nil
        warm.stop()
        retired.append(warm)
      case .replaceWarmRunnerLater(let reason):
        reactor.after(0) { [weak self] in self?.replaceWarmRunner(because: reason) }
      case .tellStartingWarmRunner(let paths):
        _ = warm?.staleness(afterChanging: paths)
      case .discardPreparedRunner:
        preparer.discard()
      case .runColdCheck(let labels):
        if onColdCheck?(labels) != true { policy.coldCheckNotStarted() }
      case .showNotice(let text):
        onNotice?(text)
      }
    }
    publishStatus()
  }

  private func warmChanged(_ state: WarmRunner.State) {
    perform(policy.warmRunnerChanged(to: state))
    onWarmStateChange?(state)
  }

  private func publishStatus() {
    let status = policy.status
    guard status != lastStatus else { return }
    lastStatus = status
    onStatusChange?(status)
  }
}
