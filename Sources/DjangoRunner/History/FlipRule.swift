/// Decides whether a new verdict is a flip: the test went from passing to failing (or
/// back) while its file stayed the same, so nothing in the test explains the change.
/// A change after an edit of the file is the developer's doing, not flakiness.
public enum FlipRule {
  /// What the history knew of a test before this result.
  public struct Verdict: Sendable, Equatable {
    public var failed: Bool
    /// The test file's fingerprint when it ran; nil when the file was not found.
    public var fingerprint: String?

    public init(failed: Bool, fingerprint: String?) {
      self.failed = failed
      self.fingerprint = fingerprint
    }
  }

  /// - Returns: true when `next` differs from `previous` in failing and both ran the
  ///   same, known file.
  public static func isFlip(from previous: Verdict?, to next: Verdict) -> Bool {
    guard let previous, let before = previous.fingerprint, let after = next.fingerprint else { return false }
    return before == after && previous.failed != next.failed
  }
}
