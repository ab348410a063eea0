import Foundation
import DjangoRunner

/// Where a test sits in the list's tree: app → module → class → test.
public struct TestPath: Equatable, Sendable {
  /// The Django app, as far as the id tells: the module path before its `tests` part.
  public var app: String
  public var module: String
  /// Empty for module-level problems and function-style tests.
  public var className: String
  /// The method, or what the row stands for (`setUpClass`, `import failed`).
  public var name: String

  /// Reads a unittest or Django id: `app.tests.test_x.Class.test_y`,
  /// `setUpClass (app.tests.Class)`, `unittest.loader._FailedTest.app.tests`.
  public init(id: String, kind: TestKind) {
    if kind == .test, let plain = Self.plainTest(id) {
      self = plain
      return
    }
    var dotted = id
    var name: String?
    if kind == .suiteError, let suiteError = TestID.suiteError(id) {
      (name, dotted) = (suiteError.name, suiteError.owner)
    }
    let failedModule = TestID.failedModule(id)
    if kind == .loadError || failedModule != nil {
      let module = failedModule ?? id
      self.init(app: Self.app(of: module), module: module, className: "", name: "import failed")
      return
    }
    var parts = dotted.split(separator: ".").map(String.init)
    if let name {
      // "setUpClass (mod.Class)" or "setUpModule (mod)".
      let className = parts.count > 1 && (parts.last?.first?.isUppercase ?? false) ? parts.removeLast() : ""
      let module = parts.joined(separator: ".")
      self.init(app: Self.app(of: module), module: module, className: className, name: name)
      return
    }
    let method = parts.popLast() ?? id
    let className = parts.count > 1 ? parts.removeLast() : ""
    let module = parts.isEmpty ? id : parts.joined(separator: ".")
    self.init(app: Self.app(of: module), module: module, className: className, name: method)
  }

  public init(app: String, module: String, className: String, name: String) {
    self.app = app
    self.module = module
    self.className = className
    self.name = name
  }

  /// The common case, `app.tests.test_x.Class.test_y`, read in one pass over the bytes
  /// instead of split and joined: it makes and hashes no strings but the four parts, which
  /// is most of what opening a 20,000-test history costs. Only for ASCII ids with no
  /// empty part (no leading, trailing or double dot), where the general parse above gives
  /// the same parts; nil for anything else, which that parse takes.
  private static func plainTest(_ id: String) -> TestPath? {
    let parsed = id.utf8.withContiguousStorageIfAvailable { bytes -> TestPath? in
      let dot = UInt8(ascii: ".")
      var lastDot = -1
      var dotBeforeLast = -1
      var previous = dot  // so that a leading dot reads as an empty part
      for (offset, byte) in bytes.enumerated() {
        guard byte < 0x80, byte != dot || previous != dot else { return nil }
        if byte == dot { (dotBeforeLast, lastDot) = (lastDot, offset) }
        previous = byte
      }
      guard previous != dot, !bytes.starts(with: TestID.failedTestPrefix.utf8) else { return nil }
      func text(_ range: Range<Int>) -> String {
        range.count == bytes.count ? id : String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
      }
      // Like the general parse: the method last, the class before it when the module keeps
      // a part, and the module is the whole id when there is no dot at all.
      let moduleEnd = dotBeforeLast >= 0 ? dotBeforeLast : lastDot >= 0 ? lastDot : bytes.count
      let className = dotBeforeLast >= 0 ? text(dotBeforeLast + 1..<lastDot) : ""
      let name = text(lastDot + 1..<bytes.count)
      // `app(of:)` on the module's bytes: the parts before the first tests part, or the
      // first part when that is the tests part or there is none.
      let firstPartEnd = bytes[..<moduleEnd].firstIndex(of: dot) ?? moduleEnd
      var appEnd = firstPartEnd
      if !isTestsPart(bytes[..<firstPartEnd]) {
        var partStart = firstPartEnd + 1
        while partStart < moduleEnd {
          let partEnd = bytes[partStart..<moduleEnd].firstIndex(of: dot) ?? moduleEnd
          if isTestsPart(bytes[partStart..<partEnd]) {
            appEnd = partStart - 1
            break
          }
          partStart = partEnd + 1
        }
      }
      return TestPath(app: text(0..<appEnd), module: text(0..<moduleEnd), className: className, name: name)
    }
    return parsed ?? nil
  }

