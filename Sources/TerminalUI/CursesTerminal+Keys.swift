import CNcurses
import Dashboard

extension CursesTerminal {
  /// Every key waiting on stdin, without blocking; curses' own resize key as `.resized`.
  public func readInputs() -> [TerminalInput] {
    var inputs: [TerminalInput] = []
    while true {
      var character: wint_t = 0
      let kind = wget_wch(djdash_stdscr(), &character)
      if kind == ERR { break }
      let code = Int32(bitPattern: character)
      if kind == KEY_CODE_YES {
        if let input = Self.functionKey(code) { inputs.append(input) }
      } else if let input = Self.characterKey(code) {
        inputs.append(input)
      }
    }
    return inputs
  }

  static func functionKey(_ code: Int32) -> TerminalInput? {
    switch code {
    case KEY_UP: return .key(.up)
    case KEY_DOWN: return .key(.down)
    case KEY_LEFT: return .key(.left)
    case KEY_RIGHT: return .key(.right)
    case KEY_NPAGE: return .key(.pageDown)
    case KEY_PPAGE: return .key(.pageUp)
    case KEY_HOME: return .key(.home)
    case KEY_END: return .key(.end)
    case KEY_BTAB: return .key(.backTab)
    case KEY_BACKSPACE: return .key(.backspace)
    case KEY_ENTER: return .key(.enter)
    case djdash_key_resize(): return .resized
    default: return nil
    }
  }

  static func characterKey(_ code: Int32) -> TerminalInput? {
    switch code {
    case 3: return .key(.interrupt)
    case 9: return .key(.tab)
    case 10, 13: return .key(.enter)
    case 27: return .key(.escape)
    case 8, 127: return .key(.backspace)
    case 0..<32: return nil
    default:
      guard let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
      return .key(.character(Character(scalar)))
    }
  }
}
