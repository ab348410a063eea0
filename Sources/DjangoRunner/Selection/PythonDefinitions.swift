/// One Python file read as its functions and its module level: each function's source
/// (decorators, signature and body) under its qualified name, and everything else —
/// what runs when the module is imported.
///
/// The unit is the **outermost function**: a `def` at module level or directly in a
/// class body (classes nest: `Outer.Inner.method`). Nested functions, classes defined in
/// a function, lambdas and comprehensions inside it belong to it, so a record's
/// `Foo.bar.<locals>.inner` counts as `Foo.bar` (`unit(of:)`): whoever executed the inner
/// function executed the outer one that made it, and changing the inner body changes the
/// outer one's text. Two `def`s with one qualified name (a property's getter and setter, a
/// function defined in both branches of an `if`) are one unit, as they are one
/// `co_qualname` to Python.
///
/// Module level: imports, constants, decorators and signatures (evaluated when the `def`
/// runs), class bodies outside methods, lambdas and comprehensions at module level, the
/// docstrings (the module's, the classes' and the functions': a function's is `f.__doc__`,
/// set when the `def` runs and read without calling it), and the set of definitions. A
/// function's fingerprint covers its docstring too.
///
/// Normalized as a tokenizer would see it: comments, blank lines and line continuations do
/// not count, runs of blanks outside strings are one, tabs indent to the next multiple of
/// 8 (as Python reads them). Like `ModuleSkeleton`, forgiving: broken source gives what can
/// be read, never an error.
public struct PythonDefinitions: Equatable, Sendable {
  /// The unit of everything outside functions, as records name module code (`<module>`).
  public static let moduleLevel = "<module>"

  /// Qualified name → the normalized source of its definition(s), body relative to its `def`.
  public private(set) var functions: [String: String] = [:]
  /// The module level, one normalized logical line each, function bodies left out.
  public private(set) var moduleLines: [String] = []

  /// The unit of a template file: the whole file, one unit with no module level, as a
  /// record names it (`<template>` under the template's path). A test that rendered it
  /// (directly, or as another's parent or include) executed it.
  public static let template = "<template>"

  /// A template file (any file but a Python one) read as one unit, `template`: a change of
  /// its text is a change of that unit only, so the tests that rendered it are the ones a
  /// save selects (`FunctionNarrowing`).
  public init(template text: String) {
    functions = [Self.template: text]
  }

  /// A file's definitions by its kind: Python source for a `.py` path, otherwise a template.
  public init(path: String, text: String) {
    if path.hasSuffix(".py") { self.init(source: text) } else { self.init(template: text) }
  }

  public init(source: String) {
    var classes: [(indent: Int, name: String)] = []
    var decorators: [String] = []
    // The function whose body is being read; `hasStatement`: its first statement was read.
    var open: (indent: Int, name: String, lines: [String], hasStatement: Bool)?

    func close() {
      guard let function = open else { return }
      let text = function.lines.joined(separator: "\n")
      if let earlier = functions[function.name] {
        functions[function.name] = earlier + "\n\u{1}\n" + text
      } else {
        functions[function.name] = text
      }
      open = nil
    }

    for line in Self.logicalLines(of: Array(source.utf8)) {
      if let function = open {
        if line.indent > function.indent {
          if !function.hasStatement, Self.isStringStatement(line.text) {
            // Its docstring is `f.__doc__`: set when the `def` runs (module level), and read
            // without calling `f` (admindocs, DRF's descriptions, `help()`).
            moduleLines.append(String(repeating: " ", count: line.indent) + line.text)
          }
          open?.lines.append(String(repeating: " ", count: line.indent - function.indent) + line.text)
          open?.hasStatement = true
          continue
        }
        close()
      }
      while let last = classes.last, last.indent >= line.indent { classes.removeLast() }
      let indented = String(repeating: " ", count: line.indent) + line.text
      if line.text.hasPrefix("@") {
        decorators.append(line.text)
        moduleLines.append(indented)
        continue
      }
      if let (name, signature, inlineBody) = Self.definition(line.text, keyword: "def") {
        let qualname = (classes.map(\.name) + [name]).joined(separator: ".")
        moduleLines.append(String(repeating: " ", count: line.indent) + signature)
        if Self.isStringStatement(inlineBody) {
          moduleLines.append(String(repeating: " ", count: line.indent + 1) + inlineBody)
        }
        open = (
          line.indent, qualname, decorators + [signature] + (inlineBody.isEmpty ? [] : [" " + inlineBody]),
          !inlineBody.isEmpty
        )
      } else if let (name, header, inlineBody) = Self.definition(line.text, keyword: "class") {
        moduleLines.append(String(repeating: " ", count: line.indent) + header)
        if !inlineBody.isEmpty { moduleLines.append(String(repeating: " ", count: line.indent + 1) + inlineBody) }
        classes.append((line.indent, name))
      } else {
        moduleLines.append(indented)
      }
      decorators = []
    }
    close()
  }

  /// Each function's fingerprint, and the module level's under `moduleLevel`.
  public var fingerprints: [String: String] {
    var result = functions.mapValues(Self.fingerprint)
    result[Self.moduleLevel] = moduleFingerprint
    return result
  }

  /// The fingerprint of everything outside function bodies.
  public var moduleFingerprint: String { Self.fingerprint(moduleLines.joined(separator: "\n")) }

  /// The unit a recorded code object's `co_qualname` belongs to: its outermost function
  /// (`Foo.bar.<locals>.inner` → `Foo.bar`) when this file defines it, otherwise the
  /// module level (`<module>`, a class body `Foo`, a module-level `<lambda>`, `<genexpr>`).
  public func unit(of qualname: String) -> String {
    var name = Substring(qualname)
    if let locals = qualname.range(of: ".<locals>") { name = qualname[..<locals.lowerBound] }
    let key = String(name)
    return functions[key] != nil ? key : Self.moduleLevel
  }

