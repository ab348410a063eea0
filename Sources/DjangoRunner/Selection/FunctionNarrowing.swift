/// The rule that narrows the graph's selection to the tests that ran what changed:
///
/// > When only function bodies changed and the candidate tests have fresh records
/// > (fingerprints match the old version of the file), select exactly the tests that
/// > executed a changed function, plus every candidate without a fresh record. Anything
/// > else falls back to the graph's selection.
///
/// A template file is one function (`PythonDefinitions.template`): the tests that rendered
/// it are the ones that executed it.
///
/// Pure: the graph's selection, each changed file's `DefinitionDiff` (old → new) and the
/// `ExecutionRecords` in, labels and the rule that decided out. The one place where
/// recorded runs may select less than the graph; everywhere else they only add to it.
///
/// Entry points, after `TestSelector.selection(afterChanging:)`:
/// - `narrow(_:changes:records:testModules:)`: with each changed file's `DefinitionDiff`
///   from the version held before the save (the rule as stated);
/// - `narrow(_:current:records:testModules:)`: with the files as they are now, compared
///   with the versions the records were made against (no earlier text needed: `djdash
///   affected FILE`);
/// - `narrowed(…)`: either as a `TestSelection` (labels, explanations, `rule`).
///
/// When the result `isNarrowed` is false the caller runs the graph's labels, and should
/// `forget` the records of the tests under them (`ExecutionRecords.forget(testsUnder:)`):
/// they may now run otherwise than recorded.
public enum FunctionNarrowing {
  /// What the rule decided.
  public struct Decision: Equatable, Sendable {
    /// The labels to run: test ids (`module.Class.test`, which Django accepts as labels),
    /// and whole labels where the records cannot say which of their tests to run. The
    /// graph's labels when not narrowed.
    public var labels: [String]
    /// The selection is narrower than the graph's (false: the graph's, as it was).
    public var isNarrowed: Bool
    /// The rule that decided, one line, for `--why` and the dashboard's `w`: "function
    /// precision: …" or "graph: …" (why narrowing did not apply).
    public var reason: String
    /// For each label, why it runs (the changed function it executed, or why its record
    /// is not fresh); empty when not narrowed (the graph's own explanations hold).
    public var explanations: [String: [String]]
  }

  public static let rule = "function precision"

  /// The graph's selection, and why narrowing did not apply.
  private static func fallBack(_ selection: TestSelection, _ why: String) -> Decision {
    Decision(labels: selection.labels, isNarrowed: false, reason: "graph: \(why)", explanations: [:])
  }

  /// Why no narrowing can apply, whatever the records say; nil when it may.
  private static func unsuited(_ selection: TestSelection, hasChanges: Bool) -> String? {
    if selection.broadReasons.count > selection.broadAsSettings.count { return "a change affects every test" }
    if selection.labels.isEmpty { return "no test depends on the change" }
    if !hasChanges { return "nothing changed" }
    return nil
  }

  /// `narrow(_:changes:records:testModules:)` as a selection: the decision's labels and
  /// explanations in place of the graph's when narrowed, and its reason as `rule` either way.
  public static func narrowed(
    _ selection: TestSelection, changes: [String: DefinitionDiff?], records: ExecutionRecords,
    testModules: some Collection<String>
  ) -> TestSelection {
    applying(narrow(selection, changes: changes, records: records, testModules: testModules), to: selection)
  }

  /// `narrow(_:current:records:testModules:)` as a selection, as `narrowed(_:changes:…)`.
  public static func narrowed(
    _ selection: TestSelection, current: [String: PythonDefinitions?], records: ExecutionRecords,
    testModules: some Collection<String>, projectSources: (() -> [String: String])? = nil
  ) -> TestSelection {
    applying(
      narrow(selection, current: current, records: records, testModules: testModules, projectSources: projectSources),
      to: selection)
  }

  private static func applying(_ decision: Decision, to selection: TestSelection) -> TestSelection {
    var result = selection
    result.rule = decision.reason
    if decision.isNarrowed {
      result.labels = decision.labels
      result.explanations = decision.explanations
      result.isEverything = false
      // Broad only as settings: the records say which tests ran what changed.
      result.broadReasons = []
      result.broadAsSettings = []
    }
    return result
  }

