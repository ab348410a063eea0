import Foundation

/// A test module cut into what each of its test classes uses, so a change only some
/// classes depend on runs only them (`module.Class` labels).
///
/// Each top-level test class gets a source of its own to scan like a module: the class,
/// the module's functions and classes it names (bases included, transitively), and the
/// imports binding the names those use. What runs for every class — module-level
/// statements, `setUpModule`/`tearDownModule`/`load_tests`, imports nothing names — is
/// the shared part. Conservative where it cannot tell: a star import, or a class it
/// cannot prove is a `TestCase` or a plain helper, makes the module one label again
/// (`classSources` is nil).
struct TestModuleOutline {
  /// The part every class depends on, as source to scan.
  let shared: String
  /// Test class name → its own source to scan, in the module's order.
  let classes: [(name: String, source: String)]

  private enum Kind {
    /// Each bound name with an import statement of that name alone.
    case imports(bound: [String: String])
    case function(String)
    case classDefinition(name: String, bases: [String])
    case statement
  }

  private struct Segment {
    var kind: Kind
    var text: String
    var names: Set<String>
  }

  /// Functions unittest calls on its own, for every class of the module.
  private static let moduleHooks: Set<String> = ["setUpModule", "tearDownModule", "load_tests"]

  /// Nil when the classes cannot be told apart (fewer than two test classes, a star
  /// import, a class neither provably a TestCase nor a plain helper).
  init?(source: String) {
    var segments: [Segment] = []
    var decorators = ""
    for line in PythonDefinitions.logicalLines(of: Array(source.utf8)) {
      let indented = String(repeating: " ", count: line.indent) + line.text + "\n"
      if line.indent > 0, !segments.isEmpty {
        segments[segments.count - 1].text += indented
        continue
      }
      if line.text.hasPrefix("@") {
        decorators += indented
        continue
      }
      let kind: Kind
      if line.text.hasPrefix("import ") || line.text.hasPrefix("from ") {
        guard let bound = Self.boundNames(line.text) else { return nil }
        kind = .imports(bound: bound)
        segments.append(Segment(kind: kind, text: "", names: []))
        decorators = ""
        continue
      } else if let (name, _, _) = PythonDefinitions.definition(line.text, keyword: "def") {
        kind = Self.moduleHooks.contains(name) ? .statement : .function(name)
      } else if let (name, header, _) = PythonDefinitions.definition(line.text, keyword: "class") {
        kind = .classDefinition(name: name, bases: Self.bases(header))
      } else {
        kind = .statement
      }
      segments.append(Segment(kind: kind, text: decorators + indented, names: []))
      decorators = ""
    }
    for index in segments.indices { segments[index].names = Self.identifiers(segments[index].text) }

    // What each module-level name is: a function or class segment.
    var definitions: [String: Int] = [:]
    for (index, segment) in segments.enumerated() {
      switch segment.kind {
      case .function(let name), .classDefinition(let name, _): definitions[name] = index
      default: break
      }
    }
    // The segments a region reaches through the names it uses, itself included.
    func closure(of start: [Int]) -> Set<Int> {
      var reached = Set(start)
      var queue = start
      while let index = queue.popLast() {
        for name in segments[index].names {
          if let other = definitions[name], reached.insert(other).inserted { queue.append(other) }
        }
      }
      return reached
    }
    func regionSource(_ region: Set<Int>, extraImports: Set<Int> = []) -> String {
      let names = region.reduce(into: Set<String>()) { $0.formUnion(segments[$1].names) }
      var text = ""
      for (index, segment) in segments.enumerated() {
        if case .imports(let bound) = segment.kind {
          for (name, statement) in bound.sorted(by: { $0.key < $1.key })
          where extraImports.contains(index) || names.contains(name) {
            text += statement + "\n"
          }
        } else if region.contains(index) {
          text += segment.text
        }
      }
      return text
    }

    // A class is a test case when a base says so (…TestCase), or a base in the module is one.
    var isTestCase: [String: Bool] = [:]
    func testCase(_ name: String, depth: Int = 0) -> Bool? {
      if let known = isTestCase[name] { return known }
      guard depth < 20, let index = definitions[name], case .classDefinition(_, let bases) = segments[index].kind
      else { return nil }
      var result: Bool? = false  // no bases: a plain helper
      for base in bases where base != "object" {
        if base.hasSuffix("TestCase") { return true }
        if definitions[base] != nil, let inherited = testCase(base, depth: depth + 1) {
          if inherited { result = true }
        } else {
          result = result == true ? true : nil  // a base from elsewhere: cannot tell
        }
      }
      isTestCase[name] = result
      return result
    }

    var testClasses: [(name: String, index: Int)] = []
    for (index, segment) in segments.enumerated() {
      guard case .classDefinition(let name, _) = segment.kind else { continue }
      switch testCase(name) {
      case true?: testClasses.append((name, index))
      case false?: continue
      case nil: return nil
      }
    }
    guard testClasses.count >= 2 else { return nil }

    // Shared: module-level statements and what they reach, and imports nothing else names.
    let sharedRegion = closure(
      of: segments.indices.filter { if case .statement = segments[$0].kind { return true } else { return false } })
    let regions = testClasses.map { closure(of: [$0.index]) }
    let usedNames = (regions + [sharedRegion]).reduce(into: Set<String>()) { names, region in
      for index in region { names.formUnion(segments[index].names) }
    }
    let unusedImports = Set(
      segments.indices.filter {
        if case .imports(let bound) = segments[$0].kind { return bound.keys.allSatisfy { !usedNames.contains($0) } }
        return false
      })
    shared = regionSource(sharedRegion, extraImports: unusedImports)
    classes = zip(testClasses, regions).map { ($0.0.name, regionSource($0.1)) }
  }

