/// What the warm runner is doing, as the user is told: by the dashboard (`w`), by
/// `djdash warm status`. Decided by `LaunchPolicy`; its words are `description`.
public enum WarmStatus: Equatable, Sendable, CustomStringConvertible {
  /// Setting Django and the test databases up.
  case starting
  /// Being replaced, and why (a file it loaded changed, it was recycled, …).
  case restarting(String)
  /// Forking runs.
  case ready
  /// Ready; each run's child refreshes the function bodies saved since in these loaded
  /// files (project-relative).
  case refreshing([String])
  /// Ready, and `--warm-check` found warm and cold runs agreeing on this many tests.
  case checked(agreeingTests: Int)
  /// No warm runs, and why: they cannot serve this dashboard's runs, the runner could not
  /// start, or a warm check found a difference.
  case off(String)

  public var description: String {
    switch self {
    case .starting: return "starting"
    case .restarting(let why): return "restarting: \(why)"
    case .ready: return "ready"
    case .refreshing(let files):
      let named = files.prefix(3).joined(separator: ", ") + (files.count > 3 ? " and \(files.count - 3) more" : "")
      return "ready · runs refresh function bodies saved in \(named)"
    case .checked(let count): return "ready · checked: warm and cold agree on \(count) tests"
    case .off(let why): return "off: \(why)"
    }
  }
}
