/// Lays out one SQL statement as Django sent it, for the SQL tab: the ORM writes a whole
/// statement on one line, which nobody can read once it joins three tables.
///
/// A lexer, not a parser: every token keeps its original text and only whitespace
/// changes, so garbage (unbalanced quotes or parentheses, another dialect) comes out
/// unharmed. One pass over the bytes and one over the tokens keep it linear.
public enum SQLFormatter {
  /// The statement with each major clause on its own line, `AND`/`OR` of a `WHERE` on
  /// indented lines and long column lists one column a line; no lines for blank input.
  public static func format(_ sql: String) -> [StyledLine] {
    let bytes = Array(sql.utf8)
    let layout = Layout(bytes: bytes, tokens: tokenize(bytes))
    layout.run()
    return layout.lines
  }

  /// The statement on one line, every run of whitespace a single space: for lists, and
  /// to compare statements.
  public static func oneLine(_ sql: String) -> String {
    var sql = sql
    sql.makeContiguousUTF8()
    return sql.utf8.withContiguousStorageIfAvailable { collapsed($0) }.flatMap { $0 } ?? sql
  }

  /// The text with runs of whitespace collapsed; nil when it has none to collapse, the
  /// common case, which then costs one quick scan.
  static func collapsed(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    var previous: UInt8 = 0x20
    var clean = true
    for byte in bytes {
      let space = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
      if space, byte != 0x20 || previous == 0x20 {
        clean = false
        break
      }
      previous = byte
    }
    if clean, previous != 0x20 || bytes.isEmpty { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var space = false
    for byte in bytes {
      if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
        space = !out.isEmpty
      } else {
        if space { out.append(0x20) }
        space = false
        out.append(byte)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  enum Kind { case word, keyword, string, identifier, number, placeholder, comment, lineComment, punctuation }

  /// The keywords that steer the layout; every other keyword is `other`.
  enum Word: UInt8, CaseIterable {
    case none, other
    case select, from, `where`, having, limit, offset, values, returning, union, intersect, except, with, window
    case insert, delete, update, set, group, order, by, join, inner, cross, natural, left, right, full, outer
    case `for`, on, conflict, share, no, key, distinct, and, or, between, `case`, end

    /// Clauses whose top-level commas separate items worth a line each when the list is long.
    var isList: Bool {
      switch self {
      case .select, .values, .set, .group, .order, .returning: return true
      default: return false
      }
    }

    var isJoin: Bool {
      switch self {
      case .inner, .left, .right, .full, .outer, .cross, .natural, .join: return true
      default: return false
      }
    }
  }

  /// A token: plain data, so that copying one costs nothing.
  struct Token {
    var kind: Kind
    var range: Range<Int>
    /// Whether whitespace preceded the token in the original.
    var spaced: Bool
    var word = Word.none
    var multiline = false
    /// The first byte, which is all of a punctuation token.
    var byte: UInt8 = 0
  }

  static let otherKeywords = [
    "ADD", "ALL", "ALTER", "ANY", "AS", "ASC", "BEGIN", "CASCADE", "CAST", "CHECK", "COLLATE", "COLUMN", "COMMIT",
    "CONSTRAINT", "CREATE", "CURRENT", "DEFAULT", "DEFERRABLE", "DEFERRED", "DESC", "DO", "DROP", "ELSE", "ESCAPE",
    "EXISTS", "FALSE", "FILTER", "FIRST", "FOLLOWING", "FOREIGN", "GLOB", "ILIKE", "IMMEDIATE", "IN", "INDEX",
    "INITIALLY", "INTO", "IS", "LAST", "LATERAL", "LIKE", "LOCKED", "NOT", "NOTHING", "NOWAIT", "NULL", "NULLS", "OF",
    "OVER", "PARTITION", "PRECEDING", "PRIMARY", "RANGE", "RECURSIVE", "REFERENCES", "RELEASE", "ROLLBACK", "ROW",
    "ROWS", "SAVEPOINT", "SKIP", "TABLE", "THEN", "TO", "TRANSACTION", "TRUE", "UNBOUNDED", "UNIQUE", "USING", "WHEN",
  ]

  /// Keywords by `code`, so that telling one costs no allocation.
  static let keywords: [UInt64: Word] = {
    var keywords: [UInt64: Word] = [:]
    for name in otherKeywords { keywords[code(Array(name.utf8)[...])] = .other }
    for word in Word.allCases.dropFirst(2) { keywords[code(Array("\(word)".utf8)[...])] = word }
    return keywords
  }()

  /// A word of up to 12 letters as a number, five bits a letter, case ignored; 0 for
  /// anything else.
  static func code(_ word: ArraySlice<UInt8>) -> UInt64 {
    var code: UInt64 = 0
    for byte in word {
      let letter = byte | 0x20
      guard letter >= 0x61, letter <= 0x7A else { return 0 }
      code = code << 5 | UInt64(letter - 0x60)
    }
    return code
  }

  static let longList = 60
  static let maxIndent = 40

  /// Bytes of words: letters, digits, `_`, `$` and anything beyond ASCII (so tokens only
  /// split at ASCII characters and their text stays valid UTF-8).
  static let wordBytes: [Bool] = (0...255).map {
    (0x30...0x39).contains($0) || (0x41...0x5A).contains($0 & ~0x20) || $0 == 0x5F || $0 == 0x24 || $0 >= 0x80
  }

  static func tokenize(_ b: [UInt8]) -> [Token] {
    var tokens: [Token] = []
    tokens.reserveCapacity(b.count / 6)
    let isWord = wordBytes
    let n = b.count
    var i = 0
    var spaced = false
    while i < n {
      let c = b[i]
      let next: UInt8 = i + 1 < n ? b[i + 1] : 0
      if c == 0x20 || (c >= 0x09 && c <= 0x0D) {
        spaced = true
        i += 1
        continue
      }
      let start = i
      var kind = Kind.punctuation
      i += 1
      if c == 0x27 || c == 0x22 || c == 0x60 {  // ' " `, a doubled quote is an escaped one
        kind = c == 0x27 ? .string : .identifier
        while i < n, b[i] != c || (i + 1 < n && b[i + 1] == c) { i += b[i] == c ? 2 : 1 }
        i = min(i + 1, n)
      } else if c == 0x2D, next == 0x2D {  // -- to the end of the line
        kind = .lineComment
        while i < n, b[i] != 0x0A, b[i] != 0x0D { i += 1 }
      } else if c == 0x2F, next == 0x2A {  // /* … */
        kind = .comment
        i += 2
        while i < n, b[i - 1] != 0x2A || b[i] != 0x2F { i += 1 }
        i = min(i + 1, n)
      } else if c >= 0x30, c <= 0x39 {  // digits, a fraction, an exponent
        kind = .number
        while i < n, isWord[Int(b[i])] || b[i] == 0x2E || ((b[i] == 0x2B || b[i] == 0x2D) && b[i - 1] | 0x20 == 0x65) {
          i += 1
        }
      } else if c == 0x25, next == 0x73 {  // %s
        kind = .placeholder
        i += 1
      } else if c == 0x25, next == 0x28 {  // %(name)s
        var j = i + 1
        while j < min(n - 1, i + 80), b[j] != 0x29 { j += 1 }
        if j < n - 1, b[j] == 0x29, isWord[Int(b[j + 1])] {
          kind = .placeholder
          i = j + 2
        }
      } else if c == 0x3F || (c == 0x24 && next >= 0x30 && next <= 0x39) {  // ? ?1 $1
        kind = .placeholder
        while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
      } else if isWord[Int(c)] {
        kind = .word
        while i < n, isWord[Int(b[i])] { i += 1 }
      }
      var token = Token(kind: kind, range: start..<i, spaced: spaced, byte: c)
      if kind == .word, i - start <= 12, let word = keywords[code(b[start..<i])] {
        token.kind = .keyword
        token.word = word
      } else if kind == .string || kind == .identifier || kind == .comment {
        token.multiline = b[start..<i].contains { $0 == 0x0A || $0 == 0x0D }
      }
      tokens.append(token)
      spaced = false
    }
    return tokens
  }
}

extension SQLFormatter {
  /// One level of parentheses. Only the statement and sub-selects lay their clauses out;
  /// inside other parentheses (calls, `IN` lists, `OVER`) text flows on.
  struct Frame {
    var indent: Int
    var isLayout: Bool
    /// Parentheses that hold a whole `WHERE` condition, as Django writes it: their
    /// `AND`/`OR` break like the clause's own.
    var isCondition = false
    var clause = Word.none
    var breaksCommas = false
    var between = false
    var cases = 0
  }

  /// A class so that its small helpers never copy the tokens (a debug build copies a
  /// struct's `self` for a non-mutating call from a mutating one).
  final class Layout {
    let bytes: [UInt8]
    let tokens: [Token]
    var lines: [StyledLine] = []
    var line = StyledLine()
    var indent = 0
    var lineHasText = false

    init(bytes: [UInt8], tokens: [Token]) {
      self.bytes = bytes
      self.tokens = tokens
    }

    func text(_ index: Int) -> String { String(decoding: bytes[tokens[index].range], as: UTF8.self) }
    func word(_ index: Int) -> Word { index >= 0 && index < tokens.count ? tokens[index].word : .none }

    /// Whether the keyword at `index` begins a clause (`LEFT` of `LEFT OUTER JOIN`, not of `LEFT(…)`).
    func startsClause(_ index: Int) -> Bool {
      let previous = word(index - 1)
      let next = word(index + 1)
      switch tokens[index].word {
      case .select, .where, .having, .limit, .offset, .values, .returning, .union, .intersect, .except, .with, .window,
        .insert:
        return true
      case .from: return previous != .delete && previous != .distinct
      case .delete, .update, .set: return ![.on, .for, .key, .delete, .update].contains(previous)
      case .group, .order: return next == .by
      case .join: return !previous.isJoin
      case .inner, .cross, .natural: return next.isJoin
      case .left, .right, .full: return previous != .natural && (next == .join || next == .outer)
      case .for: return [.update, .share, .no, .key].contains(next)
      case .on: return next == .conflict
      default: return false
      }
    }

    /// For each list clause's keyword, the width of the clause (a prefix sum per token
    /// and a stack of open clauses keep this linear).
    func listLengths() -> [Int: Int] {
      var prefix = [0]
      prefix.reserveCapacity(tokens.count + 1)
      for token in tokens { prefix.append(prefix[prefix.count - 1] + token.range.count + (token.spaced ? 1 : 0)) }
      var lengths: [Int: Int] = [:]
      var open: [(depth: Int, index: Int)] = []
      var depth = 0
      for index in tokens.indices {
        let token = tokens[index]
        var closeFrom = Int.max
        if token.kind == .punctuation {
          if token.byte == 0x28 { depth += 1 }
          if token.byte == 0x29 {
            closeFrom = depth
            depth = max(0, depth - 1)
          }
          if token.byte == 0x3B {
            closeFrom = 0
            depth = 0
          }
        } else if token.kind == .keyword, startsClause(index) {
          closeFrom = depth
        }
        while let last = open.last, last.depth >= closeFrom {
          lengths[last.index] = prefix[index] - prefix[last.index + 1]
          open.removeLast()
        }
        if closeFrom == depth, token.word.isList { open.append((depth, index)) }
      }
      for last in open { lengths[last.index] = prefix[tokens.count] - prefix[last.index + 1] }
      return lengths
    }

    func breakLine(_ newIndent: Int) {
      if lineHasText {
        lines.append(line)
        line = StyledLine()
        lineHasText = false
      }
      indent = min(newIndent, SQLFormatter.maxIndent)
    }

    func emit(_ index: Int, _ role: Role, bold: Bool = false) {
      let token = tokens[index]
      if !lineHasText, indent > 0 {
        line.append(String(repeating: " ", count: indent))
      } else if lineHasText, token.spaced {
        line.spans[line.spans.count - 1].text.append(" ")
      }
      lineHasText = true
      guard token.multiline else { return put(text(index), role, bold) }
      for (number, part) in text(index).lines.enumerated() {
        if number > 0 {
          lines.append(line)
          line = StyledLine()
        }
        put(String(part), role, bold)
      }
    }

    /// Adds text to the line, to its last span when that looks the same (fewer spans, and
    /// a wall of parentheses costs one).
    func put(_ text: String, _ role: Role, _ bold: Bool) {
      let last = line.spans.count - 1
      if last >= 0, line.spans[last].role == role, line.spans[last].isBold == bold {
        line.spans[last].text.append(text)
      } else {
        line.append(text, role, bold: bold)
      }
    }

    func run() {
      let lengths = listLengths()
      var frames = [Frame(indent: 0, isLayout: true)]
      for index in tokens.indices {
        let token = tokens[index]
        var top = frames[frames.count - 1]
        switch token.kind {
        case .punctuation:
          emit(index, .muted)
          if token.byte == 0x28 {
            if word(index + 1) == .select || word(index + 1) == .with {
              frames.append(Frame(indent: indent + 4, isLayout: true))
            } else {
              let isCondition = top.isLayout && (word(index - 1) == .where || word(index - 1) == .having)
              frames.append(Frame(indent: top.indent, isLayout: false, isCondition: isCondition))
            }
            continue
          } else if token.byte == 0x29 {
            if frames.count > 1 { frames.removeLast() }
            continue
          } else if token.byte == 0x3B {
            frames = [Frame(indent: 0, isLayout: true)]
            breakLine(0)
            continue
          } else if token.byte == 0x2C, top.isLayout, top.breaksCommas, top.cases == 0 {
            breakLine(top.indent + 2)
          }
        case .keyword:
          let word = token.word
          let inCondition = top.isCondition || (top.isLayout && (top.clause == .where || top.clause == .having))
          if top.isLayout, startsClause(index) {
            if index == 0 || tokens[index - 1].kind != .punctuation || tokens[index - 1].byte != 0x28 {
              breakLine(top.indent)
            }
            top.clause = word
            top.breaksCommas = word.isList && lengths[index, default: 0] > SQLFormatter.longList
            top.between = false
            top.cases = 0
            emit(index, .sqlKeyword, bold: true)
          } else if word == .and || word == .or, inCondition, top.cases == 0 {
            if top.between, word == .and { top.between = false } else { breakLine(top.indent + 2) }
            emit(index, .sqlKeyword, bold: true)
          } else {
            if word == .between { top.between = true }
            if word == .case { top.cases += 1 }
            if word == .end { top.cases = max(0, top.cases - 1) }
            emit(index, .sqlKeyword)
          }
        case .lineComment:
          emit(index, .muted)
          breakLine(indent)
        case .comment: emit(index, .muted)
        case .string: emit(index, .sqlString)
        case .number, .placeholder: emit(index, .sqlNumber)
        case .word, .identifier: emit(index, .text)
        }
        frames[frames.count - 1] = top
      }
      breakLine(0)
    }
  }
}
