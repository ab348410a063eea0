import Foundation

/// What a hunt, or the dashboard's safety net, found about a test.
public struct RecordedFinding: Sendable, Equatable {
  /// The kind of a test the selection for a save left out and the rest found failing.
  public static let selectionMiss = "selection-miss"

  public var foundAt: Date
  /// `order-dependent`, `flaky` or `unexplained` (hunts); `selection-miss`.
  public var kind: String
  public var victim: String
  public var polluter: String?
  public var detail: String
}