  /// Narrows `selection`, or says why not.
  ///
  /// - Parameters:
  ///   - selection: the graph's selection for the batch (`TestSelector`).
  ///   - changes: every changed file of the batch (relative to the project root) → its
  ///     `DefinitionDiff` from the version before the save; nil for a file with no diff (not
  ///     Python, no earlier version, deleted): then nothing is narrowed.
  ///   - records: what earlier runs recorded.
  ///   - testModules: every test module of the project, dotted (`graph.testModules.values`):
  ///     which modules a package label holds.
  public static func narrow(
    _ selection: TestSelection, changes: [String: DefinitionDiff?], records: ExecutionRecords,
    testModules: some Collection<String>
  ) -> Decision {
    func fallBack(_ why: String) -> Decision { Self.fallBack(selection, why) }
    if let why = unsuited(selection, hasChanges: !changes.isEmpty) { return fallBack(why) }
    var diffs: [String: DefinitionDiff] = [:]
    for (path, diff) in changes.sorted(by: { $0.key < $1.key }) {
      guard let diff else { return fallBack("\(path) has no earlier version to compare (or is not Python)") }
      if let change = diff.moduleLevelChanges.first {
        return fallBack("\(path) changed outside function bodies (\(change))")
      }
      if !diff.isUnchanged { diffs[path] = diff }
    }
    if diffs.isEmpty {
      return Decision(
        labels: [], isNarrowed: true, reason: "\(rule): only comments or blank lines changed: no test",
        explanations: [:])
    }
    for function in records.setupFunctions {
      if let diff = diffs[function.path], diff.changedFunctions.contains(function.name) {
        return fallBack("\(function.path): \(function.name) ran outside any test (setup or import)")
      }
    }
    if records.isEmpty { return fallBack("no recorded run yet") }

    // The recorded functions of the changed files: fresh when their fingerprint is the old
    // version's, then affected when they changed.
    var verdicts: [Int: Verdict] = [:]
    for (number, function) in records.functions.enumerated() {
      guard let diff = diffs[function.path] else { continue }
      let oldPrint =
        function.name == PythonDefinitions.moduleLevel
        ? diff.old.moduleFingerprint : diff.old.functions[function.name].map(PythonDefinitions.fingerprint)
      if oldPrint != function.fingerprint {
        verdicts[number] = .stale("recorded against another version of \(function.path)")
      } else if diff.changedFunctions.contains(function.name) {
        verdicts[number] = .changed("executed \(function.name) (\(function.path)), whose body changed")
      }
    }
    let changedNames = diffs.sorted { $0.key < $1.key }.map { path, diff in
      "\(path) (\(diff.changedFunctions.sorted().joined(separator: ", ")))"
    }
    return choose(
      in: selection, verdicts: verdicts, records: records, testModules: testModules,
      head: "\(rule): only function bodies changed in \(changedNames.joined(separator: ", "))")
  }