  /// The names an import statement binds, each with a statement importing it alone
  /// (`from a import b as c` → `c`: `from a import b as c`); nil for a star import.
  static func boundNames(_ statement: String) -> [String: String]? {
    var bound: [String: String] = [:]
    if statement.hasPrefix("from ") {
      guard let range = statement.range(of: " import ") else { return [:] }
      let source = statement[..<range.lowerBound]
      let list = statement[range.upperBound...].filter { $0 != "(" && $0 != ")" }
      for item in list.split(separator: ",") {
        let words = item.split(separator: " ")
        guard let first = words.first else { continue }
        if first == "*" { return nil }
        let name = String(words.count >= 3 && words[1] == "as" ? words[2] : first)
        bound[name] = "\(source) import \(words.joined(separator: " "))"
      }
    } else {
      for item in statement.dropFirst("import ".count).split(separator: ",") {
        let words = item.split(separator: " ")
        guard let first = words.first else { continue }
        let name = String(words.count >= 3 && words[1] == "as" ? words[2] : first.split(separator: ".").first ?? first)
        bound[name, default: ""] += (bound[name] == nil ? "" : "\n") + "import \(words.joined(separator: " "))"
      }
    }
    return bound
  }

  /// The bases of a class header, each by its last dotted part (`django.test.TestCase` →
  /// `TestCase`); keyword arguments (`metaclass=…`) left out.
  static func bases(_ header: String) -> [String] {
    guard let open = header.firstIndex(of: "("), let close = header.lastIndex(of: ")"), open < close else { return [] }
    return header[header.index(after: open)..<close].split(separator: ",").compactMap { item in
      let text = item.trimmingCharacters(in: .whitespaces)
      guard !text.isEmpty, !text.contains("=") else { return nil }
      return text.split(separator: ".").last.map(String.init)
    }
  }

  /// Every identifier-like word of `text` (inside strings too: more, never fewer).
  static func identifiers(_ text: String) -> Set<String> {
    var names = Set<String>()
    var current = ""
    for character in text.unicodeScalars {
      if character == "_" || CharacterSet.alphanumerics.contains(character) {
        current.unicodeScalars.append(character)
      } else if !current.isEmpty {
        if let first = current.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) { names.insert(current) }
        current = ""
      }
    }
    if !current.isEmpty { names.insert(current) }
    return names
  }
}
