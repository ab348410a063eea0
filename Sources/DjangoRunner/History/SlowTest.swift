/// A test among the slowest, with its durations over recent runs: the slowest-tests
/// view and `djdash history` show the figure and its trend.
public struct SlowTest: Sendable, Equatable {
  public var id: String
  /// Seconds, oldest run first; the last is the latest verdict's.
  public var durations: [Double]

  public init(id: String, durations: [Double]) {
    self.id = id
    self.durations = durations
  }

  public var latest: Double { durations.last ?? 0 }

  /// Which way the test is going: the latest duration against the mean of the ones
  /// before it, with a 20 % dead band so noise reads as steady.
  public var trend: Trend {
    guard durations.count > 1 else { return .steady }
    let earlier = durations.dropLast()
    let mean = earlier.reduce(0, +) / Double(earlier.count)
    if latest > mean * 1.2 && latest - mean > 0.005 { return .slower }
    if latest < mean / 1.2 && mean - latest > 0.005 { return .faster }
    return .steady
  }

  /// The direction of a test's durations.
  public enum Trend: Sendable, Equatable {
    case slower, steady, faster
  }
}
