/// Gathers file changes into batches, so one save, or a formatter rewriting 40 files,
/// reruns the tests once. A batch is due when no change came for `quiet` seconds, or
/// `maxDelay` seconds after its first change, whichever comes first — a steady stream
/// of changes still yields a batch every `maxDelay`.
///
/// A save after a calm spell need not wait the whole quiet time: with `eagerAfter`, a
/// batch whose first change comes that many seconds after the last one ends after
/// `eagerQuiet` of calm instead, once every path in it is a file that was there before,
/// whole again (written and closed, or renamed into place) — an editor's save takes a
/// millisecond or two, a formatter's burst of files not much more. A path removed
/// mid-save waits for its new version; a new file may be an editor's temporary one, and
/// waits to be renamed away or for the quiet time.
///
/// A value with no clock inside: the caller passes the time in, asks for `deadline`
/// (when to look again) and takes the batch once it is due.
public struct ChangeDebouncer: Sendable {
  /// Seconds without a change after which the batch is due.
  public let quiet: Double
  /// Seconds after a batch's first change after which it is due whatever comes.
  public let maxDelay: Double
  /// Seconds of calm after which a batch of whole files ends after `eagerQuiet`; nil
  /// waits `quiet` for every batch.
  public let eagerAfter: Double?
  /// The quiet time of a batch begun after a calm spell, once its files are whole.
  public let eagerQuiet: Double

  private var paths: Set<String> = []
  /// Paths that did not exist when the last batch was taken; if they go again before
  /// the next, they were temporary files (an editor's, a tool's) and are not reported.
  private var created: Set<String> = []
  /// Paths removed in this batch and not written again since.
  private var removed: Set<String> = []
  private var isOverflow = false
  /// Whether this batch began after a calm spell of `eagerAfter`.
  private var isEager = false
  /// The time of the last change seen, in any batch.
  private var lastSeen: Double?
  private var firstChange: Double?
  private var lastChange: Double?

  /// - Parameters:
  ///   - quiet: Seconds of calm that end a batch.
  ///   - maxDelay: The longest a change waits for its batch.
  ///   - eagerAfter: Seconds of calm after which a batch of whole files ends after
  ///     `eagerQuiet`; nil waits `quiet` for every batch.
  ///   - eagerQuiet: That shorter quiet time.
  public init(quiet: Double = 0.1, maxDelay: Double = 1.0, eagerAfter: Double? = nil, eagerQuiet: Double = 0.01) {
    self.quiet = max(0, quiet)
    self.maxDelay = max(0, maxDelay)
    self.eagerAfter = eagerAfter.map { max(0, $0) }
    self.eagerQuiet = min(max(0, eagerQuiet), self.quiet)
  }

  /// True when changes wait for their batch.
  public var hasPendingChanges: Bool { firstChange != nil }
  /// The paths of the batch being collected.
  public var pendingPaths: [String] { Array(paths) }

  /// When the pending batch is due, nil when nothing waits: the time the caller should
  /// call `takeBatch(at:)`.
  public var deadline: Double? {
    guard let firstChange, let lastChange else { return nil }
    let isWhole = isEager && !isOverflow && !paths.isEmpty && removed.isEmpty && paths.isDisjoint(with: created)
    return min(lastChange + (isWhole ? eagerQuiet : quiet), firstChange + maxDelay)
  }

  /// Adds changed paths; an empty sequence changes nothing.
  ///
  /// - Parameters:
  ///   - paths: Paths relative to the project root.
  ///   - now: The time they were seen, on the caller's clock.
  public mutating func record(_ paths: some Sequence<String>, at now: Double) {
    var isEmpty = true
    for path in paths {
      self.paths.insert(path)
      removed.remove(path)
      isEmpty = false
    }
    if !isEmpty { noteChange(at: now) }
  }

  /// Notes that `path` was created (it did not exist): if it is deleted or renamed away
  /// before the batch is taken, it is left out, as the temporary file of a save by
  /// rename is. Starts no batch of its own.
  public mutating func recordCreation(of path: String) {
    if !paths.contains(path) { created.insert(path) }
  }

  /// Adds a path that was deleted or renamed away — unless it was created since the last
  /// batch, in which case it is forgotten as if it had never been.
  public mutating func recordRemoval(of path: String, at now: Double) {
    if created.remove(path) != nil {
      paths.remove(path)
      noteChange(at: now)
    } else {
      record(CollectionOfOne(path), at: now)
      removed.insert(path)
    }
  }

  /// Notes that changes were lost: the next batch says anything may have changed.
  public mutating func recordOverflow(at now: Double) {
    isOverflow = true
    noteChange(at: now)
  }

  /// Forgets pending paths inside `folder` (which turned out to be ignored, as a folder
  /// that became a virtualenv). The batch's timing is kept.
  public mutating func discard(pathsInside folder: String) {
    discard { $0 == folder || $0.hasPrefix(folder + "/") }
  }

  /// Forgets the pending paths `isDropped` picks (ignored by new rules). The batch's
  /// timing is kept.
  public mutating func discard(where isDropped: (String) -> Bool) {
    paths = paths.filter { !isDropped($0) }
    created = created.filter { !isDropped($0) }
    removed = removed.filter { !isDropped($0) }
  }

  /// The pending batch if it is due at `now`, which starts a new one; nil otherwise.
  ///
  /// A batch emptied by `discard` is dropped when due, and nil returned.
  public mutating func takeBatch(at now: Double) -> WatchBatch? {
    // A timer armed for the deadline may wake a hair before it in floating point.
    guard let deadline, now + 1e-6 >= deadline else { return nil }
    let batch = WatchBatch(paths: paths.sorted(), isOverflow: isOverflow)
    paths = []
    created = []
    removed = []
    isOverflow = false
    isEager = false
    firstChange = nil
    lastChange = nil
    return batch.paths.isEmpty && !batch.isOverflow ? nil : batch
  }

  private mutating func noteChange(at now: Double) {
    if firstChange == nil {
      firstChange = now
      isEager = eagerAfter.map { calm in lastSeen.map { now - $0 >= calm } ?? true } ?? false
    }
    lastChange = max(lastChange ?? now, now)
    lastSeen = max(lastSeen ?? now, now)
  }
}