  /// A stable 64-bit FNV-1a hash of `text`, as 16 hex digits (the same in every process,
  /// unlike `Hasher`): kept in records across runs.
  public static func fingerprint(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  // MARK: reading

  /// A statement that is only a string literal (`"""Doc."""`, `r'doc'`, implicitly
  /// concatenated ones): a docstring when it comes first. An expression that merely starts
  /// and ends with strings (`"a" + "b"`) is taken as one too, which only errs toward
  /// module level.
  static func isStringStatement(_ text: String) -> Bool {
    let body = text.drop { "rRuUbB".contains($0) }
    guard text.count - body.count <= 2, let first = body.first, first == "\"" || first == "'",
      let last = body.last, last == "\"" || last == "'"
    else { return false }
    return true
  }

  /// `def name(…) -> T: body` (`async def` too) or `class Name(…): body`: the name, the
  /// header up to its colon, and what follows the colon on the same line.
  static func definition(_ text: String, keyword: String) -> (name: String, header: String, body: String)? {
    var rest = Substring(text)
    if keyword == "def", rest.hasPrefix("async ") { rest = rest.dropFirst(6).drop { $0 == " " } }
    guard rest.hasPrefix(keyword + " ") else { return nil }
    let afterKeyword = rest.dropFirst(keyword.count + 1).drop { $0 == " " }
    let name = afterKeyword.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
    guard !name.isEmpty else { return nil }
    // The header ends at the first colon outside brackets and strings (after the name:
    // `def f(k=lambda x: x) -> dict[str, int]:`).
    var colon: String.Index?
    ModuleSkeleton.forEachCharacterOutsideStrings(of: text) { index, character, depth in
      if colon == nil, character == ":", depth == 0, index > name.startIndex { colon = index }
    }
    guard let end = colon else { return (String(name), text, "") }
    let body = text[text.index(after: end)...].trimmingCharacters(in: .whitespaces)
    return (String(name), String(text[...end]), body)
  }

  /// A statement of source, with the indent of its first line (tabs to the next multiple
  /// of 8) and its normalized text.
  struct LogicalLine: Equatable {
    var indent: Int
    var text: String
  }

  /// Splits `bytes` into logical lines: brackets, backslash continuations and
  /// triple-quoted strings join physical lines; comments and blank lines are dropped; runs
  /// of blanks outside strings become one space.
  static func logicalLines(of bytes: [UInt8]) -> [LogicalLine] {
    var lines: [LogicalLine] = []
    var text: [UInt8] = []
    var indent = 0
    var depth = 0
    var atLineStart = true  // at the start of a physical line that begins a statement
    var index = 0
    let count = bytes.count

    func space() {
      if let last = text.last, last != UInt8(ascii: " ") { text.append(UInt8(ascii: " ")) }
    }
    func finish() {
      while text.last == UInt8(ascii: " ") { text.removeLast() }
      if !text.isEmpty { lines.append(LogicalLine(indent: indent, text: String(decoding: text, as: UTF8.self))) }
      text.removeAll(keepingCapacity: true)
      depth = 0
      atLineStart = true
    }

    while index < count {
      if atLineStart {
        var width = 0
        while index < count {
          switch bytes[index] {
          case UInt8(ascii: " "): width += 1
          case UInt8(ascii: "\t"): width = (width / 8 + 1) * 8
          case 0x0C: width = 0
          case UInt8(ascii: "\r"): break
          default: break
          }
          guard [UInt8(ascii: " "), UInt8(ascii: "\t"), 0x0C, UInt8(ascii: "\r")].contains(bytes[index]) else { break }
          index += 1
        }
        indent = width
        atLineStart = false
        continue
      }
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\n"):
        index += 1
        if depth > 0 { space() } else { finish() }
      case UInt8(ascii: "#"):
        while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
      case UInt8(ascii: "\\"):
        var next = index + 1
        if next < count && bytes[next] == UInt8(ascii: "\r") { next += 1 }
        if next < count && bytes[next] == UInt8(ascii: "\n") {
          index = next + 1
          space()
        } else {
          text.append(byte)
          index += 1
        }
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0C:
        index += 1
        space()
      case UInt8(ascii: "\""), UInt8(ascii: "'"):
        copyString(bytes, &index, into: &text)
      case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
        depth += 1
        text.append(byte)
        index += 1
      case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
        depth = max(0, depth - 1)
        text.append(byte)
        index += 1
      default:
        text.append(byte)
        index += 1
      }
    }
    finish()
    return lines
  }

  /// Copies the string literal starting at its quote, verbatim; `index` ends after it. A
  /// backslash always keeps the next byte inside the string (raw strings too, as Python's
  /// tokenizer does); an unclosed one-line string ends at the line's end.
  private static func copyString(_ bytes: [UInt8], _ index: inout Int, into text: inout [UInt8]) {
    let count = bytes.count
    let quote = bytes[index]
    let isTriple = index + 2 < count && bytes[index + 1] == quote && bytes[index + 2] == quote
    let start = index
    index += isTriple ? 3 : 1
    while index < count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\\") {
        index += 2
        continue
      }
      if byte == UInt8(ascii: "\n") && !isTriple { break }
      if byte == quote {
        if !isTriple {
          index += 1
          break
        }
        if index + 2 < count && bytes[index + 1] == quote && bytes[index + 2] == quote {
          index += 3
          break
        }
      }
      index += 1
    }
    index = min(index, count)
    text.append(contentsOf: bytes[start..<index])
  }
}
