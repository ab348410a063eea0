/// The tests a change can affect, as labels for `manage.py test`, and why.
public struct TestSelection: Equatable, Sendable {
  /// Minimal labels: a module rather than its tests, an app rather than all its modules.
  /// With `isEverything`, the top-level labels of every test.
  public var labels: [String]
  /// Every test of the project is selected (a broad change, or all modules reached).
  public var isEverything: Bool
  /// Why the run is broad, one line per cause ("shopsite/settings.py: settings …").
  public var broadReasons: [String]
  /// The changed files among the broad ones that are broad only because the settings
  /// module imports them (its own file included): records may still narrow a change of
  /// their function bodies (`FunctionNarrowing`), since the settings are made by module-level
  /// code and what it calls runs outside any test.
  public var broadAsSettings: [String] = []
  /// For each label, the chain that selected it: the changed file first, then each
  /// dependent with how it depends on the one before.
  public var explanations: [String: [String]]
  /// Changed files that select nothing, and why ("README.md: outside every app").
  public var unaffected: [String]
  /// The rule that decided beyond the graph, for `--why` and `w` (`FunctionNarrowing`:
  /// "function precision: …", or "graph: …" when narrowing did not apply); nil: the graph's
  /// selection, with no narrowing tried.
  public var rule: String? = nil

  public init(
    labels: [String] = [], isEverything: Bool = false, broadReasons: [String] = [],
    explanations: [String: [String]] = [:], unaffected: [String] = []
  ) {
    self.labels = labels
    self.isEverything = isEverything
    self.broadReasons = broadReasons
    self.explanations = explanations
    self.unaffected = unaffected
  }

  public var isEmpty: Bool { labels.isEmpty && !isEverything }

  /// `labels` kept inside `scope` (the labels the dashboard was opened with; empty: all):
  /// a label inside a scope label stays, a scope label inside a selected one is taken.
  public func labels(within scope: [String]) -> [String] {
    if scope.isEmpty { return isEverything ? [] : labels }
    if isEverything { return scope }
    var result: [String] = []
    for label in labels {
      for outer in scope.map(Self.dottedLabel) {
        if label == outer || label.hasPrefix(outer + ".") {
          result.append(label)
        } else if outer.hasPrefix(label + ".") {
          result.append(outer)
        }
      }
    }
    var seen = Set<String>()
    return result.filter { seen.insert($0).inserted }
  }

  /// A directory or file label (`shop/tests/`, `./shop/tests/test_cart.py`), relative to
  /// the project root, as the dotted label it stands for; dotted labels as they are.
  static func dottedLabel(_ label: String) -> String {
    guard label.contains("/") || label.hasSuffix(".py") else { return label }
    var path = label.hasPrefix("./") ? String(label.dropFirst(2)) : label
    while path.hasSuffix("/") { path.removeLast() }
    if path.hasSuffix(".py") { path.removeLast(3) }
    return path.split(separator: "/").joined(separator: ".")
  }
}
