/// Watch mode's head start: a runner started the moment a save begins, so Python and
/// `django.setup()` run while the save's burst of file events settles (the debounce)
/// and the selection is made. It is handed its labels when the run is asked for, or
/// aborted unseen when the project changed again after it started (it may have read the
/// old files) or the run asked for is another.
public final class PreparedRunner {
  /// Changes this soon after the runner started cannot have been read by it yet: Python
  /// takes longer than this to start and import Django. They finish the save that
  /// started it (an editor's write, then its rename).
  public static let settleWindow = 0.03

  private let reactor: Reactor
  private var session: RunSession?
  private var startedAt = 0.0
  private var isStale = false
  /// Aborted runners, kept until they have ended (the reactor still serves them).
  private var discarded: [RunSession] = []

  public init(reactor: Reactor) {
    self.reactor = reactor
  }

  /// Whether a runner is prepared (fresh or not).
  public var isHolding: Bool { session != nil }

  /// Files changed: start a runner for `plan` (the plan of a run without labels) if none
  /// is prepared; a prepared one that has been up longer than `settleWindow` is stale.
  public func filesChanged(plan: @autoclosure () -> RunPlan?) {
    guard session == nil else {
      if reactor.clock.now() - startedAt > Self.settleWindow { isStale = true }
      return
    }
    guard var prepared = plan(), prepared.labels.isEmpty else { return }
    prepared.awaitsLabels = true
    let session = RunSession(plan: prepared, reactor: reactor) { _ in }
    self.session = session
    startedAt = reactor.clock.now()
    isStale = false
    session.start()
  }

  /// Whether a fresh runner is prepared for `plan`: `take(for:onEvent:)` would give it.
  public func canTake(_ plan: RunPlan) -> Bool {
    guard let session, !isStale, session.isAwaitingLabels else { return false }
    return session.plan.canBePrepared(for: plan)
  }

  /// The prepared runner, given `plan`'s labels and `onEvent`, if it was prepared for
  /// `plan` and is fresh; otherwise nil (and a prepared one is aborted).
  ///
  /// - Parameter beforeRunning: sees the session before its held events are published.
  public func take(
    for plan: RunPlan, onEvent: @escaping (TimedEvent) -> Void, beforeRunning: (RunSession) -> Void = { _ in }
  ) -> RunSession? {
    guard let session, canTake(plan) else {
      discard()
      return nil
    }
    self.session = nil
    session.onEvent = onEvent
    beforeRunning(session)
    session.run(labels: plan.labels, command: plan.arguments)
    return session
  }

  /// Aborts a prepared runner, unseen.
  public func discard() {
    discarded.removeAll(where: \.isFinished)
    guard let session else { return }
    self.session = nil
    session.abort()
    if !session.isFinished { discarded.append(session) }
  }
}
