import Foundation

/// What each test executed, function by function, with the fingerprint of each function's
/// source when it was recorded (`PythonDefinitions`): what `FunctionNarrowing` needs to
/// rerun only the tests that ran a changed function. Kept in `.djdash/executed.json`,
/// beside `RecordedEdges`, so the dashboard and `djdash affected` read the same records.
///
/// Why a file of its own, not the run history: these are the current state (a test's
/// record is replaced each time it runs with recording on, and forgotten when it can no
/// longer be trusted), not a log of runs; the selection lives in this library, which does
/// not link GRDB; and one read gives the whole index a selection needs. Each
/// (file, function, fingerprint) is stored once and tests refer to it by number, so
/// thousands of tests that each ran a hundred functions stay a few megabytes (5,000 tests
/// that each ran 60 functions in 60 files: 2.3 MB, read in about 0.1 s).
///
/// Three parts:
/// - `tests`: test id → the functions it executed between its start and stop (the outermost
///   function of each code object, and `<module>` of each file with the module level's
///   fingerprint, so a record made against another module level is stale).
/// - `setup`: functions run outside any test (class and module setup, imports,
///   `django.setup()`): a change to one is never narrowed.
/// - `suites`: test module → every test id in it, when a complete run of the module was
///   recorded: only then can a module label be replaced by some of its tests (a test never
///   recorded would otherwise be dropped).
///
/// And the module level of each version of a file the records refer to (`moduleLines`): what
/// tells, without the file's earlier text, that a save changed only the values of top-level
/// constants.
///
/// A template a test rendered counts as a function of the template's file
/// (`PythonDefinitions.template`), so a template's change selects the tests that rendered it.
public struct ExecutionRecords: Sendable, Equatable {
  /// A function of a project file as recorded: its unit (`Foo.bar` or `<module>`) and the
  /// fingerprint of its source then ("" when the file could not be read: never fresh).
  public struct Function: Hashable, Sendable {
    public var path: String
    public var name: String
    public var fingerprint: String

    public init(path: String, name: String, fingerprint: String) {
      self.path = path
      self.name = name
      self.fingerprint = fingerprint
    }
  }

  public private(set) var functions: [Function] = []
  private var numbers: [Function: Int] = [:]
  /// Test id → numbers of the functions it executed (indices of `functions`), sorted.
  public private(set) var tests: [String: [Int]] = [:]
  /// Numbers of the functions run outside any test.
  public private(set) var setup: Set<Int> = []
  /// Test module (dotted) → its test ids, as a complete recorded run found them.
  public private(set) var suites: [String: Set<String>] = [:]
  /// `path` and the `<module>` fingerprint, joined by a newline → that module level's lines
  /// (`PythonDefinitions.moduleLines`).
  private var moduleTexts: [String: [String]] = [:]

  public init() {}

  public var isEmpty: Bool { tests.isEmpty && setup.isEmpty && suites.isEmpty }

  public func executed(by test: String) -> [Function]? {
    tests[test].map { $0.map { functions[$0] } }
  }

  public var setupFunctions: [Function] { setup.sorted().map { functions[$0] } }

  /// The module level of `path` as recorded with the `<module>` fingerprint `fingerprint`.
  public func moduleLines(of path: String, fingerprint: String) -> [String]? {
    moduleTexts[path + "\n" + fingerprint]
  }

  // MARK: recording

  /// Replaces `report`'s record with what it executed (`executed`), and adds what its
  /// process ran outside tests (`setupExecuted`) to `setup`.
  ///
  /// - Parameter definitions: the project file at `path` (relative to the root) as the test
  ///   ran it; nil when it cannot be read, which records the file's functions as never
  ///   fresh. Read each file once per run, at the run's start, not after the test: a save
  ///   during the run must not lend its fingerprints to code the test did not run.
  public mutating func record(_ report: TestReport, definitions: (String) -> PythonDefinitions?) {
    tests[report.id] = numbers(of: report.executed, definitions: definitions).sorted()
    setup.formUnion(numbers(of: report.setupExecuted, definitions: definitions))
  }

