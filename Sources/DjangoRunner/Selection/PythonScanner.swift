/// One import a Python module makes: `import a.b`, `from ..a import b, c`, or a
/// dynamic `importlib.import_module("a.b")`.
public struct PythonImport: Equatable, Sendable {
  /// The dotted module after the dots of a relative import (may be empty: `from . import x`).
  public var module: String
  /// The names after `import` in a `from` import (`*` kept as is); empty for `import a.b`.
  public var names: [String]
  /// The number of leading dots: 0 for an absolute import.
  public var level: Int
  public var line: Int
}

/// A string literal the scanner kept: dotted paths, template and fixture names.
public struct PythonString: Equatable, Sendable {
  public var text: String
  /// The name the statement assigns to, when it starts `NAME =` (e.g. `ROOT_URLCONF`),
  /// so settings strings can be told apart.
  public var owner: String?
  /// An f-string's literal start, before its first `{`: matches names that begin so.
  public var isPrefix: Bool
  public var line: Int
}

/// What the selection needs to know of one Python file: its imports, the string
/// literals that may name modules, templates or fixtures, and a few Django markers.
public struct PythonSourceSummary: Equatable, Sendable {
  public var imports: [PythonImport] = []
  public var strings: [PythonString] = []
  /// Uses the test client or a live server: depends on everything the URLconf reaches.
  public var usesClient = false
  /// Reverses or resolves URLs: depends on the URL modules.
  public var usesURLs = false
  /// Connects signal receivers (`@receiver`, `.connect(`).
  public var connectsSignals = false
  /// Models a class-based view names (`model = Product`, `queryset = Product.objects…`):
  /// such a view picks `<app>/product_<suffix>.html` by convention.
  public var viewModels: [String] = []

  public init() {}
}

/// A fast, forgiving scanner of Python source: it tokenizes just enough (strings,
/// comments, brackets, line continuations) to find import statements wherever they
/// are — inside functions, `try`/`except`, after `:` on one line — without a full
/// parser. Broken source still yields what can be read.
public enum PythonScanner {
  static let clientNames: Set<String> = [
    "client", "Client", "AsyncClient", "async_client", "RequestFactory", "AsyncRequestFactory",
    "live_server_url", "LiveServerTestCase", "StaticLiveServerTestCase", "ChannelsLiveServerTestCase",
  ]
  static let urlNames: Set<String> = ["reverse", "reverse_lazy", "resolve", "resolve_url", "redirect"]
  static let signalNames: Set<String> = ["receiver", "connect"]
  /// The three sets as one, for a single lookup per name, and their length range:
  /// most names are shorter or longer and are never hashed.
  private static let markerNames: [String: (client: Bool, urls: Bool, signals: Bool)] = Dictionary(
    uniqueKeysWithValues: clientNames.union(urlNames).union(signalNames).map {
      ($0, (clientNames.contains($0), urlNames.contains($0), signalNames.contains($0)))
    })
  private static let markerLengths: ClosedRange<Int> = {
    let lengths = markerNames.keys.map(\.utf8.count)
    return (lengths.min() ?? 0)...(lengths.max() ?? 0)
  }()

  /// Whether `{%` occurs in `bytes[start..<end]`.
  static func hasTemplateTag(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
    var index = start
    while index + 1 < end {
      if bytes[index] == UInt8(ascii: "{") && bytes[index + 1] == UInt8(ascii: "%") { return true }
      index += 1
    }
    return false
  }

  private enum Token: Equatable {
    case name(String)
    case string(String, isPrefix: Bool)
    case op(UInt8)
  }

  /// Scans `source` (UTF-8 bytes of a .py file).
  public static func scan(_ source: [UInt8]) -> PythonSourceSummary {
    source.withUnsafeBufferPointer { scan(buffer: $0) }
  }

  public static func scan(_ source: String) -> PythonSourceSummary {
    scan(Array(source.utf8))
  }

