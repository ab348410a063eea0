/// What a save changed in one Python file, at definition granularity: which functions'
/// bodies changed (by qualified name, the outermost function: see `PythonDefinitions`),
/// and whether anything at module level changed — imports, constants, class bodies,
/// decorators, signatures and defaults, definitions added or removed.
///
/// Narrowing a selection to the tests that executed a function is sound only when
/// `isBodyOnly`: a module-level change can change what any importer sees.
public struct DefinitionDiff: Equatable, Sendable {
  public let old: PythonDefinitions
  public let new: PythonDefinitions
  /// Functions in both versions whose definition changed (body, or with a module-level
  /// change also their decorators or signature).
  public let changedFunctions: Set<String>
  public let addedFunctions: Set<String>
  public let removedFunctions: Set<String>
  /// Why the module level differs, one line per cause ("helper added", "module level:
  /// `TAX = 21`"); empty when it does not.
  public let moduleLevelChanges: [String]

  public init(old oldSource: String, new newSource: String) {
    self.init(old: PythonDefinitions(source: oldSource), new: PythonDefinitions(source: newSource))
  }

  public init(old: PythonDefinitions, new: PythonDefinitions) {
    self.old = old
    self.new = new
    let oldNames = Set(old.functions.keys)
    let newNames = Set(new.functions.keys)
    addedFunctions = newNames.subtracting(oldNames)
    removedFunctions = oldNames.subtracting(newNames)
    changedFunctions = Set(oldNames.intersection(newNames).filter { old.functions[$0] != new.functions[$0] })
    var reasons = addedFunctions.sorted().map { "\($0) added" } + removedFunctions.sorted().map { "\($0) removed" }
    if reasons.isEmpty && old.moduleLines != new.moduleLines {
      let firstDifference = zip(old.moduleLines, new.moduleLines).first { $0 != $1 }
      let line =
        firstDifference.map { $0.1 }
        ?? (new.moduleLines.count > old.moduleLines.count
          ? new.moduleLines[old.moduleLines.count] : old.moduleLines[new.moduleLines.count])
      reasons.append("module level: `\(Self.shortened(line.trimmingCharacters(in: .whitespaces)))`")
    }
    moduleLevelChanges = reasons
  }

  /// Nothing changed but comments, blank lines or blanks.
  public var isUnchanged: Bool { moduleLevelChanges.isEmpty && changedFunctions.isEmpty }

  /// Only function bodies changed (or nothing did): the module level is the same.
  public var isBodyOnly: Bool { moduleLevelChanges.isEmpty }

  /// The functions of `source` with a fingerprint of each one's normalized source, and the
  /// module level's under `PythonDefinitions.moduleLevel` (`<module>`): what a record keeps
  /// to know later whether it is still about the same code.
  public static func fingerprints(of source: String) -> [String: String] {
    PythonDefinitions(source: source).fingerprints
  }

  /// A statement's first line, at most 60 characters, for a reason line.
  static func shortened(_ statement: String) -> String {
    let line = statement.prefix { $0 != "\n" }
    if line.count > 60 { return String(line.prefix(57)) + "…" }
    return line.count < statement.count ? line + " …" : String(line)
  }
}
