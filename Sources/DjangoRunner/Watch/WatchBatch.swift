/// The files of the project that changed in one burst of activity: what the dashboard
/// reruns tests for.
public struct WatchBatch: Equatable, Sendable {
  /// Changed, created, deleted or renamed paths (a rename gives both names), relative to
  /// the project root, `/`-separated, sorted, each once. A folder's path here means the
  /// folder was moved away or out of sight: anything below it may have changed.
  public var paths: [String]
  /// True when events were lost (the kernel's queue overflowed, or watching switched to
  /// polling): `paths` is incomplete and anything may have changed.
  public var isOverflow: Bool

  public init(paths: [String], isOverflow: Bool = false) {
    self.paths = paths
    self.isOverflow = isOverflow
  }
}
