/// Turns the HTML alternative of a mail into text a terminal can show: what the reader of
/// the mail would see, not the markup (templates with tables, styles and conditional
/// comments are unreadable raw).
///
/// A forgiving single pass over the bytes, not a parser: malformed markup degrades into
/// text, never into a crash or a quadratic scan.
public enum HTMLText {
  /// The mail's text: blocks on their own lines, list items with bullets, links with
  /// their address, entities decoded, whitespace collapsed, at most one blank line in a row.
  public static func readable(_ html: String) -> String {
    let reader = Reader(Array(html.utf8))
    reader.run()
    var result: [Substring] = []
    for line in String(decoding: reader.out, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
      var line = line
      while line.last == " " { line = line.dropLast() }
      if !line.isEmpty || !(result.last?.isEmpty ?? true) { result.append(line) }
    }
    while result.last?.isEmpty == true { result.removeLast() }
    return result.joined(separator: "\n")
  }

  static let entities: [String: String] = [
    "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
    "trade": "™", "mdash": "—", "ndash": "–", "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
    "rdquo": "”", "laquo": "«", "raquo": "»", "bull": "•", "middot": "·", "euro": "€", "pound": "£",
    "times": "×", "zwnj": "", "zwj": "", "shy": "",
  ]

  static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
  static func isAlphanumeric(_ byte: UInt8) -> Bool {
    (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
  }
  static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
  }

  /// The entity at `start` (an `&`) decoded, and where it ends; nil when it is just an `&`.
  static func entity(in b: [UInt8], at start: Int) -> (text: String, end: Int)? {
    var end = start + 1
    while end < b.count, end - start <= 32, isAlphanumeric(b[end]) || (end == start + 1 && b[end] == 0x23) { end += 1 }
    guard end < b.count, b[end] == 0x3B, end > start + 1 else { return nil }
    let name = b[(start + 1)..<end]
    guard name.first == 0x23 else { return entities[String(decoding: name, as: UTF8.self)].map { ($0, end + 1) } }
    let isHex = name.count > 1 && name[start + 2] | 0x20 == 0x78
    let digits = String(decoding: name.dropFirst(isHex ? 2 : 1), as: UTF8.self)
    guard digits.count <= 8, let value = UInt32(digits, radix: isHex ? 16 : 10) else { return nil }
    let scalar = value == 0 ? nil : Unicode.Scalar(value)
    return (String(Character(scalar ?? "\u{FFFD}")), end + 1)
  }

  /// Text with its entities decoded, for attribute values.
  static func decoded(_ b: [UInt8], _ range: Range<Int>) -> String {
    var text = ""
    var position = range.lowerBound
    var run = position
    while position < range.upperBound {
      if b[position] == 0x26, let (decoded, end) = entity(in: b, at: position), end <= range.upperBound {
        text += String(decoding: b[run..<position], as: UTF8.self) + decoded
        position = end
        run = end
      } else {
        position += 1
      }
    }
    return text + String(decoding: b[run..<range.upperBound], as: UTF8.self)
  }
}

extension HTMLText {
  /// The pass over the markup, and the text it writes: pending spaces and line breaks are
  /// only written before the next visible text, so nothing trails or piles up.
  final class Reader {
    let b: [UInt8]
    var i = 0
    var out: [UInt8] = []
    var space = false
    var separator = false
    var breaks = 0
    /// Open lists: -1 for `ul`, the last number used for `ol`.
    var lists: [Int] = []
    var cellsInRow = 0
    var link: (href: String, start: Int)?
    var heading: (underline: String, start: Int)?
    /// Set once a `<` found no `>` after it: none will, so the rest is text.
    var tagsEnded = false
    let lastQuote: (double: Int, single: Int)

    init(_ bytes: [UInt8]) {
      b = bytes
      lastQuote = (bytes.lastIndex(of: 0x22) ?? -1, bytes.lastIndex(of: 0x27) ?? -1)
    }

