/// When the recorder writes its buffered results: at most every `interval` seconds or
/// every `batchSize` results, whichever comes first. Batching keeps recording cheap
/// (one transaction per batch); the interval bounds what a SIGKILL can lose.
///
/// Pure: the caller passes the time, so it is tested without a clock.
public struct FlushPolicy: Sendable, Equatable {
  public var interval: Double
  public var batchSize: Int
  public private(set) var pending = 0
  /// When the oldest unwritten result arrived; nil when nothing waits.
  public private(set) var oldestPendingAt: Double?

  public init(interval: Double = 0.5, batchSize: Int = 500) {
    self.interval = interval
    self.batchSize = batchSize
  }

  /// What the recorder should do after a result arrived.
  public enum Decision: Sendable, Equatable {
    /// Write everything buffered now.
    case flushNow
    /// Write at this time at the latest (arm a timer, if none is armed).
    case flushBy(Double)
  }

  /// A result was buffered at `now`.
  public mutating func resultBuffered(at now: Double) -> Decision {
    pending += 1
    let oldest = oldestPendingAt ?? now
    oldestPendingAt = oldest
    if pending >= batchSize || now - oldest >= interval { return .flushNow }
    return .flushBy(oldest + interval)
  }

  /// The buffer was written.
  public mutating func flushed() {
    pending = 0
    oldestPendingAt = nil
  }
}
