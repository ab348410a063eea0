import DjangoRunner
import Foundation

/// Records a run into the history as it streams: a consumer of the run's
/// `TimedEvent`s, like the `--events` writer. Results are buffered and committed in
/// batches (`FlushPolicy`: every half second or 500 results), so recording costs little
/// and a SIGKILL of djdash loses at most the last half second.
///
/// Runs on the reactor's thread. A write that fails stops the recording (the run goes
/// on) and `problem` says why.
public final class HistoryRecorder {
  private let store: HistoryStore
  private let origin: RunRecord.Origin
  private let projectRoot: String
  private let updatesLastState: Bool
  private let reactor: Reactor?
  private let clock: any Clock
  private let wallClock: @Sendable () -> Date
  private var policy: FlushPolicy
  private var buffer: [PendingResult] = []
  private var runID: Int64?
  private var timer: Int?
  private var verdicts: [String: (verdict: FlipRule.Verdict, flips: Int)]?
  /// Each test's entry in `verdicts` before this run's result changed it (nil: it had
  /// none), to put back when the result is discarded.
  private var verdictsBeforeRun: [String: (verdict: FlipRule.Verdict, flips: Int)?] = [:]
  /// Module file fingerprints of this run, by the test id's parent (its class).
  private var fingerprints: [Substring: String?] = [:]
  /// Why recording stopped, if it did.
  public private(set) var problem: String?
  /// Called once when recording stops on an error, with the reason.
  public var onProblem: ((String) -> Void)?

  /// - Parameters:
  ///   - origin: the command recording (a hunt's runs do not move the tests' last state:
  ///     their orders are chosen to make tests fail).
  ///   - reactor: arms the flush timer; without one, results wait for the next event
  ///     or `flush()`.
  public init(
    store: HistoryStore, origin: RunRecord.Origin, projectRoot: String, reactor: Reactor?,
    policy: FlushPolicy = FlushPolicy(), clock: any Clock = MonotonicClock(),
    wallClock: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.store = store
    self.origin = origin
    self.projectRoot = projectRoot
    self.updatesLastState = origin != .hunt
    self.reactor = reactor
    self.policy = policy
    self.clock = clock
    self.wallClock = wallClock
  }

  /// Takes one event of the run.
  public func record(_ timed: TimedEvent) {
    guard problem == nil else { return }
    switch timed.event {
    case .runStarted(let start):
      flush()
      attempt { runID = try store.beginRun(start, origin: origin, at: wallClock().addingTimeInterval(-timed.t)) }
      fingerprints = [:]
      verdictsBeforeRun = [:]
    case .testFinished(let report):
      buffer(report, at: timed.t)
    case .testsDiscarded(let discarded):
      discard(discarded.tests)
    case .runFinished(let summary):
      flush()
      if let runID { attempt { try store.finishRun(runID, summary: summary) } }
      runID = nil
    default:
      break
    }
  }

  /// Writes everything buffered now.
  public func flush() {
    if let timer { reactor?.cancel(timer) }
    timer = nil
    policy.flushed()
    guard !buffer.isEmpty else { return }
    let batch = buffer
    buffer = []
    attempt { try store.write(batch, updatesLastState: updatesLastState) }
  }

  private func buffer(_ report: TestReport, at t: Double) {
    guard let runID else { return }
    if verdicts == nil {
      attempt { verdicts = updatesLastState ? try store.lastVerdicts() : [:] }
    }
    let fingerprint = fingerprint(of: report.id)
    let verdict = FlipRule.Verdict(failed: report.outcome.failsTheRun, fingerprint: fingerprint)
    let previous = verdicts?[report.id]
    let flips = (previous?.flips ?? 0) + (FlipRule.isFlip(from: previous?.verdict, to: verdict) ? 1 : 0)
    if updatesLastState {
      if verdictsBeforeRun.index(forKey: report.id) == nil { verdictsBeforeRun[report.id] = .some(previous) }
      verdicts?[report.id] = (verdict, flips)
    }
    buffer.append(
      PendingResult(
        runID: runID, testID: report.id, kind: report.kind, outcome: report.outcome, duration: report.duration,
        at: t, summary: TestRecord.summary(of: report), fingerprint: fingerprint, flips: flips))
    switch policy.resultBuffered(at: clock.now()) {
    case .flushNow:
      flush()
    case .flushBy(let deadline):
      guard timer == nil, let reactor else { return }
      timer = reactor.after(max(0, deadline - clock.now())) { [weak self] in
        self?.timer = nil
        self?.flush()
      }
    }
  }

  /// Django never counted these tests (`tests_discarded`): what this run recorded of
  /// them is taken back, and their last state is what it was before.
  private func discard(_ ids: [String]) {
    guard let runID else { return }
    let discarded = Set(ids)
    buffer.removeAll { discarded.contains($0.testID) }
    flush()
    var flips: [String: Int] = [:]
    for id in ids {
      guard let before = verdictsBeforeRun.removeValue(forKey: id) else { continue }
      verdicts?[id] = before
      flips[id] = before?.flips ?? 0
    }
    attempt { try store.discard(ids, of: runID, flips: flips) }
  }

  private func fingerprint(of id: String) -> String? {
    let parent = id.lastIndex(of: ".").map { id[..<$0] } ?? id[...]
    if let known = fingerprints[parent] { return known }
    let found = FileFingerprint.moduleFile(of: id, root: projectRoot).flatMap(FileFingerprint.of(path:))
    fingerprints.updateValue(found, forKey: parent)
    return found
  }

  private func attempt(_ work: () throws -> Void) {
    guard problem == nil else { return }
    do {
      try work()
    } catch {
      let reason = "stopped recording the run history (\(store.path)): \(error)"
      problem = reason
      buffer = []
      onProblem?(reason)
    }
  }
}
