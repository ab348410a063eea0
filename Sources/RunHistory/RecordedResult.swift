import DjangoRunner
import Foundation

/// One verdict of one test in one recorded run: a line of `djdash history TEST_ID`.
public struct RecordedResult: Sendable, Equatable {
  public var runID: Int64
  public var startedAt: Date
  public var origin: RunRecord.Origin
  public var outcome: TestOutcome
  public var duration: Double
  public var summary: String?
  /// The test file's fingerprint when it ran (mtime and size); nil when not found.
  public var fingerprint: String?
}
