/// What `--failed` and `--failed-first` run, from the tests that failed last time.
public struct FailedSelection: Sendable, Equatable {
  /// Labels that rerun the failed tests, in the order they were recorded, each once.
  public var labels: [String]

  /// - Parameters:
  ///   - records: the last known verdict of every test.
  ///   - scope: the labels the user gave; a failed test outside them is left out (a
  ///     directory label keeps every failed test: its tests cannot be told by id).
  public init(records: [TestRecord], scope: [String]) {
    var seen = Set<String>()
    labels =
      records
      .filter { $0.outcome.failsTheRun && Self.isInside($0.id, scope: scope) }
      .map { Self.label(for: $0.id, kind: $0.kind) }
      .filter { seen.insert($0).inserted }
  }

  public var isEmpty: Bool { labels.isEmpty }

  static func isInside(_ id: String, scope: [String]) -> Bool {
    scope.isEmpty
      || scope.contains { label in
        label.contains("/") || label == "." || id == label || id.hasPrefix(label + ".") || id.contains("(\(label)")
      }
  }

  /// The label that runs a recorded test again with Django: the test itself, the class
  /// or module a suite error belongs to, the module that failed to import.
  public static func label(for id: String, kind: TestKind) -> String {
    switch kind {
    case .test:
      return id
    case .suiteError:
      return TestID.suiteError(id)?.owner ?? id
    case .loadError:
      return TestID.failedModule(id) ?? id
    }
  }
}
