import Foundation

/// The last known verdict of one test, as the history keeps it: what the dashboard
/// shows (stale) before the test runs again, and what `--failed` reruns.
public struct TestRecord: Sendable, Equatable {
  public var id: String
  public var kind: TestKind
  public var outcome: TestOutcome
  public var duration: Double
  /// The exception and the first line of its message, for a failure; nil otherwise.
  public var summary: String?
  /// The run that produced this verdict.
  public var runID: Int64
  /// How often the verdict changed between runs while the test's file stayed the same.
  public var flips: Int

  public init(
    id: String, kind: TestKind = .test, outcome: TestOutcome, duration: Double, summary: String? = nil,
    runID: Int64, flips: Int = 0
  ) {
    self.id = id
    self.kind = kind
    self.outcome = outcome
    self.duration = duration
    self.summary = summary
    self.runID = runID
    self.flips = flips
  }

  /// Whether the verdict has changed without a change to the test's file: a flaky test.
  public var isFlipping: Bool { flips > 0 }

  /// The failure summary kept for a report: the exception and the first line of the
  /// message, at most 500 characters, so the history stays small.
  public static func summary(of report: TestReport) -> String? {
    guard report.outcome.failsTheRun else { return nil }
    let first = report.message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
    let text = [report.exception, first.isEmpty ? nil : first].compactMap { $0 }.joined(separator: ": ")
    if text.isEmpty { return report.outcome == .xpass ? "unexpected success" : nil }
    return text.count > 500 ? String(text.prefix(499)) + "…" : text
  }
}
