import Foundation

/// What a hunt found about a test.
public struct RecordedFinding: Sendable, Equatable {
  public var foundAt: Date
  /// `order-dependent`, `flaky` or `unexplained`.
  public var kind: String
  public var victim: String
  public var polluter: String?
  public var detail: String
}
