import DjangoRunner

/// Opens the project's run history for a command, telling the user what happened to
/// it (a file moved aside, a run cut short) without ever stopping the command.
public enum HistoryAccess {
  /// - Parameters:
  ///   - projectRoot: the project whose `.djdash/history.sqlite` to open.
  ///   - tell: says a notice to the user (stderr for a command, the dashboard's notice line).
  /// - Returns: the store, or nil (after saying why) when no history can be kept.
  public static func open(projectRoot: String, tell: (String) -> Void) -> HistoryStore? {
    do {
      let store = try HistoryStore(projectRoot: projectRoot)
      store.notices.forEach(tell)
      return store
    } catch {
      tell("\(error); going on without the run history")
      return nil
    }
  }
}