  /// The same rule without the files' earlier text: each changed file's current version is
  /// compared with the versions the records were made against. Its module level must be the
  /// one every test's record of the file saw (all of them alike), and no function run outside
  /// a test may differ from its record; then a test runs when a function it executed differs
  /// from what it executed (changed by this save or an earlier one it has not run since).
  /// For `djdash affected FILE`, and a dashboard that kept no earlier text.
  ///
  /// A module level that differs from the recorded one only in the values of top-level
  /// constants (`TAX = 21`, recorded as `TAX = 20`) is narrowed too: the functions that read
  /// a changed constant count as changed (`ConstantReaders`), unless module-level code reads
  /// it at import, a reader ran outside any test, or no recorded test executed a reader.
  ///
  /// - Parameters:
  ///   - current: every changed file of the batch → its definitions now; nil for a file
  ///     that is gone or is not text (then nothing is narrowed).
  ///   - projectSources: every Python file of the project → its text, read only when a
  ///     constant changed (without it, such a change is not narrowed).
  public static func narrow(
    _ selection: TestSelection, current: [String: PythonDefinitions?], records: ExecutionRecords,
    testModules: some Collection<String>, projectSources: (() -> [String: String])? = nil
  ) -> Decision {
    func fallBack(_ why: String) -> Decision { Self.fallBack(selection, why) }
    if let why = unsuited(selection, hasChanges: !current.isEmpty) { return fallBack(why) }
    if records.isEmpty { return fallBack("no recorded run yet") }
    var files: [String: (definitions: PythonDefinitions, prints: [String: String])] = [:]
    for (path, definitions) in current.sorted(by: { $0.key < $1.key }) {
      guard let definitions else { return fallBack("\(path) is gone or is not text") }
      files[path] = (definitions, definitions.fingerprints)
    }
    // What the tests' records saw of each file's module level.
    let isOfAChangedFile = records.functions.map { files[$0.path] != nil }
    var used = Set<Int>()
    for numbers in records.tests.values {
      for number in numbers where isOfAChangedFile[number] { used.insert(number) }
    }
    var moduleLevels: [String: Set<String>] = [:]
    for number in used {
      let function = records.functions[number]
      if files[function.path] != nil, function.name == PythonDefinitions.moduleLevel {
        moduleLevels[function.path, default: []].insert(function.fingerprint)
      }
    }
    // A file no test ran a function of (constants only, say): the module level its import saw.
    let ranAFunction = Set(used.map { records.functions[$0].path })
    for function in records.setupFunctions
    where function.name == PythonDefinitions.moduleLevel && files[function.path] != nil
      && !ranAFunction.contains(function.path)
    {
      moduleLevels[function.path, default: []].insert(function.fingerprint)
    }
    // Files whose module level changed only in constants' values → those constants.
    var constants: [String: Set<String>] = [:]
    var constantNames: String?
    for (path, file) in files.sorted(by: { $0.key < $1.key }) {
      guard let seen = moduleLevels[path] else { return fallBack("no test's record has \(path)'s module level") }
      if seen != [file.definitions.moduleFingerprint] {
        if selection.broadAsSettings.contains(path) {
          return fallBack("\(path) is imported by the settings and changed outside function bodies")
        }
        guard seen.count == 1, let old = records.moduleLines(of: path, fingerprint: seen.first!),
          let names = ConstantReaders.changedNames(old: old, new: file.definitions.moduleLines), !names.isEmpty
        else { return fallBack("\(path) changed outside function bodies since its tests were recorded") }
        constants[path] = names
      }
    }
    for function in records.setupFunctions where function.name != PythonDefinitions.moduleLevel {
      if let file = files[function.path], file.prints[function.name] != function.fingerprint {
        return fallBack("\(function.path): \(function.name) ran outside any test (setup or import)")
      }
    }
    var verdicts: [Int: Verdict] = [:]
    var changed: [String: Set<String>] = [:]
    for number in used {
      let function = records.functions[number]
      guard let file = files[function.path], file.prints[function.name] != function.fingerprint else { continue }
      // A module level whose constants changed: the functions that read them decide.
      if function.name == PythonDefinitions.moduleLevel && constants[function.path] != nil { continue }
      verdicts[number] = .changed("executed \(function.name) (\(function.path)), changed since")
      changed[function.path, default: []].insert(function.name)
    }
    if !constants.isEmpty {
      let names = constants.sorted { $0.key < $1.key }.map { "\($1.sorted().joined(separator: ", ")) (\($0))" }
        .joined(separator: ", ")
      guard let projectSources else { return fallBack("constants changed: \(names)") }
      let readers: [ConstantReaders.Function: String]
      switch ConstantReaders.find(
        constants, current: files.mapValues(\.definitions), sources: projectSources())
      {
      case .readAtImport(let why): return fallBack(why)
      case .readers(let found): readers = found
      }
      for function in records.setupFunctions {
        if let name = readers[ConstantReaders.Function(path: function.path, name: function.name)] {
          return fallBack("\(function.path): \(function.name) reads \(name) and ran outside any test (setup or import)")
        }
      }
      var reached = false
      for number in records.functions.indices where verdicts[number] == nil {
        let function = records.functions[number]
        guard let name = readers[ConstantReaders.Function(path: function.path, name: function.name)] else { continue }
        verdicts[number] = .changed("executed \(function.name) (\(function.path)), which reads \(name)")
        changed[function.path, default: []].insert(function.name)
        reached = true
      }
      // An import-time error in the new value shows only in a test that imports the file.
      if !reached { return fallBack("no recorded test executed a function that reads \(names)") }
      constantNames = names
    }
    if changed.isEmpty {
      // Still the candidates' tests that have no fresh record.
      return choose(
        in: selection, verdicts: [:], records: records, testModules: testModules,
        head: "\(rule): no function a test executed differs from its record")
    }
    let changedNames = changed.sorted { $0.key < $1.key }.map { "\($0) (\($1.sorted().joined(separator: ", ")))" }
    let head =
      if let constantNames {
        "\(rule): constants changed: \(constantNames); functions that read them or changed: "
          + changedNames.joined(separator: ", ")
      } else {
        "\(rule): functions changed since recorded in \(changedNames.joined(separator: ", "))"
      }
    return choose(in: selection, verdicts: verdicts, records: records, testModules: testModules, head: head)
  }

