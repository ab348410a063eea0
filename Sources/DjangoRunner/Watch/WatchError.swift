/// Why a project cannot be watched at all, in words for the user. (A used-up inotify
/// limit is not an error: the watcher polls instead.)
public struct WatchError: Error, CustomStringConvertible, Equatable {
  public var description: String

  public init(description: String) {
    self.description = description
  }
}
