/// One character cell of the screen.
public struct Cell: Equatable, Sendable {
  /// The grapheme shown; empty for the second column of a wide character.
  public var text: String
  public var role: Role
  public var isBold: Bool
  /// Part of the selected row: drawn on the selection background.
  public var isSelected: Bool

  public init(text: String = " ", role: Role = .text, bold: Bool = false, selected: Bool = false) {
    self.text = text
    self.role = role
    self.isBold = bold
    self.isSelected = selected
  }

  public static let blank = Cell()
}

/// A rectangle of the screen: where a view may draw.
public struct Rect: Equatable, Sendable {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = max(0, width)
    self.height = max(0, height)
  }

  public var maxX: Int { x + width }
  public var maxY: Int { y + height }
}

/// The whole screen in memory. Views draw here; the terminal backend paints only the
/// cells that differ from the previous frame, and tests read it back as text.
public struct CellBuffer: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public private(set) var cells: [Cell]

  public init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
    cells = Array(repeating: .blank, count: self.width * self.height)
  }

  public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

  public subscript(x: Int, y: Int) -> Cell {
    get { cells[y * width + x] }
    set {
      guard x >= 0, y >= 0, x < width, y < height else { return }
      cells[y * width + x] = newValue
    }
  }

  /// Fills a rectangle with blanks of one role.
  public mutating func fill(_ rect: Rect, role: Role = .text, selected: Bool = false) {
    for y in max(0, rect.y)..<min(height, rect.maxY) {
      for x in max(0, rect.x)..<min(width, rect.maxX) {
        self[x, y] = Cell(text: " ", role: role, selected: selected)
      }
    }
  }

  /// Writes text from (x, y), clipped at `limit` (default: the right edge). A wide
  /// character that does not fit is replaced by a space. Returns the column after the text.
  @discardableResult
  public mutating func write(
    _ text: String, x: Int, y: Int, role: Role = .text, bold: Bool = false, selected: Bool = false,
    limit: Int? = nil
  ) -> Int {
    guard y >= 0, y < height else { return x }
    let end = min(limit ?? width, width)
    var column = x
    for character in text {
      let shown = StyledLine.printable(character)
      let columns = TextWidth.of(shown)
      if columns == 0 {
        // A combining mark or zero-width character joins the previous cell.
        if column > 0, column - 1 < end, column - 1 >= x {
          self[column - 1, y].text.append(shown)
        }
        continue
      }
      if column + columns > end {
        if columns == 2, column < end {
          self[column, y] = Cell(text: " ", role: role, bold: bold, selected: selected)
          column += 1
        }
        break
      }
      if column >= 0 {
        self[column, y] = Cell(text: String(shown), role: role, bold: bold, selected: selected)
        if columns == 2 { self[column + 1, y] = Cell(text: "", role: role, bold: bold, selected: selected) }
      }
      column += columns
    }
    return column
  }

  /// Writes a styled line from (x, y), clipped at `limit`. Returns the column after it.
  @discardableResult
  public mutating func write(_ line: StyledLine, x: Int, y: Int, selected: Bool = false, limit: Int? = nil) -> Int {
    var column = x
    for span in line.spans {
      column = write(span.text, x: column, y: y, role: span.role, bold: span.isBold, selected: selected, limit: limit)
    }
    return column
  }

  /// The screen as text, one string per row, trailing spaces kept.
  public var textLines: [String] {
    (0..<height).map { y in
      var line = ""
      for x in 0..<width { line += self[x, y].text }
      return line
    }
  }

  /// The screen as a snapshot: each row of text, and under it a row of role letters
  /// (upper case for the selected row), so a snapshot checks meaning, not colours.
  public var snapshot: String {
    var out = ""
    for y in 0..<height {
      var text = ""
      var roles = ""
      for x in 0..<width {
        let cell = self[x, y]
        text += cell.text
        let code = cell.role.code
        roles.append(cell.isSelected ? Character(code.uppercased()) : code)
      }
      out += text + "\n" + roles + "\n"
    }
    return out
  }
}
