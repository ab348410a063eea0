/// The rule that narrows the graph's selection to the tests that ran what changed:
///
/// > When only function bodies changed and the candidate tests have fresh records
/// > (fingerprints match the old version of the file), select exactly the tests that
/// > executed a changed function, plus every candidate without a fresh record. Anything
/// > else falls back to the graph's selection.
///
/// Pure: the graph's selection, each changed file's `DefinitionDiff` (old → new) and the
/// `ExecutionRecords` in, labels and the rule that decided out. The one place where
/// recorded runs may select less than the graph; everywhere else they only add to it.
///
/// Entry point: `FunctionNarrowing.narrow(_:changes:records:testModules:)`, after
/// `TestSelector.selection(afterChanging:)`, with the diffs of the batch's files against
/// the versions the dashboard held before the save. When the result `isNarrowed` is false,
/// the caller runs the graph's labels and should `forget` the records of the tests under
/// them (see `ExecutionRecords.forget(testsUnder:)`).
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

  /// `narrow(_:changes:records:testModules:)` as a selection: the decision's labels and
  /// explanations in place of the graph's when narrowed, and its reason as `rule` either way.
  public static func narrowed(
    _ selection: TestSelection, changes: [String: DefinitionDiff?], records: ExecutionRecords,
    testModules: some Collection<String>
  ) -> TestSelection {
    let decision = narrow(selection, changes: changes, records: records, testModules: testModules)
    var result = selection
    result.rule = decision.reason
    if decision.isNarrowed {
      result.labels = decision.labels
      result.explanations = decision.explanations
      result.isEverything = false
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
    func fallBack(_ why: String) -> Decision {
      Decision(labels: selection.labels, isNarrowed: false, reason: "graph: \(why)", explanations: [:])
    }
    if !selection.broadReasons.isEmpty { return fallBack("a change affects every test") }
    if selection.labels.isEmpty { return fallBack("no test depends on the change") }
    if changes.isEmpty { return fallBack("nothing changed") }
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

    // The recorded functions of the changed files: whether each is fresh (its fingerprint
    // is the old version's) and whether it changed.
    var recorded: [Int: (fresh: Bool, changed: Bool, function: ExecutionRecords.Function)] = [:]
    for (number, function) in records.functions.enumerated() {
      guard let diff = diffs[function.path] else { continue }
      let oldPrint =
        function.name == PythonDefinitions.moduleLevel
        ? diff.old.moduleFingerprint : diff.old.functions[function.name].map(PythonDefinitions.fingerprint)
      recorded[number] = (oldPrint == function.fingerprint, diff.changedFunctions.contains(function.name), function)
    }

    var labels: [String] = []
    var explanations: [String: [String]] = [:]
    var counts = (recorded: 0, ran: 0, stale: 0, whole: 0)
    let changedNames = diffs.sorted { $0.key < $1.key }.map { path, diff in
      "\(path) (\(diff.changedFunctions.sorted().joined(separator: ", ")))"
    }
    let candidates = candidateModules(of: selection.labels, in: testModules)
    if !candidates.contains(where: { records.suites[$0.module] != nil }) {
      return fallBack("no complete recorded run of the selected test modules")
    }
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
        let relevant = numbers.compactMap { recorded[$0] }
        if let stale = relevant.first(where: { !$0.fresh }) {
          chosen.append((id, "\(id): recorded against another version of \(stale.function.path)"))
          counts.stale += 1
        } else if let ran = relevant.first(where: \.changed) {
          chosen.append((id, "\(id) executed \(ran.function.name) (\(ran.function.path)), whose body changed"))
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
    var reason =
      "\(rule): only function bodies changed in \(changedNames.joined(separator: ", ")); "
      + "\(counts.ran) of \(counts.recorded) recorded tests executed one"
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
