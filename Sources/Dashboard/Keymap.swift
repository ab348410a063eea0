/// What a key asks for. The keymap and the help overlay are generated from one table,
/// so the help can never drift from what the keys do.
public enum Command: Equatable, Sendable, CaseIterable {
  case moveDown, moveUp, pageDown, pageUp, top, bottom
  case nextFailure, previousFailure
  case open, back, nextTab, previousTab, openEditor
  case runAll, runFailed, rerun, filter, filterByName, toggleOrder
  case why, showSlowest, help, quit

  /// The keys as the help shows them, and what the command does.
  public var help: (keys: String, text: String) {
    switch self {
    case .moveDown: return ("↓ j", "move down (scroll in the detail)")
    case .moveUp: return ("↑ k", "move up")
    case .pageDown: return ("PgDn space", "page down")
    case .pageUp: return ("PgUp b", "page up")
    case .top: return ("Home g", "first row")
    case .bottom: return ("End G", "last row")
    case .nextFailure: return ("n", "next failure")
    case .previousFailure: return ("N", "previous failure")
    case .open: return ("Enter", "open the test's detail (on the header: rerun)")
    case .back: return ("Esc", "back to the list; clear the filter")
    case .nextTab: return ("Tab", "next detail tab")
    case .previousTab: return ("Shift-Tab", "previous detail tab")
    case .openEditor: return ("e", "open $EDITOR at the failing line")
    case .runAll: return ("a", "run all tests")
    case .runFailed: return ("f", "run only the failed tests")
    case .rerun: return ("r", "rerun the last selection")
    case .filter: return ("/", "filter the list as you type")
    case .filterByName: return ("t", "run only tests whose name matches (like -k)")
    case .toggleOrder: return ("o", "failures first / run order")
    case .why: return ("w", "why the last save ran these tests")
    case .showSlowest: return ("s", "the slowest tests over recent runs")
    case .help: return ("?", "this help")
    case .quit: return ("q", "quit (during a run: stop it first)")
    }
  }

  /// The command a key means on the list and detail screens.
  public static func of(_ key: Key) -> Command? {
    switch key {
    case .down, .character("j"): return .moveDown
    case .up, .character("k"): return .moveUp
    case .pageDown, .character(" "): return .pageDown
    case .pageUp, .character("b"): return .pageUp
    case .home, .character("g"): return .top
    case .end, .character("G"): return .bottom
    case .character("n"): return .nextFailure
    case .character("N"): return .previousFailure
    case .enter, .right, .character("l"): return .open
    case .escape, .left, .character("h"): return .back
    case .tab: return .nextTab
    case .backTab: return .previousTab
    case .character("e"): return .openEditor
    case .character("a"): return .runAll
    case .character("f"): return .runFailed
    case .character("r"): return .rerun
    case .character("/"): return .filter
    case .character("t"): return .filterByName
    case .character("o"): return .toggleOrder
    case .character("w"): return .why
    case .character("s"): return .showSlowest
    case .character("?"): return .help
    case .character("q"): return .quit
    default: return nil
    }
  }
}
