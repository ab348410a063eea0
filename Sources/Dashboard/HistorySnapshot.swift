import DjangoRunner

/// What the run history knows when the dashboard opens or a run ends: every test's
/// last verdict and the slowest tests over recent runs.
public struct HistorySnapshot: Equatable, Sendable {
  public var records: [TestRecord]
  public var slowest: [SlowTest]

  public init(records: [TestRecord] = [], slowest: [SlowTest] = []) {
    self.records = records
    self.slowest = slowest
  }
}