  /// `tests`, `test` or `test_…`: where the app's part of a module path ends.
  private static func isTestsPart(_ part: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
    guard part.starts(with: "test".utf8) else { return false }
    return part.count == 4 || part[part.startIndex + 4] == UInt8(ascii: "_")
      || (part.count == 5 && part[part.startIndex + 4] == UInt8(ascii: "s"))
  }

  /// `shop.tests.test_x` → `shop`; `site.apps.shop.tests` → `site.apps.shop`.
  static func app(of module: String) -> String {
    let parts = module.split(separator: ".")
    if let tests = parts.firstIndex(where: { $0 == "tests" || $0 == "test" || $0.hasPrefix("test_") }), tests > 0 {
      return parts[..<tests].joined(separator: ".")
    }
    return parts.first.map(String.init) ?? module
  }

  /// The label that runs this entry again with Django: the test itself, or the class
  /// or module a suite error or import error belongs to.
  public func label(for id: String, kind: TestKind) -> String {
    switch kind {
    case .test: return id
    case .suiteError: return className.isEmpty ? module : module + "." + className
    case .loadError: return module
    }
  }
}

/// One test the dashboard knows, with its latest verdict.
public struct TestEntry: Equatable, Sendable {
  public let id: String
  public var kind: TestKind
  public var path: TestPath
  /// The latest verdict; nil when it never finished.
  public var outcome: TestOutcome?
  public var duration: Double?
  public var report: TestReport?
  /// Seconds since the run started when this test started; nil when not running.
  public var startedAt: Double?
  /// Part of the current run and not finished yet.
  public var isPending = false
  /// Its verdict is from an earlier run.
  public var isStale = false
  /// Its verdict changed between runs with no change to its file (from the history).
  public var isFlipping = false
  /// It failed in the rest of the suite after passing, and the selection for the save had
  /// left it out (until it passes again).
  public var isSelectionMiss = false
  /// Its module did not import in the last run (a file that does not compile): no earlier
  /// verdict is shown for it until it runs again.
  public var isBlockedByImport = false
  /// Position in the latest run's order.
  public var order: Int
  /// The test's class group in `DashboardState`'s group table.
  public internal(set) var group = 0
  /// The id in lower case, for filtering as you type.
  let searchKey: String

  public init(id: String, kind: TestKind = .test, order: Int) {
    self.id = id
    self.kind = kind
    self.path = TestPath(id: id, kind: kind)
    self.order = order
    self.searchKey = id.lowercased()
  }

  public var isRunning: Bool { startedAt != nil }
  public var hasFailed: Bool { outcome?.failsTheRun ?? false }
  public var label: String { path.label(for: id, kind: kind) }
}

/// Apps, modules and classes, each stored once and named by number, so the list's rows
/// are rebuilt with arrays instead of string keys.
struct GroupTable: Sendable {
  struct Module: Sendable {
    var title: String
    var app: Int
  }
  struct TestClass: Sendable {
    var title: String
    var module: Int
  }
  var apps: [String] = []
  var modules: [Module] = []
  var classes: [TestClass] = []
  private var appIndex: [String: Int] = [:]
  private var moduleIndex: [String: Int] = [:]
  /// A class by its module's number and its name: no key string to build and hash.
  private struct ClassKey: Hashable {
    var module: Int
    var name: String
  }
  private var classIndex: [ClassKey: Int] = [:]
  /// The group found last: tests arrive class by class, so most lookups are this one.
  private var last: (module: String, className: String, group: Int)?

  /// The class group of `path`, added if new.
  mutating func group(for path: TestPath) -> Int {
    if let last, last.className == path.className, last.module == path.module { return last.group }
    let group = lookUp(path)
    last = (path.module, path.className, group)
    return group
  }

  private mutating func lookUp(_ path: TestPath) -> Int {
    let module = moduleGroup(for: path)
    let classKey = ClassKey(module: module, name: path.className)
    if let known = classIndex[classKey] { return known }
    classes.append(TestClass(title: path.className, module: module))
    classIndex[classKey] = classes.count - 1
    return classes.count - 1
  }

  /// The module group of `path`, added (with its app) if new.
  private mutating func moduleGroup(for path: TestPath) -> Int {
    if let known = moduleIndex[path.module] { return known }
    let app: Int
    if let known = appIndex[path.app] {
      app = known
    } else {
      apps.append(path.app)
      app = apps.count - 1
      appIndex[path.app] = app
    }
    modules.append(Module(title: path.module, app: app))
    moduleIndex[path.module] = modules.count - 1
    return modules.count - 1
  }
}
