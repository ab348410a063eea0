import CNcurses
import Dashboard

#if canImport(Glibc)
  import Glibc
#endif

/// How many colours the terminal gets.
public enum ColorMode: Equatable, Sendable {
  case none
  case eight
  case full
}

/// The terminal, through ncurses: paints a cell buffer's differences with one refresh,
/// reads keys without blocking, follows resizes and gives the terminal back clean.
///
/// Only this type touches curses. The dashboard runtime drives it as a `TerminalBackend`:
/// it watches stdin (`inputDescriptor`) and calls `readInputs()` when it is readable, and
/// `paint(_:)` with each new frame.
public final class CursesTerminal: TerminalBackend {
  public private(set) var width: Int
  public private(set) var height: Int
  /// Whether the locale can show Unicode; otherwise non-ASCII characters are painted as
  /// `Glyphs.asciiFallback` says (look-alikes, else `?`).
  public let isUnicode: Bool
  public let colorMode: ColorMode
  private let theme: Theme
  private var previous: CellBuffer?
  private var pairs: [PairKey: Int16] = [:]
  private var isOpen = false

  private struct PairKey: Hashable {
    var foreground: Int
    var background: Int
  }

  /// Takes over the terminal.
  ///
  /// - Parameters:
  ///   - theme: how each role looks.
  ///   - noColor: `NO_COLOR` is set: attributes only.
  /// - Throws: `TerminalError` when stdin or stdout is not a terminal ncurses can drive.
  public init(theme: Theme, noColor: Bool) throws {
    guard isatty(0) == 1, isatty(1) == 1 else {
      throw TerminalError("the dashboard needs a terminal; use `djdash run` for a headless run")
    }
    setlocale(LC_ALL, "")
    isUnicode = djdash_locale_is_utf8() != 0
    guard djdash_newterm() != nil else {
      let term = getenv("TERM").map { String(cString: $0) } ?? "(unset)"
      throw TerminalError("cannot drive the terminal TERM=\(term); set TERM (e.g. xterm-256color)")
    }
    isOpen = true
    raw()
    noecho()
    nonl()
    keypad(djdash_stdscr(), true)
    nodelay(djdash_stdscr(), true)
    set_escdelay(25)
    curs_set(0)
    if !noColor && has_colors() {
      start_color()
      use_default_colors()
      colorMode = djdash_colors() >= 256 ? .full : .eight
    } else {
      colorMode = .none
    }
    self.theme = theme
    width = Int(getmaxx(djdash_stdscr()))
    height = Int(getmaxy(djdash_stdscr()))
    erase()
    refresh()
  }

  deinit { close() }

  /// Keys come on stdin.
  public var inputDescriptor: Int32 { 0 }

  /// Gives the terminal back as it was (main screen, cursor, cooked mode). Idempotent.
  public func close() {
    guard isOpen else { return }
    isOpen = false
    curs_set(1)
    endwin()
  }

  /// Reads the kernel's idea of the size after SIGWINCH and tells curses; the next
  /// paint redraws everything.
  public func followResize() {
    var rows: Int32 = 0
    var cols: Int32 = 0
    if djdash_terminal_size(1, &rows, &cols) != 0 {
      resizeterm(rows, cols)
    }
    width = Int(getmaxx(djdash_stdscr()))
    height = Int(getmaxy(djdash_stdscr()))
    previous = nil
  }

  /// Lends the terminal to another program (the editor).
  public func suspend() {
    def_prog_mode()
    endwin()
  }

  /// Takes the terminal back after `suspend()`; the next paint redraws everything.
  public func resume() {
    reset_prog_mode()
    clearok(djdash_curscr(), true)
    previous = nil
    refresh()
  }

  /// Paints the cells that differ from the last frame (`BufferDiff`), then refreshes
  /// once. Cells beyond the terminal's size are left out.
  public func paint(_ buffer: CellBuffer) {
    let diff = BufferDiff(from: previous, to: buffer)
    if diff.isFullRepaint { erase() }
    let visible = 0..<min(buffer.width, width)
    for run in diff.runs where run.row < height {
      let columns = run.columns.clamped(to: visible)
      if !columns.isEmpty { paintRun(buffer, y: run.row, columns: columns) }
    }
    previous = buffer
    refresh()
  }

  private func paintRun(_ buffer: CellBuffer, y: Int, columns: Range<Int>) {
    var x = columns.lowerBound
    move(Int32(y), Int32(x))
    while x < columns.upperBound {
      let style = attributes(for: buffer[x, y])
      var text = ""
      while x < columns.upperBound {
        let cell = buffer[x, y]
        if attributes(for: cell) != style { break }
        text += isUnicode ? cell.text : Glyphs.asciiFallback(cell.text)
        x += 1
      }
      attrset(style)
      addstr(text)
    }
    attrset(djdash_attr_normal())
  }

  private func attributes(for cell: Cell) -> Int32 {
    let look = theme.look(cell.role)
    var attributes = Int32(djdash_attr_normal())
    if look.isBold || cell.isBold { attributes |= Int32(djdash_attr_bold()) }
    if look.isUnderlined { attributes |= Int32(djdash_attr_underline()) }
    var background = look.background
    if look.isReversed { attributes |= Int32(djdash_attr_reverse()) }
    if cell.isSelected {
      if theme.selection.isReversed || colorMode == .none || theme.selection.background == nil {
        attributes ^= Int32(djdash_attr_reverse())
      } else {
        background = theme.selection.background
      }
    }
    if colorMode != .none {
      attributes |= Int32(djdash_color_pair(Int32(pair(look.foreground, background))))
    }
    return attributes
  }

  private func pair(_ foreground: Int?, _ background: Int?) -> Int16 {
    let key = PairKey(foreground: terminalColor(foreground), background: terminalColor(background))
    if key.foreground == -1 && key.background == -1 { return 0 }
    if let existing = pairs[key] { return existing }
    let number = Int16(pairs.count + 1)
    guard Int32(number) < djdash_color_pairs() else { return 0 }
    init_pair(number, Int16(key.foreground), Int16(key.background))
    pairs[key] = number
    return number
  }

  private func terminalColor(_ color: Int?) -> Int {
    guard let color else { return -1 }
    switch colorMode {
    case .full: return color
    case .eight: return Palette.nearestBasic(color)
    case .none: return -1
    }
  }
}

/// The terminal could not be used; says why and what to do.
public struct TerminalError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
