/// How a `ProjectWatcher` learns of changes.
public enum WatchMode: Equatable, Sendable {
  /// The kernel reports changes as they happen, with one inotify watch per folder.
  case inotify(watches: Int)
  /// The tree is looked at every few seconds, because inotify could not be used;
  /// `reason` says why and what the user can do, in a sentence.
  case polling(reason: String)
}
