/// The rest of the suite behind a selection run: labels that run every known test the
/// selection left out, and none it ran.
///
/// Labels are as short as they can be — a module whose tests all lie outside the selection
/// is one label, so new classes there run too — and only narrow to a class or a method
/// where the selection took part of a module or class. Never a package: discovery in a
/// package finds only modules matching the test pattern, and a module run by name need
/// not match it.
public enum RestOfSuite {
  /// - Parameters:
  ///   - known: the ids of the tests known (a run, the history), `module.Class.method`.
  ///   - selected: the labels the selection ran.
  ///   - scope: the dashboard's labels (none: the whole suite); the rest stays inside them.
  /// - Returns: the labels, in the order of `known`; empty when the selection covered
  ///   every known test in scope.
  public static func labels(known: [String], selected: [String], scope: [String]) -> [String] {
    let selectedSet = Set(selected)
    let scopeSet = Set(scope)
    func covers(_ labels: Set<String>, _ id: String) -> Bool {
      prefixes(of: id).contains { labels.contains($0) }
    }
    let inScope = known.filter { scope.isEmpty || covers(scopeSet, $0) }
    let covered = inScope.filter { covers(selectedSet, $0) }
    let left = inScope.filter { !covers(selectedSet, $0) }
    // Every prefix of a test the selection ran: a label there would run it again.
    var taken = Set<String>()
    for id in covered { taken.formUnion(prefixes(of: id)) }
    // Also the selection's own labels and what holds them: a label that matches no test
    // known (a module not run yet) still runs under any prefix of it.
    for label in selected { taken.formUnion(prefixes(of: label)) }
    var labels: [String] = []
    var chosen = Set<String>()
    for id in left {
      // The module at the shortest, and never above the scope's labels.
      let all = prefixes(of: id)
      let candidates = all.dropFirst(max(0, all.count - 3)).filter { candidate in
        scope.isEmpty || scope.contains { candidate == $0 || candidate.hasPrefix($0 + ".") }
      }
      guard let label = candidates.first(where: { !taken.contains($0) }) else { continue }
      if chosen.contains(where: { label == $0 || label.hasPrefix($0 + ".") }) { continue }
      chosen.insert(label)
      labels.append(label)
    }
    return labels
  }

  /// `a`, `a.b`, `a.b.C`, `a.b.C.m` for `a.b.C.m`, shortest first.
  static func prefixes(of id: String) -> [String] {
    var result: [String] = []
    var end = id.startIndex
    while let dot = id[end...].firstIndex(of: ".") {
      result.append(String(id[..<dot]))
      end = id.index(after: dot)
    }
    result.append(id)
    return result
  }
}
