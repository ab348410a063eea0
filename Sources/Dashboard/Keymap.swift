/// What a key asks for. One table (`bindings`) maps the keys and writes the help
/// overlay, so the help can never drift from what the keys do.
public enum Command: Equatable, Sendable, CaseIterable {
  case moveDown, moveUp, pageDown, pageUp, top, bottom
  case nextFailure, previousFailure
  case open, back, nextTab, previousTab, openEditor
  case runAll, runFailed, rerun, runRest, filter, filterByName, toggleOrder
  case why, showSlowest, help, quit

  /// A command, the keys that ask for it, and what it does, in the help's order.
  public struct Binding: Sendable {
    public var command: Command
    public var keys: [Key]
    public var text: String
  }

  /// The key table: the only place a key is given a meaning.
  public static let bindings: [Binding] = [
    Binding(command: .moveDown, keys: [.down, .character("j")], text: "move down (scroll in the detail)"),
    Binding(command: .moveUp, keys: [.up, .character("k")], text: "move up"),
    Binding(command: .pageDown, keys: [.pageDown, .character(" ")], text: "page down"),
    Binding(command: .pageUp, keys: [.pageUp, .character("b")], text: "page up"),
    Binding(command: .top, keys: [.home, .character("g")], text: "first row"),
    Binding(command: .bottom, keys: [.end, .character("G")], text: "last row"),
    Binding(command: .nextFailure, keys: [.character("n")], text: "next failure"),
    Binding(command: .previousFailure, keys: [.character("N")], text: "previous failure"),
    Binding(
      command: .open, keys: [.enter, .right, .character("l")], text: "open the test's detail (on the header: rerun)"),
    Binding(command: .back, keys: [.escape, .left, .character("h")], text: "back to the list; clear the filter"),
    Binding(command: .nextTab, keys: [.tab], text: "next detail tab"),
    Binding(command: .previousTab, keys: [.backTab], text: "previous detail tab"),
    Binding(command: .openEditor, keys: [.character("e")], text: "open $EDITOR at the failing line"),
    Binding(command: .runAll, keys: [.character("a")], text: "run all tests"),
    Binding(command: .runFailed, keys: [.character("f")], text: "run only the failed tests"),
    Binding(command: .rerun, keys: [.character("r")], text: "rerun the last selection"),
    Binding(
      command: .runRest, keys: [.character("R")], text: "run the rest of the suite after a green selection"),
    Binding(command: .filter, keys: [.character("/")], text: "filter the list as you type"),
    Binding(command: .filterByName, keys: [.character("t")], text: "run only tests whose name matches (like -k)"),
    Binding(command: .toggleOrder, keys: [.character("o")], text: "failures first / run order"),
    Binding(command: .why, keys: [.character("w")], text: "why the last save ran these tests"),
    Binding(command: .showSlowest, keys: [.character("s")], text: "the slowest tests over recent runs"),
    Binding(command: .help, keys: [.character("?")], text: "this help"),
    Binding(command: .quit, keys: [.character("q")], text: "quit (during a run: stop it first)"),
  ]

  private static let byKey: [Key: Command] = {
    var table: [Key: Command] = [:]
    for binding in bindings {
      for key in binding.keys {
        precondition(table[key] == nil, "\(key) is bound twice")
        table[key] = binding.command
      }
    }
    return table
  }()

  /// The keys as the help shows them, and what the command does.
  public var help: (keys: String, text: String) {
    guard let binding = Self.bindings.first(where: { $0.command == self }) else { return ("", "") }
    return (binding.keys.map(\.helpName).joined(separator: " "), binding.text)
  }

  /// The command a key means on the list and detail screens.
  public static func of(_ key: Key) -> Command? { byKey[key] }
}

extension Key {
  /// How the help names the key.
  var helpName: String {
    switch self {
    case .character(" "): return "space"
    case .character(let character): return String(character)
    case .up: return "↑"
    case .down: return "↓"
    case .left: return "←"
    case .right: return "→"
    case .pageUp: return "PgUp"
    case .pageDown: return "PgDn"
    case .home: return "Home"
    case .end: return "End"
    case .enter: return "Enter"
    case .escape: return "Esc"
    case .tab: return "Tab"
    case .backTab: return "Shift-Tab"
    case .backspace: return "Backspace"
    case .interrupt: return "Ctrl-C"
    }
  }
}
