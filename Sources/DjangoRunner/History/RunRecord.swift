import Foundation

/// One recorded run, as `djdash history` lists it.
public struct RunRecord: Sendable, Equatable {
  /// Which djdash command made the run.
  public enum Origin: String, Sendable, CaseIterable {
    case run, dashboard, hunt
  }

  /// How the run ended, as far as the history knows.
  public enum Ending: String, Sendable {
    /// Still streaming (or djdash died and the next start has not looked yet).
    case running
    case passed, failed
    /// Cut short: by Ctrl-C, or djdash itself ended mid-run (the problem says which).
    case interrupted
    /// The runner could not start or did not finish (the problem says why).
    case broken

    /// The ending of a finished run, from its summary.
    public init(_ summary: RunSummary) {
      if summary.interrupted != nil {
        self = .interrupted
      } else if summary.exitCode == 2 || (summary.problem != nil && summary.total == 0) {
        self = .broken
      } else {
        self = summary.exitCode == 0 ? .passed : .failed
      }
    }
  }

  public var id: Int64
  public var startedAt: Date
  public var origin: Origin
  public var labels: [String]
  public var command: [String]
  public var ending: Ending
  public var exitCode: Int32?
  public var duration: Double?
  /// Tests per verdict (every verdict present).
  public var counts: [TestOutcome: Int]
  public var problem: String?

  public init(
    id: Int64, startedAt: Date, origin: Origin, labels: [String], command: [String], ending: Ending,
    exitCode: Int32? = nil, duration: Double? = nil, counts: [TestOutcome: Int] = [:], problem: String? = nil
  ) {
    self.id = id
    self.startedAt = startedAt
    self.origin = origin
    self.labels = labels
    self.command = command
    self.ending = ending
    self.exitCode = exitCode
    self.duration = duration
    self.counts = Dictionary(uniqueKeysWithValues: TestOutcome.allCases.map { ($0, counts[$0] ?? 0) })
    self.problem = problem
  }

  public var total: Int { counts.values.reduce(0, +) }
}
