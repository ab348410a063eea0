/// A run of text in one role: the unit views compose lines from.
public struct Span: Equatable, Sendable {
  public var text: String
  public var role: Role
  public var isBold: Bool

  public init(_ text: String, _ role: Role = .text, bold: Bool = false) {
    self.text = text
    self.role = role
    self.isBold = bold
  }
}

/// One line of styled text, before it is placed on the screen.
public struct StyledLine: Equatable, Sendable {
  public var spans: [Span]

  public init(_ spans: [Span] = []) { self.spans = spans }
  public init(_ text: String, _ role: Role = .text, bold: Bool = false) {
    spans = [Span(text, role, bold: bold)]
  }

  public static let blank = StyledLine()

  public var plainText: String { spans.map(\.text).joined() }
  public var width: Int { spans.reduce(0) { $0 + TextWidth.of($1.text) } }

  public mutating func append(_ text: String, _ role: Role = .text, bold: Bool = false) {
    spans.append(Span(text, role, bold: bold))
  }

  /// The line cut into pieces no wider than `width` columns; pieces after the first
  /// start with `indent` spaces. Tabs become spaces (to the next multiple of 8) and
  /// other control characters become `?`, so nothing from a test reaches the terminal raw.
  public func wrapped(to width: Int, indent: Int = 0) -> [StyledLine] {
    guard width > indent + 1 else { return [self] }
    var lines: [StyledLine] = []
    var current = StyledLine()
    var column = 0
    func breakLine() {
      lines.append(current)
      current = StyledLine([Span(String(repeating: " ", count: indent))])
      column = indent
    }
    for span in spans {
      var piece = ""
      for character in span.text {
        if character == "\t" {
          let spaces = 8 - column % 8
          for _ in 0..<spaces {
            if column + 1 > width {
              current.spans.append(Span(piece, span.role, bold: span.isBold))
              piece = ""
              breakLine()
            }
            piece.append(" ")
            column += 1
          }
          continue
        }
        let shown = Self.printable(character)
        let columns = TextWidth.of(shown)
        if column + columns > width {
          current.spans.append(Span(piece, span.role, bold: span.isBold))
          piece = ""
          breakLine()
        }
        piece.append(shown)
        column += columns
      }
      if !piece.isEmpty { current.spans.append(Span(piece, span.role, bold: span.isBold)) }
    }
    lines.append(current)
    return lines
  }

  /// What a character looks like on screen: control characters (escape sequences from a
  /// test's output included) are shown as `?`.
  static func printable(_ character: Character) -> Character {
    guard let scalar = character.unicodeScalars.first else { return character }
    let value = scalar.value
    if value < 0x20 || value == 0x7F || (value >= 0x80 && value < 0xA0) { return "?" }
    return character
  }
}

extension String {
  /// The text cut to `width` columns, ending with `ellipsis` when something was cut.
  public func truncated(to width: Int, ellipsis: String = "…") -> String {
    guard width > 0 else { return "" }
    if TextWidth.of(self) <= width { return self }
    let room = width - TextWidth.of(ellipsis)
    var result = ""
    var column = 0
    for character in self {
      let columns = TextWidth.of(character)
      if column + columns > room { break }
      result.append(character)
      column += columns
    }
    return result + ellipsis
  }

  /// The text's lines, `\r\n` and `\r` included as line ends.
  public var lines: [Substring] {
    split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
  }
}
