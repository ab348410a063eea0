/// A Python module with its function and method bodies left out: imports, constants,
/// class bodies, decorators and signatures — what runs when the module is imported.
///
/// Two versions of a file with the same skeleton differ only inside function bodies: a
/// module that `django.setup()` loaded (models, app configs, admin, what they import) can
/// then be changed without changing anything Django set up at start-up. Comments, blank
/// lines and trailing spaces do not count. A line-based reading, forgiving of broken
/// source: a body is every line indented deeper than its `def` (continuation lines of a
/// multi-line signature stay).
public struct ModuleSkeleton: Equatable, Sendable {
  public let lines: [String]

  public init(source: String) {
    var kept: [String] = []
    var bodyIndent: Int?  // the indent of the `def` whose body is being left out
    var signatureIndent: Int?  // the indent of a `def` whose signature is still open
    var openBrackets = 0  // of the statement being read, over several lines
    var openTriple: String?  // a triple-quoted string that runs over lines
    for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
      if let triple = openTriple {  // inside a multi-line string: the statement goes on
        if raw.contains(triple) { openTriple = nil }
        if bodyIndent == nil { kept.append(String(raw)) }
        continue
      }
      let line = Self.withoutComment(raw)
      let text = line.trimmingCharacters(in: .whitespaces)
      if text.isEmpty { continue }
      let indent = line.prefix { $0 == " " || $0 == "\t" }.count
      let continues = openBrackets > 0
      if !continues, let body = bodyIndent {
        if indent > body {
          openTriple = Self.openTripleQuote(text)
          openBrackets = max(0, Self.bracketBalance(text))
          continue
        }
        bodyIndent = nil
      } else if continues, bodyIndent != nil, signatureIndent == nil {
        openBrackets = max(0, openBrackets + Self.bracketBalance(text))
        openTriple = Self.openTripleQuote(text)
        continue
      }
      kept.append(String(repeating: " ", count: indent) + text)
      if !continues, text.hasPrefix("def ") || text.hasPrefix("async def ") { signatureIndent = indent }
      openBrackets = max(0, openBrackets + Self.bracketBalance(text))
      openTriple = Self.openTripleQuote(text)
      if let defIndent = signatureIndent, openBrackets == 0, openTriple == nil {
        // The signature ended on this line: deeper lines are the body, and a body on
        // this line after its colon (`def f(): return 1`) is left out too.
        signatureIndent = nil
        bodyIndent = defIndent
        if let last = kept.popLast() { kept.append(Self.signaturePart(last)) }
      }
    }
    lines = kept
  }

  /// The triple quote a line leaves open (an odd number of them), if any.
  static func openTripleQuote(_ text: String) -> String? {
    for triple in ["\"\"\"", "\'\'\'"] where text.components(separatedBy: triple).count % 2 == 0 {
      return triple
    }
    return nil
  }

  /// A line without its `#` comment (a `#` inside a string is kept).
  static func withoutComment(_ line: Substring) -> String {
    var quote: Character?
    var previous: Character = " "
    for (offset, character) in line.enumerated() {
      if let open = quote {
        if character == open && previous != "\\" { quote = nil }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == "#" {
        return String(line.prefix(offset)).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
      }
      previous = character
    }
    return String(line).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
  }

  /// Opening minus closing brackets outside strings.
  static func bracketBalance(_ text: String) -> Int {
    forEachCharacterOutsideStrings(of: text) { _, _, _ in }
  }

  /// A `def` line up to its last colon outside brackets: `def f(a): return a` → `def f(a):`.
  static func signaturePart(_ line: String) -> String {
    var end = line.endIndex
    forEachCharacterOutsideStrings(of: line) { index, character, depth in
      if character == ":" && depth == 0 { end = line.index(after: index) }
    }
    return String(line[..<end])
  }

  /// Calls `body` with each character of `text` outside string literals and the bracket
  /// depth before it; returns the depth at the end (opening minus closing brackets).
  @discardableResult
  static func forEachCharacterOutsideStrings(
    of text: String, _ body: (String.Index, Character, Int) -> Void
  ) -> Int {
    var depth = 0
    var quote: Character?
    for index in text.indices {
      let character = text[index]
      if let open = quote {
        if character == open { quote = nil }
        continue
      }
      body(index, character, depth)
      switch character {
      case "\"", "'": quote = character
      case "(", "[", "{": depth += 1
      case ")", "]", "}": depth -= 1
      default: break
      }
    }
    return depth
  }
}
