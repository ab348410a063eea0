/// The results of a run so far: every finished test in arrival order and the counts.
public struct RunTally: Sendable {
  public private(set) var reports: [TestReport] = []
  public private(set) var counts: [TestOutcome: Int] = [:]
  private var indexByID: [String: Int] = [:]

  public init() {}

  /// Records a finished test. A second report for the same id replaces the first.
  public mutating func record(_ report: TestReport) {
    if let index = indexByID[report.id] {
      counts[reports[index].outcome, default: 0] -= 1
      reports[index] = report
    } else {
      indexByID[report.id] = reports.count
      reports.append(report)
    }
    counts[report.outcome, default: 0] += 1
  }

  /// Forgets a test's result: Django never counted it (`tests_discarded`). Nothing
  /// happens for a test without one.
  public mutating func discard(_ id: String) {
    guard let index = indexByID.removeValue(forKey: id) else { return }
    counts[reports[index].outcome, default: 0] -= 1
    reports.remove(at: index)
    for later in reports[index...] { indexByID[later.id, default: 0] -= 1 }
  }

  public func report(for id: String) -> TestReport? {
    indexByID[id].map { reports[$0] }
  }

  /// Whether any test failed the run in Django's terms (fail, error, unexpected success).
  public var hasFailures: Bool {
    counts.contains { $0.key.failsTheRun && $0.value > 0 }
  }

  /// Failed and errored tests, in the order they finished.
  public var failures: [TestReport] {
    reports.filter { $0.outcome == .fail || $0.outcome == .error || $0.outcome == .xpass }
  }
}