  private static func scan(buffer bytes: UnsafeBufferPointer<UInt8>) -> PythonSourceSummary {
    var summary = PythonSourceSummary()
    var statement: [(token: Token, line: Int)] = []
    var depth = 0
    var line = 1
    var index = 0
    let count = bytes.count

    func finishStatement() {
      if !statement.isEmpty { parse(statement, into: &summary) }
      statement.removeAll(keepingCapacity: true)
    }

    while index < count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\n"):
        line += 1
        index += 1
        if depth == 0 { finishStatement() }
      case UInt8(ascii: "#"):
        while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
      case UInt8(ascii: "\\"):
        // A line continuation (or a stray backslash): the statement goes on.
        index += 1
        if index < count && bytes[index] == UInt8(ascii: "\r") { index += 1 }
        if index < count && bytes[index] == UInt8(ascii: "\n") {
          line += 1
          index += 1
        }
      case UInt8(ascii: "\""), UInt8(ascii: "'"):
        let start = line
        let token = readString(bytes, &index, &line, prefix: [])
        statement.append((token, start))
      case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
        depth += 1
        statement.append((.op(byte), line))
        index += 1
      case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
        depth = max(0, depth - 1)
        statement.append((.op(byte), line))
        index += 1
      case UInt8(ascii: ";"):
        index += 1
        if depth == 0 { finishStatement() }
      case UInt8(ascii: ":"):
        index += 1
        // `try: import x` — a statement may follow a colon on the same line. Splitting
        // annotations or lambdas here loses nothing the selection needs.
        if depth == 0 && !(index < count && bytes[index] == UInt8(ascii: "=")) {
          finishStatement()
        } else {
          statement.append((.op(byte), line))
        }
      case _ where isNameStart(byte):
        let start = index
        while index < count && isNameContinuation(bytes[index]) { index += 1 }
        // A string prefix (r, b, f, u, and pairs of them) right before a quote.
        if index < count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'"),
          index - start <= 2, isStringPrefix(bytes, start, index)
        {
          let prefix = Array(bytes[start..<index]).map { $0 | 0x20 }
          let startLine = line
          let token = readString(bytes, &index, &line, prefix: prefix)
          statement.append((token, startLine))
        } else {
          let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
          statement.append((.name(name), line))
        }
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0C:
        index += 1
      default:
        statement.append((.op(byte), line))
        index += 1
      }
    }
    finishStatement()
    return summary
  }

  private static func isNameStart(_ byte: UInt8) -> Bool {
    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte >= 0x80
  }

  private static func isNameContinuation(_ byte: UInt8) -> Bool {
    isNameStart(byte) || (byte >= 0x30 && byte <= 0x39)
  }

  private static func isStringPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    for position in start..<end {
      switch bytes[position] | 0x20 {
      case UInt8(ascii: "r"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "u"): continue
      default: return false
      }
    }
    return true
  }

  /// Reads a string literal starting at its quote; `index` ends after the closing quote.
  private static func readString(
    _ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ line: inout Int, prefix: [UInt8]
  ) -> Token {
    let count = bytes.count
    let quote = bytes[index]
    let isRaw = prefix.contains(UInt8(ascii: "r"))
    let isFormat = prefix.contains(UInt8(ascii: "f"))
    var isTriple = false
    if index + 2 < count && bytes[index + 1] == quote && bytes[index + 2] == quote {
      isTriple = true
      index += 3
    } else {
      index += 1
    }
    let start = index
    var end = index
    var isClosed = false
    while index < count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\\") && !isRaw {
        if index + 1 < count && bytes[index + 1] == UInt8(ascii: "\n") { line += 1 }
        index += 2
        continue
      }
      if byte == UInt8(ascii: "\\") && isRaw {
        index += min(2, count - index)
        continue
      }
      if byte == UInt8(ascii: "\n") {
        if !isTriple {
          // An unterminated one-line string ends at the line's end; the caller counts
          // that newline.
          end = index
          break
        }
        line += 1
      }
      if byte == quote {
        if !isTriple {
          end = index
          index += 1
          isClosed = true
          break
        }
        if index + 2 < count && bytes[index + 1] == quote && bytes[index + 2] == quote {
          end = index
          index += 3
          isClosed = true
          break
        }
      }
      index += 1
    }
    if !isClosed && index >= count { end = count }
    // Only short strings without white space can name a module, template or fixture;
    // a string with template syntax (`Template("{% load x %}…")`) is kept whole.
    let length = end - start
    if length >= 2, length <= 1 << 16, !isFormat, Self.hasTemplateTag(bytes, from: start, to: end) {
      return .string(
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self), isPrefix: false)
    }
    guard length > 0, length <= 200, !isTriple || length <= 200 else { return .string("", isPrefix: false) }
    var stop = end
    if isFormat {
      stop = start
      while stop < end && bytes[stop] != UInt8(ascii: "{") { stop += 1 }
    }
    for position in start..<stop {
      let byte = bytes[position]
      if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "\\") {
        return .string("", isPrefix: false)
      }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
    return .string(text, isPrefix: isFormat && stop < end)
  }

  // MARK: statements

  private static func parse(_ tokens: [(token: Token, line: Int)], into summary: inout PythonSourceSummary) {
    var owner: String?
    if tokens.count >= 2, case .name(let first) = tokens[0].token {
      switch tokens[1].token {
      case .op(UInt8(ascii: "=")), .op(UInt8(ascii: "+")), .op(UInt8(ascii: "|")): owner = first
      default: break
      }
    }
    if owner == "model" || owner == "queryset", tokens.count >= 3, case .name(let model) = tokens[2].token,
      model.first?.isUppercase == true
    {
      summary.viewModels.append(model)
    }
    if case .name("import") = tokens[0].token {
      parseImport(tokens, from: 1, into: &summary)
    } else if case .name("from") = tokens[0].token {
      parseFromImport(tokens, into: &summary)
    }
    for (position, entry) in tokens.enumerated() {
      switch entry.token {
      case .name(let name):
        if markerLengths.contains(name.utf8.count), let marker = markerNames[name] {
          if marker.client { summary.usesClient = true }
          if marker.urls { summary.usesURLs = true }
          if marker.signals { summary.connectsSignals = true }
        }
        // importlib.import_module("a.b"), __import__("a.b")
        if name == "import_module" || name == "__import__", position + 2 < tokens.count,
          tokens[position + 1].token == .op(UInt8(ascii: "(")),
          case .string(let target, false) = tokens[position + 2].token, !target.isEmpty, !target.hasPrefix(".")
        {
          summary.imports.append(PythonImport(module: target, names: [], level: 0, line: entry.line))
        }
      case .string(let text, let isPrefix):
        if !text.isEmpty {
          summary.strings.append(PythonString(text: text, owner: owner, isPrefix: isPrefix, line: entry.line))
        }
      case .op:
        break
      }
    }
  }

  /// `import a.b as c, d` from `start`.
  private static func parseImport(
    _ tokens: [(token: Token, line: Int)], from start: Int, into summary: inout PythonSourceSummary
  ) {
    var position = start
    while position < tokens.count {
      guard let (dotted, next) = dottedName(tokens, at: position) else { return }
      summary.imports.append(PythonImport(module: dotted, names: [], level: 0, line: tokens[position].line))
      position = next
      if position < tokens.count, case .name("as") = tokens[position].token { position += 2 }
      guard position < tokens.count, tokens[position].token == .op(UInt8(ascii: ",")) else { return }
      position += 1
    }
  }

  /// `from ..a.b import (c as d, e)` or `from . import *`.
  private static func parseFromImport(_ tokens: [(token: Token, line: Int)], into summary: inout PythonSourceSummary) {
    var position = 1
    var level = 0
    while position < tokens.count, tokens[position].token == .op(UInt8(ascii: ".")) {
      level += 1
      position += 1
    }
    var module = ""
    if let (dotted, next) = dottedName(tokens, at: position) {
      module = dotted
      position = next
    }
    guard position < tokens.count, case .name("import") = tokens[position].token else { return }
    guard level > 0 || !module.isEmpty else { return }
    position += 1
    var names: [String] = []
    while position < tokens.count {
      switch tokens[position].token {
      case .name("as"):
        position += 1  // skip the alias
      case .name(let name):
        names.append(name)
      case .op(UInt8(ascii: "*")):
        names.append("*")
      default:
        break
      }
      position += 1
    }
    summary.imports.append(PythonImport(module: module, names: names, level: level, line: tokens[0].line))
  }

  private static func dottedName(_ tokens: [(token: Token, line: Int)], at start: Int) -> (String, Int)? {
    guard start < tokens.count, case .name(let first) = tokens[start].token, first != "import" else { return nil }
    var parts = [first]
    var position = start + 1
    while position + 1 < tokens.count, tokens[position].token == .op(UInt8(ascii: ".")),
      case .name(let part) = tokens[position + 1].token
    {
      parts.append(part)
      position += 2
    }
    return (parts.joined(separator: "."), position)
  }
}
