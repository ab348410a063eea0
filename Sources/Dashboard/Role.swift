/// What a piece of the screen means. Views paint roles, never colours; a theme says how
/// each role looks (Textual's habit), so snapshots survive a change of theme.
public enum Role: String, CaseIterable, Sendable, Hashable {
  /// Ordinary text.
  case text
  /// Secondary text: durations, paths of library frames, hints.
  case muted
  /// What should catch the eye: project frames, names, the active tab.
  case accent
  /// The header and footer bars.
  case bar
  /// A key name in the footer or the help.
  case key
  case success
  case failure
  case warning
  case skipped
  case running
  /// Lines and rules between parts of the screen.
  case border
  /// A group row of the test list (app, module, class).
  case group
  case sqlKeyword
  case sqlString
  case sqlNumber
  /// The failing line of a traceback's source excerpt.
  case highlight

  /// The letter of this role in snapshot files; an upper-case letter marks a cell of
  /// the selected row.
  public var code: Character {
    switch self {
    case .text: return "t"
    case .muted: return "m"
    case .accent: return "a"
    case .bar: return "b"
    case .key: return "k"
    case .success: return "s"
    case .failure: return "f"
    case .warning: return "w"
    case .skipped: return "p"
    case .running: return "r"
    case .border: return "l"
    case .group: return "g"
    case .sqlKeyword: return "q"
    case .sqlString: return "x"
    case .sqlNumber: return "n"
    case .highlight: return "h"
    }
  }
}
