import DjangoRunner
import RunHistory

/// Opens the project's run history for a command, telling the user what happened to
/// it (a file moved aside, a run cut short) without ever stopping the command.
enum HistoryAccess {
  /// - Returns: the store, or nil (after saying why) when no history can be kept.
  static func open(projectRoot: String, tell: (String) -> Void = { Console.error($0) }) -> HistoryStore? {
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