  /// What a recorded function says of the tests that executed it.
  enum Verdict {
    /// It changed: they run (why).
    case changed(String)
    /// Their record is not of the version before the save: they run (why).
    case stale(String)
  }

  /// The tests of the candidate modules that executed a function with a verdict, plus the
  /// recorded suites' tests without a record, plus whole the candidates without a suite.
  private static func choose(
    in selection: TestSelection, verdicts: [Int: Verdict], records: ExecutionRecords,
    testModules: some Collection<String>, head: String
  ) -> Decision {
    let candidates = candidateModules(of: selection.labels, in: testModules)
    if !candidates.contains(where: { records.suites[$0.module] != nil }) {
      return Decision(
        labels: selection.labels, isNarrowed: false,
        reason: "graph: no complete recorded run of the selected test modules", explanations: [:])
    }
    var labels: [String] = []
    var explanations: [String: [String]] = [:]
    var counts = (recorded: 0, ran: 0, stale: 0, whole: 0)
    for (module, scope) in candidates {
      guard let suite = records.suites[module] else {
        labels.append(scope)
        explanations[scope] = ["\(scope): no complete recorded run of \(module): the graph's selection"]
        counts.whole += 1
        continue
      }
      var chosen: [(id: String, why: String)] = []
      let inScope = suite.filter { ExecutionRecords.isTest($0, under: scope) }.sorted()
      for id in inScope {
        guard let numbers = records.tests[id] else {
          chosen.append((id, "\(id): no record of its last run"))
          continue
        }
        counts.recorded += 1
        let found = numbers.compactMap { verdicts[$0] }
        if let why = found.lazy.compactMap({ if case .stale(let why) = $0 { why } else { nil } }).first {
          chosen.append((id, "\(id): \(why)"))
          counts.stale += 1
        } else if let why = found.lazy.compactMap({ if case .changed(let why) = $0 { why } else { nil } }).first {
          chosen.append((id, "\(id) \(why)"))
          counts.ran += 1
        }
      }
      if !chosen.isEmpty && chosen.count == inScope.count {
        labels.append(scope)
        explanations[scope] =
          ["every test of \(scope) ran a changed function or has no fresh record"]
          + chosen.prefix(3).map(\.why)
      } else {
        for test in chosen {
          labels.append(test.id)
          explanations[test.id] = [test.why]
        }
      }
    }
    var reason = "\(head); \(counts.ran) of \(counts.recorded) recorded tests executed one"
    if counts.stale > 0 { reason += ", \(counts.stale) recorded against another version" }
    if counts.whole > 0 { reason += ", \(counts.whole) labels without a complete record run whole" }
    return Decision(labels: labels, isNarrowed: true, reason: reason, explanations: explanations)
  }

  /// The test modules under `labels`, each with the label that scopes it: the module
  /// itself for a module or package label, the label for one inside a module (a class, a
  /// test). A label that is no known module nor inside one is its own scope and module.
  static func candidateModules(
    of labels: [String], in testModules: some Collection<String>
  ) -> [(module: String, scope: String)] {
    var result: [(module: String, scope: String)] = []
    var seen = Set<String>()
    for label in labels.map(TestSelection.dottedLabel) {
      let inside = testModules.filter { ExecutionRecords.isTest($0, under: label) }.sorted()
      if !inside.isEmpty {
        for module in inside where seen.insert(module).inserted { result.append((module, module)) }
      } else if let owner = testModules.filter({ ExecutionRecords.isTest(label, under: $0) }).max(by: {
        $0.count < $1.count
      }) {
        if seen.insert(label).inserted { result.append((owner, label)) }
      } else if seen.insert(label).inserted {
        result.append((label, label))
      }
    }
    return result
  }
}
