#if canImport(Glibc)
  import Glibc
#endif

/// Finds changes by looking: stats every file of the tree that is not ignored and
/// compares it with the previous look. The watcher's fallback when inotify cannot be
/// used (its watch or instance limit is used up); it costs a walk of the tree per look.
public struct PollingScanner {
  /// What is compared between two looks at a file: a save changes the modification
  /// time or the size, a save by rename changes the inode.
  public struct Stamp: Equatable, Sendable {
    /// The modification time, in nanoseconds since the epoch.
    public var modified: Int64
    public var size: Int64
    public var inode: UInt64

    public init(modified: Int64, size: Int64, inode: UInt64) {
      self.modified = modified
      self.size = size
      self.inode = inode
    }
  }

  /// The project root, an absolute path.
  public let root: String
  /// What is not looked at.
  public private(set) var ignore: IgnoreRules
  /// Every file seen by the last look, by its path relative to the root.
  public private(set) var snapshot: [String: Stamp]

  /// Takes the first look, against which the next `scan()` compares.
  public init(root: String, ignore: IgnoreRules) {
    self.root = root
    self.ignore = ignore
    snapshot = Self.look(root: root, ignore: ignore)
  }

  /// Looks again and returns the paths created, changed or deleted since the last
  /// look, sorted.
  public mutating func scan() -> [String] {
    let current = Self.look(root: root, ignore: ignore)
    let changed = Self.changes(from: snapshot, to: current)
    snapshot = current
    return changed
  }

  /// Takes new rules and looks again without reporting, so files that the new rules
  /// hide or show do not count as deleted or created.
  public mutating func update(ignore: IgnoreRules) {
    self.ignore = ignore
    snapshot = Self.look(root: root, ignore: ignore)
  }

  /// The paths that differ between two looks: in one only, or with other stamps; sorted.
  public static func changes(from old: [String: Stamp], to new: [String: Stamp]) -> [String] {
    var changed: [String] = []
    for (path, stamp) in new where old[path] != stamp { changed.append(path) }
    for path in old.keys where new[path] == nil { changed.append(path) }
    return changed.sorted()
  }

  /// Stamps every file (anything but a folder; links are not followed) of the tree
  /// that is not ignored.
  static func look(root: String, ignore: IgnoreRules) -> [String: Stamp] {
    var stamps: [String: Stamp] = [:]
    for path in ProjectTree.files(root: root, isIgnored: { ignore.isEntryIgnored($0, isDirectory: $1) }) {
      var info = stat()
      guard lstat(root + "/" + path, &info) == 0 else { continue }
      let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
      stamps[path] = Stamp(modified: modified, size: Int64(info.st_size), inode: UInt64(info.st_ino))
    }
    return stamps
  }
}
