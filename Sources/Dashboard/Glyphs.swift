import DjangoRunner

/// The symbols the screen uses, in Unicode or, when the locale cannot show it, ASCII.
public struct Glyphs: Equatable, Sendable {
  public var pass, fail, error, skip, xfail, xpass, running, pending: String
  public var barFull, barEmpty, barLeft, barRight: String
  public var separator, pointer, rule, ellipsis: String

  public static let unicode = Glyphs(
    pass: "✓", fail: "✗", error: "‼", skip: "○", xfail: "◌", xpass: "!", running: "●", pending: "·",
    barFull: "█", barEmpty: "░", barLeft: "▕", barRight: "▏", separator: "│", pointer: "▶", rule: "─",
    ellipsis: "…")

  /// Django's own letters, so the ASCII screen reads like `manage.py test` output.
  public static let ascii = Glyphs(
    pass: ".", fail: "F", error: "E", skip: "s", xfail: "x", xpass: "u", running: ">", pending: "-",
    barFull: "#", barEmpty: ".", barLeft: "[", barRight: "]", separator: "|", pointer: ">", rule: "-",
    ellipsis: "...")

  public func glyph(_ outcome: TestOutcome) -> String {
    switch outcome {
    case .pass: return pass
    case .fail: return fail
    case .error: return error
    case .skip: return skip
    case .xfail: return xfail
    case .xpass: return xpass
    }
  }
}

extension TestOutcome {
  /// The role a verdict is shown in.
  public var role: Role {
    switch self {
    case .pass, .xfail: return .success
    case .fail, .error, .xpass: return .failure
    case .skip: return .skipped
    }
  }

  /// The word for the verdict, as Django prints it.
  public var word: String {
    switch self {
    case .pass: return "ok"
    case .fail: return "FAIL"
    case .error: return "ERROR"
    case .skip: return "skipped"
    case .xfail: return "expected failure"
    case .xpass: return "unexpected success"
    }
  }
}

/// A duration as people read it: `12 ms`, `1.24 s`, `2m03s`.
public func formatDuration(_ seconds: Double) -> String {
  if seconds < 0.001 { return "<1 ms" }
  if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
  if seconds < 60 {
    let hundredths = Int((seconds * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
  }
  let whole = Int(seconds)
  let secondsPart = whole % 60
  return "\(whole / 60)m\(secondsPart < 10 ? "0" : "")\(secondsPart)s"
}

extension Glyphs {
  /// What a terminal whose locale cannot show Unicode paints for a cell's text: the text
  /// itself when it is ASCII, a look-alike for the symbols the views write (`·`, `×`,
  /// `–`, quotes, arrows, the prompt's cursor…), else `?` — always in as many columns as
  /// the text takes, so a line with a wide character stays aligned.
  public static func asciiFallback(_ text: String) -> String {
    if text.allSatisfy(\.isASCII) { return text }
    let columns = TextWidth.of(text)
    if columns == 1, text.count == 1, let first = text.first, let lookalike = asciiLookalikes[first] {
      return lookalike
    }
    return String(repeating: "?", count: columns)
  }

  static let asciiLookalikes: [Character: String] = [
    "·": "-", "•": "*", "×": "x", "–": "-", "—": "-", "‐": "-", "−": "-", "“": "\"", "”": "\"", "„": "\"",
    "‘": "'", "’": "'", "«": "\"", "»": "\"", "…": ".", "\u{A0}": " ", "▏": "|", "▕": "|", "│": "|",
    "─": "-", "█": "#", "░": ".", "↑": "^", "↓": "v", "←": "<", "→": ">", "▶": ">", "●": ">", "○": "s",
    "◌": "x", "✓": ".", "✗": "F", "‼": "E",
  ]
}