    func run() {
      while i < b.count {
        let c = b[i]
        if c == 0x3C, !tagsEnded, tag() { continue }
        if c == 0x26, let (text, end) = HTMLText.entity(in: b, at: i) {
          for byte in text.utf8 { write(byte) }
          i = end
        } else if c == 0xC2, i + 1 < b.count, b[i + 1] == 0xA0 {  // a literal no-break space
          space = true
          i += 2
        } else {
          write(c)
          i += 1
        }
      }
    }

    func write(_ byte: UInt8) {
      if HTMLText.isSpace(byte) {
        space = true
      } else {
        flush()
        out.append(byte)
      }
    }

    func emit(_ text: String) {
      flush()
      out += text.utf8
    }

    func block(_ lines: Int) { breaks = max(breaks, lines) }

    func flush() {
      if breaks > 0 {
        if !out.isEmpty { out += repeatElement(0x0A, count: breaks) }
      } else if let last = out.last, last != 0x0A, last != 0x20, space || separator {
        out.append(0x20)
        if separator { out.append(0x20) }
      }
      (breaks, space, separator) = (0, false, false)
    }

    /// Reads the tag, comment or declaration at `i`; false when the `<` is just text.
    func tag() -> Bool {
      let n = b.count
      if i + 1 < n, b[i + 1] == 0x21 || b[i + 1] == 0x3F {  // <!-- -->, <!DOCTYPE>, <?xml?>
        let isComment = i + 3 < n && b[i + 2] == 0x2D && b[i + 3] == 0x2D
        var end = i + (isComment ? 4 : 2)
        while end < n, !(b[end] == 0x3E && (!isComment || (b[end - 1] == 0x2D && b[end - 2] == 0x2D))) { end += 1 }
        i = min(end + 1, n)
        return true
      }
      let closing = i + 1 < n && b[i + 1] == 0x2F
      let nameStart = i + (closing ? 2 : 1)
      guard nameStart < n, b[nameStart] | 0x20 >= 0x61, b[nameStart] | 0x20 <= 0x7A else { return false }
      var end = nameStart
      while end < n, HTMLText.isAlphanumeric(b[end]) { end += 1 }
      let name = HTMLText.lowercased(b[nameStart..<end])
      let attributesStart = end
      while end < n, b[end] != 0x3E {
        let quote = b[end]
        if quote == 0x22 || quote == 0x27, end < (quote == 0x22 ? lastQuote.double : lastQuote.single),
          b[end - 1] == 0x3D
        {
          end += 1
          while end < n, b[end] != quote { end += 1 }
        }
        end += 1
      }
      guard end < n else {
        tagsEnded = true
        return false
      }
      i = end + 1
      element(name, closing: closing, attributes: attributesStart..<end)
      return true
    }

    /// Skips what an element holds up to its end tag (or, for `head`, to `<body`).
    func skipContent(of name: String) {
      let end = Array("</\(name)".utf8)
      let body = Array("<body".utf8)
      func isAt(_ text: [UInt8]) -> Bool {
        i + text.count <= b.count && text.indices.allSatisfy { b[i + $0] | 0x20 == text[$0] | 0x20 }
      }
      while i < b.count, b[i] != 0x3C || !(isAt(end) || (name == "head" && isAt(body))) { i += 1 }
    }