  /// Records a run made with recording on: each test's record is replaced; each test
  /// module its `labels` covered whole gets its suite when the run `isComplete` (ran to its
  /// end: not stopped, no `--failfast` stop, no lost process) and no module or class of it
  /// failed to load or set up; a complete run of every test (`labels` empty) replaces what
  /// was run outside tests. Do not call it for a run without recording (its reports carry
  /// no `executed`, which would read as "executed nothing").
  ///
  /// - Parameters:
  ///   - reports: the run's `test_finished` reports (all kinds).
  ///   - labels: the labels the run was given, dotted or as paths; empty: every test.
  ///   - testModules: every test module of the project, dotted (`graph.testModules.values`).
  ///   - definitions: see `record(_:definitions:)`.
  public mutating func recordRun(
    _ reports: [TestReport], labels: [String], testModules: some Collection<String>, isComplete: Bool,
    definitions: (String) -> PythonDefinitions?
  ) {
    var setupOfRun: [String: [String]] = [:]
    for report in reports where report.kind == .test {
      record(report, definitions: definitions)
      for (path, names) in report.setupExecuted { setupOfRun[path, default: []].append(contentsOf: names) }
    }
    guard isComplete else { return }
    let dotted = labels.map(TestSelection.dottedLabel)
    // A class or module whose setup failed, or a module that did not import: its tests did not run.
    let broken = reports.filter { $0.kind != .test }.compactMap {
      TestID.suiteError($0.id)?.owner ?? TestID.failedModule($0.id)
    }
    for module in testModules where dotted.isEmpty || dotted.contains(where: { Self.isTest(module, under: $0) }) {
      if broken.contains(where: { Self.isTest($0, under: module) || Self.isTest(module, under: $0) }) { continue }
      let ids = reports.filter { $0.kind == .test && Self.isTest($0.id, under: module) }.map(\.id)
      recordCompleteSuite(module, tests: Set(ids))
    }
    if dotted.isEmpty {
      replaceSetup(with: setupOfRun, definitions: definitions)
    }
  }

  /// Records that a run with recording on ran every test of the test module `module`
  /// to its end (`tests`, the ids it reported): the module's label can now be narrowed.
  /// Call it at the end of a complete run (not stopped, no `--failfast` stop, no crash) for
  /// each test module its labels covered whole.
  public mutating func recordCompleteSuite(_ module: String, tests ids: Set<String>) {
    suites[module] = ids
    for id in (tests.keys.filter { Self.isTest($0, under: module) }) where !ids.contains(id) {
      tests[id] = nil  // a test the module no longer has
    }
  }

  /// Forgets every test under `labels` (dotted; a module, a class, a test, or a package),
  /// and the suites they belong to: call it when a save falls back to the graph's
  /// selection, whose tests may now run otherwise than recorded; they are recorded anew as
  /// they run again, and a run stopped early leaves them unrecorded (selected, never
  /// skipped). An empty list forgets every test.
  ///
  /// - Returns: whether anything was forgotten (the file needs writing).
  @discardableResult
  public mutating func forget(testsUnder labels: [String]) -> Bool {
    let before = (tests.count, suites.count)
    if labels.isEmpty {
      tests = [:]
      suites = [:]
    }
    for id in Array(tests.keys) where labels.contains(where: { Self.isTest(id, under: $0) }) { tests[id] = nil }
    for module in Array(suites.keys)
    where labels.contains(where: { Self.isTest(module, under: $0) || Self.isTest($0, under: module) }) {
      suites[module] = nil
    }
    return before != (tests.count, suites.count)
  }

  /// Replaces what was run outside tests with `functions` (a complete run of every test
  /// ran all of it again), so functions no longer run at setup can be narrowed again.
  public mutating func replaceSetup(with report: [String: [String]], definitions: (String) -> PythonDefinitions?) {
    setup = numbers(of: report, definitions: definitions)
  }

  /// Whether the test (or module) `id` is `label` or inside it.
  static func isTest(_ id: String, under label: String) -> Bool {
    id == label || (id.hasPrefix(label) && id.dropFirst(label.count).first == ".")
  }

