/// Which functions read a top-level constant whose value a save changed: what lets
/// `FunctionNarrowing` treat `TAX = 21` (was `TAX = 20`) like a change of the bodies of the
/// functions that read `TAX`.
///
/// A constant is a module-level `NAME = value` (one name, at indent 0). Its new value
/// reaches a test only through code that reads it: a function that names it (in this file,
/// or in any file that imported it), or module-level code that ran at import (another
/// constant built from it, a class attribute, a default argument, a decorator). The second
/// kind is found in the source and never narrowed; the first is a set of functions, and the
/// tests that executed one of them are the tests the change can reach.
///
/// Conservative by construction: a name counts as read wherever it appears as a word —
/// in strings and comments too (`getattr(module, "TAX")`), and as anyone's attribute
/// (`self.TAX`) — so a reader can only be found in excess. `__all__`, import statements and
/// docstrings only name it.
public enum ConstantReaders {
  /// A function of a project file: its path and its unit (as `PythonDefinitions` names it).
  public struct Function: Hashable, Sendable {
    public var path: String
    public var name: String
  }

  /// Module-level names Django (or Python) reads from a project module by name, so no
  /// project code need mention them: a URLconf's `urlpatterns`, `app_name` and error
  /// handlers, a tag library's `register`, an app's `default_app_config`, `__all__`.
  public static let readByName: Set<String> = [
    "urlpatterns", "app_name", "handler400", "handler403", "handler404", "handler500", "register",
    "default_app_config", "__all__", "__getattr__", "__path__",
  ]

  /// What the search found.
  public enum Finding: Equatable, Sendable {
    /// Module-level code reads a changed constant when it is imported (why, one line): its
    /// value is fixed then, and no record says who uses it.
    case readAtImport(String)
    /// The functions that name a changed constant → the constant (the first one named).
    case readers([Function: String])
  }

  /// The names of the top-level constants whose values differ between two module levels
  /// (`PythonDefinitions.moduleLines`), or nil when anything else differs (a line added,
  /// removed or changed that is not the same constant's assignment).
  public static func changedNames(old: [String], new: [String]) -> Set<String>? {
    guard old.count == new.count else { return nil }
    var names = Set<String>()
    for (before, after) in zip(old, new) where before != after {
      guard let name = constantName(before), constantName(after) == name else { return nil }
      names.insert(name)
    }
    return names
  }

  /// `NAME` of a module-level line `NAME = value` (not `==`, not augmented, not annotated,
  /// one target); nil for anything else.
  static func constantName(_ line: String) -> String? {
    let bytes = Array(line.utf8)
    var end = 0
    while end < bytes.count, isIdentifierByte(bytes[end]) { end += 1 }
    guard end > 0, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[0]) else { return nil }
    var next = end
    while next < bytes.count, bytes[next] == UInt8(ascii: " ") { next += 1 }
    guard next + 1 < bytes.count, bytes[next] == UInt8(ascii: "="), bytes[next + 1] != UInt8(ascii: "=") else {
      return nil
    }
    return String(decoding: bytes[..<end], as: UTF8.self)
  }

  /// The functions that read the changed constants, or the module-level line that does.
  ///
  /// - Parameters:
  ///   - constants: each saved file (relative to the project root) → its changed constants.
  ///   - current: each saved file's definitions now.
  ///   - sources: every other Python file of the project → its text (only those that name a
  ///     changed constant are parsed).
  public static func find(
    _ constants: [String: Set<String>], current: [String: PythonDefinitions], sources: [String: String]
  ) -> Finding {
    let names = constants.values.reduce(into: Set<String>()) { $0.formUnion($1) }
    var owner: [String: String] = [:]
    for (path, own) in constants.sorted(by: { $0.key > $1.key }) { for name in own { owner[name] = path } }
    if let name = names.sorted().first(where: readByName.contains) {
      return .readAtImport("\(name) (\(owner[name] ?? "")) is read by name by Django or Python")
    }
    var files = current
    for (path, text) in sources where current[path] == nil && names.contains(where: text.contains) {
      files[path] = PythonDefinitions(source: text)
    }
    var readers: [Function: String] = [:]
    for (path, definitions) in files.sorted(by: { $0.key < $1.key }) {
      let own = constants[path] ?? []
      let assigned = definitions.moduleLines.compactMap(constantName).filter(own.contains)
      if let twice = assigned.sorted().adjacentPair(where: ==) {
        return .readAtImport("\(twice) (\(path)) is assigned more than once at module level")
      }
      for line in definitions.moduleLines {
        var line = line
        var others = names
        if let name = constantName(line), own.contains(name), let equals = line.firstIndex(of: "=") {
          // Its own value: what it reads of the other changed constants (its own name there
          // is a setting's, a key's: the previous binding, were there one, is ruled out above).
          line = String(line[line.index(after: equals)...])
          others.remove(name)
        }
        let statement = line.drop { $0 == " " }
        if statement.hasPrefix("import ") || statement.hasPrefix("from ") || constantName(line) == "__all__"
          || PythonDefinitions.isStringStatement(String(statement))  // a docstring evaluates nothing
        {
          continue
        }
        if let name = firstName(of: others, in: line) {
          return .readAtImport(
            "\(name) (\(owner[name] ?? path)) is read at import in \(path): `\(DefinitionDiff.shortened(String(statement)))`")
        }
      }
      for (function, body) in definitions.functions {
        if let name = firstName(of: names, in: body) { readers[Function(path: path, name: function)] = name }
      }
    }
    return .readers(readers)
  }

  /// The first of `names` that `text` holds as a whole word, if any.
  static func firstName(of names: Set<String>, in text: String) -> String? {
    guard names.contains(where: text.contains) else { return nil }
    let bytes = Array(text.utf8)
    var start = 0
    while start < bytes.count {
      guard isIdentifierByte(bytes[start]) else {
        start += 1
        continue
      }
      var end = start
      while end < bytes.count, isIdentifierByte(bytes[end]) { end += 1 }
      let word = String(decoding: bytes[start..<end], as: UTF8.self)
      if names.contains(word) { return word }
      start = end
    }
    return nil
  }

  static func isIdentifierByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
      UInt8(ascii: "_"), 0x80...:
      true
    default: false
    }
  }
}

extension Array where Element: Equatable {
  /// The first element equal to the next one by `areEqual`, if any.
  fileprivate func adjacentPair(where areEqual: (Element, Element) -> Bool) -> Element? {
    zip(self, dropFirst()).first { areEqual($0, $1) }?.0
  }
}
