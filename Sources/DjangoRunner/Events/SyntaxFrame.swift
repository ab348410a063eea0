/// Where a file no longer compiles, read off the end of a Python traceback: the file,
/// the line, the line itself and the column Python's caret points at.
///
/// ```
///   File "/project/shop/views.py", line 7
///     return render(request
///                  ^
/// SyntaxError: '(' was never closed
/// ```
public struct SyntaxFrame: Equatable, Sendable {
  public var file: String
  public var line: Int
  /// The offending line as Python printed it (stripped of its indentation).
  public var text: String
  /// The caret's column in `text`, from 0; nil when Python printed none.
  public var column: Int?
  /// `SyntaxError: '(' was never closed` (or IndentationError, TabError).
  public var message: String

  public init(file: String, line: Int, text: String, column: Int?, message: String) {
    self.file = file
    self.line = line
    self.text = text
    self.column = column
    self.message = message
  }

  static let kinds = ["SyntaxError", "IndentationError", "TabError"]

  /// The syntax error a traceback ends with; nil when it ends with anything else.
  public static func parse(_ traceback: String) -> SyntaxFrame? {
    let lines = traceback.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let last = lines.lastIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return nil }
    let message = lines[last]
    guard kinds.contains(where: { message.hasPrefix($0 + ":") || message == $0 }) else { return nil }
    // The `File "…", line N` with no `, in …`: the frame of the source that did not compile.
    guard
      let fileIndex = lines[..<last].lastIndex(where: {
        $0.hasPrefix("  File \"") && $0.contains("\", line ") && !$0.contains(", in ")
      })
    else { return nil }
    let header = lines[fileIndex]
    guard let quoteEnd = header.range(of: "\", line ") else { return nil }
    let file = String(header[header.index(header.startIndex, offsetBy: 8)..<quoteEnd.lowerBound])
    guard let number = Int(header[quoteEnd.upperBound...].prefix { $0.isNumber }) else { return nil }
    var text = ""
    var column: Int?
    let between = lines[(fileIndex + 1)..<last]
    if let code = between.first {
      let indent = code.prefix { $0 == " " }.count
      text = String(code.dropFirst(indent))
      if let caret = between.dropFirst().first, let position = caret.firstIndex(of: "^"),
        caret.allSatisfy({ $0 == " " || $0 == "^" || $0 == "~" })
      {
        column = max(0, caret.distance(from: caret.startIndex, to: position) - indent)
      }
    }
    return SyntaxFrame(file: file, line: number, text: text, column: column, message: message)
  }
}

extension TestReport {
  /// The syntax error its traceback ends with: a module that does not compile.
  public var syntaxError: SyntaxFrame? {
    SyntaxFrame.parse(tracebackText) ?? problems.lazy.compactMap { SyntaxFrame.parse($0.tracebackText) }.first
  }
}

extension RunSession {
  /// A traceback without djdash's own frames (the hook wraps Django's runner): each
  /// `File ".../djdash_hook/…"` frame goes with the lines that show its source.
  static func withoutHookFrames(_ traceback: String) -> String {
    var kept: [Substring] = []
    var skipping = false
    for line in traceback.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("  File \"") {
        skipping = line.contains("/djdash_hook/") || line.contains("/Hook/sitecustomize.py")
      } else if !line.hasPrefix("    ") {
        skipping = false
      }
      if !skipping { kept.append(line) }
    }
    return kept.joined(separator: "\n")
  }
}