  private mutating func numbers(
    of executed: [String: [String]], definitions: (String) -> PythonDefinitions?
  ) -> Set<Int> {
    var result = Set<Int>()
    for (path, names) in executed {
      let file = definitions(path)
      let prints = file?.fingerprints ?? [:]
      var units = Set(names.map { file?.unit(of: $0) ?? $0 })
      units.insert(PythonDefinitions.moduleLevel)
      if let file, let print = prints[PythonDefinitions.moduleLevel], path.hasSuffix(".py") {
        let key = path + "\n" + print
        if moduleTexts[key] == nil { moduleTexts[key] = file.moduleLines }
      }
      for unit in units {
        result.insert(number(of: Function(path: path, name: unit, fingerprint: prints[unit] ?? "")))
      }
    }
    return result
  }

  private mutating func number(of function: Function) -> Int {
    if let known = numbers[function] { return known }
    functions.append(function)
    numbers[function] = functions.count - 1
    return functions.count - 1
  }

  // MARK: the file

  public static func path(projectRoot: String) -> String { projectRoot + "/.djdash/executed.json" }

  /// The file's form: functions as `[path, name, fingerprint]` rows numbered by position;
  /// a test's functions as one string of hexadecimal numbers separated by spaces (read
  /// about ten times faster than JSON arrays of numbers).
  private struct Stored: Codable {
    var version: Int
    var functions: [[String]]
    var tests: [String: String]
    var setup: [Int]
    var suites: [String: [String]]
    var modules: [String: [String]]?
  }

  static func numberList(_ numbers: [Int]) -> String {
    numbers.map { String($0, radix: 16) }.joined(separator: " ")
  }

  /// The numbers of `numberList`, those below `limit` (a damaged file loses only its bad ones).
  static func numbers(in list: String, below limit: Int) -> [Int] {
    var result: [Int] = []
    var value = 0
    var digits = 0
    for byte in list.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        value = value &* 16 &+ Int(byte - UInt8(ascii: "0"))
        digits += 1
      case UInt8(ascii: "a")...UInt8(ascii: "f"):
        value = value &* 16 &+ Int(byte - UInt8(ascii: "a") + 10)
        digits += 1
      default:
        if digits > 0 && digits <= 15 && value < limit { result.append(value) }
        value = 0
        digits = 0
      }
    }
    if digits > 0 && digits <= 15 && value < limit { result.append(value) }
    return result
  }

  /// The records as the file holds them, functions no record refers to left out.
  public func encoded() throws -> Data {
    var used = Set(setup)
    for ids in tests.values { used.formUnion(ids) }
    let kept = used.sorted()
    let usedModules = Set(
      kept.lazy.map { self.functions[$0] }.filter { $0.name == PythonDefinitions.moduleLevel }.map {
        $0.path + "\n" + $0.fingerprint
      })
    let renumber = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
    let stored = Stored(
      version: 1,
      functions: kept.map { [functions[$0].path, functions[$0].name, functions[$0].fingerprint] },
      tests: tests.mapValues { Self.numberList($0.compactMap { renumber[$0] }) },
      setup: setup.compactMap { renumber[$0] }.sorted(),
      suites: suites.mapValues { $0.sorted() },
      modules: moduleTexts.filter { usedModules.contains($0.key) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return try encoder.encode(stored)
  }

  /// Reads records from the file's form; nil when they are not records of this version.
  public init?(data: Data) {
    guard let stored = try? JSONDecoder().decode(Stored.self, from: data), stored.version == 1,
      stored.functions.allSatisfy({ $0.count == 3 })
    else { return nil }
    functions = stored.functions.map { Function(path: $0[0], name: $0[1], fingerprint: $0[2]) }
    numbers = Dictionary(functions.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    let count = functions.count
    tests = stored.tests.mapValues { Self.numbers(in: $0, below: count) }
    setup = Set(stored.setup.filter { (0..<count).contains($0) })
    suites = stored.suites.mapValues(Set.init)
    moduleTexts = stored.modules ?? [:]
  }

  /// The project's records; empty when there are none or they cannot be read.
  public static func load(projectRoot: String) -> ExecutionRecords {
    FileManager.default.contents(atPath: path(projectRoot: projectRoot)).flatMap(ExecutionRecords.init(data:))
      ?? ExecutionRecords()
  }

  /// Writes the records whole (renamed into place). Records are replaced, not merged: the
  /// caller loads them, records a run into them and saves them.
  public func save(projectRoot: String) {
    guard let data = try? encoded() else { return }
    DjdashFolder.replace("executed.json", with: data, projectRoot: projectRoot)
  }
}