    func element(_ name: String, closing: Bool, attributes: Range<Int>) {
      switch name {
      case "head", "style", "script", "title", "template":
        if !closing { skipContent(of: name) }
      case "br": breaks = min(breaks + 1, 2)
      case "p", "h3", "h4", "h5", "h6": block(2)
      case "h1", "h2":
        if closing, let heading, out.count > heading.start {
          let lineStart = (out[heading.start...].lastIndex(of: 0x0A) ?? heading.start - 1) + 1
          let width = TextWidth.of(String(decoding: out[lineStart...], as: UTF8.self))
          breaks = 1
          emit(String(repeating: heading.underline, count: min(width, 80)))
        }
        heading = closing ? nil : (name == "h1" ? "=" : "-", out.count)
        block(2)
      case "div", "table", "blockquote", "section", "article", "header", "footer", "center", "dl", "dt", "dd", "pre",
        "form", "address", "main", "nav", "li":
        block(1)
        if name == "li", !closing {
          let depth = String(repeating: "  ", count: min(max(lists.count - 1, 0), 8))
          if lists.last ?? -1 >= 0 { lists[lists.count - 1] += 1 }
          emit(depth + (lists.last.map { $0 >= 0 ? "\($0). " : "• " } ?? "• "))
        }
      case "ul", "ol":
        if closing { _ = lists.popLast() } else { lists.append(name == "ol" ? 0 : -1) }
        block(1)
      case "tr":
        cellsInRow = 0
        block(1)
      case "td", "th":
        if !closing {
          separator = cellsInRow > 0
          cellsInRow += 1
        }
      case "hr":
        block(1)
        emit(String(repeating: "-", count: 20))
        block(1)
      case "img":
        if let alt = attribute("alt", in: attributes), !alt.isEmpty { emit("[\(alt)]") }
      case "a":
        if !closing {
          link = (attribute("href", in: attributes) ?? "", out.count)
        } else if let link {
          endLink(link.href, text: String(decoding: out[min(link.start, out.count)...], as: UTF8.self))
          self.link = nil
        }
      default: break
      }
    }

    /// Writes a link's address after its text, unless the text already says it.
    func endLink(_ href: String, text: String) {
      let href = href.trimmingSpaces
      func bare(_ address: String) -> String {
        var address = address.lowercased()
        for scheme in ["mailto:", "tel:", "https://", "http://"] where address.hasPrefix(scheme) {
          address.removeFirst(scheme.count)
        }
        while address.hasSuffix("/") { address.removeLast() }
        return address
      }
      guard !href.isEmpty, !href.hasPrefix("#"), !href.lowercased().hasPrefix("javascript:"),
        bare(href) != bare(text.trimmingSpaces)
      else { return }
      space = true
      emit(text.trimmingSpaces.isEmpty ? href : "(\(href))")
    }

    /// The value of an attribute of the tag in `range`, entities decoded.
    func attribute(_ wanted: String, in range: Range<Int>) -> String? {
      var k = range.lowerBound
      while k < range.upperBound {
        let nameStart = k
        while k < range.upperBound, !HTMLText.isSpace(b[k]), b[k] != 0x3D, b[k] != 0x2F { k += 1 }
        let name = HTMLText.lowercased(b[nameStart..<k])
        while k < range.upperBound, HTMLText.isSpace(b[k]) { k += 1 }
        var value = k..<k
        if k < range.upperBound, b[k] == 0x3D {
          k += 1
          while k < range.upperBound, HTMLText.isSpace(b[k]) { k += 1 }
          // Typed, and no `nil` branch that could pick an optional-returning subscript: a module
          // this one imports (TOMLKit) gives arrays a `subscript(index:) -> TOMLValue?` that
          // converts the whole array on each read.
          var quote: UInt8 = 0  // none: the value ends at a space
          if k < range.upperBound, b[k] == 0x22 || b[k] == 0x27 {
            quote = b[k]
            k += 1
          }
          let start = k
          while k < range.upperBound, quote == 0 ? !HTMLText.isSpace(b[k]) : b[k] != quote { k += 1 }
          value = start..<k
          k += 1
        }
        if name == wanted { return HTMLText.decoded(b, value) }
        if k == nameStart { k += 1 }
      }
      return nil
    }
  }
}

extension String {
  /// The text without spaces and line breaks at either end.
  fileprivate var trimmingSpaces: String {
    let bytes = Array(utf8)
    let start = bytes.firstIndex { !HTMLText.isSpace($0) } ?? bytes.count
    let end = (bytes.lastIndex { !HTMLText.isSpace($0) } ?? -1) + 1
    return start < end ? String(decoding: bytes[start..<end], as: UTF8.self) : ""
  }
}
