import Foundation

/// Chooses the tests a change can affect, from the project's dependency graph and the
/// rules for what no graph can know. Recall comes first: where unsure, it selects more.
public struct TestSelector: Sendable {
  public private(set) var graph: ProjectGraph

  /// Files whose change can affect any test: how the project is installed, started and
  /// configured.
  static let broadFiles: Set<String> = [
    "manage.py", "conftest.py", "runtests.py", "pyproject.toml", "setup.py", "setup.cfg", "tox.ini",
    "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", ".python-version", "runtime.txt", "pytest.ini",
  ]

  public init(graph: ProjectGraph) {
    self.graph = graph
  }

  /// Remembers which templates each test rendered in a run (test id → names), so a
  /// template change selects exactly the tests that render it.
  public mutating func recordRenders(_ renders: [String: Set<String>]) {
    graph.recordRenders(renders)
  }

  /// Remembers which project files each test imported first in a run (test id → paths),
  /// as extra edges beside the static graph's.
  public mutating func recordImports(_ imports: [String: Set<String>]) {
    graph.recordImports(imports)
  }

  /// Remembers the views each test's requests resolved to in a run (test id → paths).
  public mutating func recordResolutions(_ resolutions: [String: Set<String>]) {
    graph.recordResolutions(resolutions)
  }

  /// Reads the changed files into the graph, then selects: what depended on them
  /// before (a deleted module's importers) and what depends on them now.
  ///
  /// - Parameter uncompilable: the changed Python files that no longer compile
  ///   (`PythonSyntax.uncompilable`): one that Django imports before any test fails them all.
  public mutating func selection(afterChanging paths: [String], uncompilable: Set<String> = []) -> TestSelection {
    let before = graph
    graph.update(paths)
    return Self.select(paths, in: graph, before: before, uncompilable: uncompilable)
  }

  /// Selects for files already read into the graph (e.g. `djdash affected`).
  public func selection(for paths: [String], uncompilable: Set<String> = []) -> TestSelection {
    Self.select(paths, in: graph, before: nil, uncompilable: uncompilable)
  }

  private struct Reach {
    /// Test module path → the chain that reached it.
    var tests: [String: [String]] = [:]
    var broad: [String] = []
    /// The files among the broad ones that are broad only as settings (`settingsReason`).
    var settings: [String] = []
    var unaffected: [String] = []

    /// How many times a test module was reached, counting repeats: tells whether a
    /// changed file reached any, even ones an earlier file had reached.
    var reachedTests = 0

    /// Test modules only some of whose classes were reached (file → class names); a
    /// module reached whole is not here.
    var classes: [String: Set<String>] = [:]
    var wholeModules: Set<String> = []
    /// Each test module's class dependencies, read once per selection.
    var classDependencies: [String: ProjectGraph.ClassDependencies?] = [:]

    /// `test` reached whole, or only its `classes`.
    mutating func add(test: String, chain: [String], classes only: [String]? = nil) {
      reachedTests += 1
      if tests[test] == nil || chain.count < tests[test]?.count ?? 0 { tests[test] = chain }
      if let only, !wholeModules.contains(test) {
        classes[test, default: []].formUnion(only)
      } else {
        wholeModules.insert(test)
        classes[test] = nil
      }
    }
  }

  private static func select(
    _ paths: [String], in graph: ProjectGraph, before: ProjectGraph?, uncompilable: Set<String>
  ) -> TestSelection {
    var reach = Reach()
    for path in Set(paths).sorted() {
      let doesNotCompile =
        uncompilable.contains(path)
        && (graph.loadedBeforeTests.contains(path) || before?.loadedBeforeTests.contains(path) == true)
      if let reason = broadReason(for: path, in: graph) ?? before.flatMap({ broadReason(for: path, in: $0) })
        ?? before.flatMap({ setupReason(for: path, before: $0, after: graph) })
        ?? (doesNotCompile
          ? "no longer compiles, and Django imports it before any test (django.setup() or the system checks): every test"
          : nil)
      {
        reach.broad.append("\(path): \(reason)")
        if reason == settingsReason { reach.settings.append(path) }
        continue
      }
      let reachedBefore = reach.reachedTests
      var hasDependents = false
      for snapshot in [before, graph].compactMap({ $0 }) where snapshot.kind(of: path) != nil {
        hasDependents = follow(path, in: snapshot, into: &reach) || hasDependents
      }
      let kind = graph.kind(of: path) ?? before?.kind(of: path) ?? ProjectFileKind.of(path)
      if graph.kind(of: path) == nil, case .python(let module, _) = kind {
        // A module that is gone: whoever still imports it breaks.
        for importer in graph.importers(ofMissing: module) {
          reach.add(test: importer, chain: ["\(path) (deleted)", "\(importer) imports it"])
          hasDependents =
            follow(importer, in: graph, into: &reach, chain: ["\(path) (deleted)", "\(importer) imports it"])
            || hasDependents
        }
      }
      // What the graph cannot see: its app's tests.
      let isTest = graph.testModules[path] != nil || before?.testModules[path] != nil
      var fallback: String?
      // A recorded render proves a dependency but not the absence of others (a test not
      // run since, or changed to render it): a template nothing names keeps its fallback.
      let isNamed = [before, graph].contains { snapshot in
        snapshot?.directDependents(of: path).contains { $0.reason != .rendered } == true
      }
      // `<app>/<model>_list.html` and the like: the class-based views of that model pick it.
      var conventionalViews: (model: String, files: [String])?
      if case .template(let name) = kind, !isNamed, let model = conventionalModel(of: name) {
        let files = graph.views(ofModel: model)
        if !files.isEmpty { conventionalViews = (model, files) }
      }
      if let (model, files) = conventionalViews {
        for file in files {
          let chain = [
            "\(path) (changed)", "\(file) has a class-based view of \(model), which picks it by its name",
          ]
          if graph.testModules[file] != nil { reach.add(test: file, chain: chain) }
          hasDependents = follow(file, in: graph, into: &reach, chain: chain) || hasDependents
        }
      }
      switch kind {
      case .template: if !isNamed && conventionalViews == nil { fallback = "a template nothing names" }
      case .fixture: if !hasDependents { fallback = "a fixture no test names" }
      case .python: if !hasDependents && !isTest { fallback = "nothing imports it" }
      case .other: fallback = "not in the import graph"
      case .migration: break
      }
      if let fallback {
        if let app = graph.app(containing: path) ?? before?.app(containing: path) {
          let line = "\(fallback): the tests of its app \(app.label)"
          for (test, _) in graph.testModules where test.hasPrefix(app.folder + "/") || app.folder.isEmpty {
            reach.add(test: test, chain: ["\(path) (changed)", line])
          }
        }
        if case .template = kind, !isNamed, conventionalViews == nil {
          // Class-based views find templates by convention: what the client serves.
          _ = follow(
            VirtualNode.client, in: graph, into: &reach,
            chain: ["\(path) (changed)", "a view may pick it by convention: what the test client serves"])
        }
      }
      if reach.reachedTests == reachedBefore && !isTest {
        let why =
          graph.app(containing: path) == nil ? "outside every app and nothing depends on it" : "no test depends on it"
        reach.unaffected.append("\(path): \(why)")
      }
    }
    return labels(for: reach, in: graph)
  }

  /// The template suffixes of Django's generic views (`template_name_suffix`).
  static let viewTemplateSuffixes = [
    "_list", "_detail", "_form", "_confirm_delete", "_archive", "_archive_year", "_archive_month", "_archive_week",
    "_archive_day",
  ]

  /// The model (lower case) whose generic views pick template `name` by convention:
  /// `product` for `catalog/product_list.html`; nil for any other name.
  static func conventionalModel(of name: String) -> String? {
    let parts = name.split(separator: "/")
    guard parts.count == 2, parts[1].hasSuffix(".html") else { return nil }
    let stem = parts[1].dropLast(5)
    // The longest suffix first: `_archive_year` before `_archive`.
    for suffix in viewTemplateSuffixes.sorted(by: { $0.count > $1.count }) where stem.hasSuffix(suffix) {
      let model = stem.dropLast(suffix.count)
      guard !model.isEmpty, model.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) else { return nil }
      return String(model)
    }
    return nil
  }

  /// A file the settings module imports (itself, and what it imports): its module level may
  /// make a setting.
  static let settingsReason = "settings: every test"

  /// Why a change of `path` affects every test, or nil.
  private static func broadReason(for path: String, in graph: ProjectGraph) -> String? {
    if broadFiles.contains(String(path.split(separator: "/").last ?? "")) {
      return "it starts, installs or configures the project: every test"
    }
    if isRequirementsFile(path) { return "the installed packages may change: every test" }
    if graph.settingsFiles.contains(path) { return settingsReason }
    if let setting = graph.settingsNamedFiles[path] { return "named by \(setting) in settings: every test" }
    if graph.kind(of: path) == .migration { return "a migration shapes the test database: every test" }
    if isSharedTestHelper(path, in: graph) { return "a shared test helper: every test" }
    return nil
  }

  /// A module `django.setup()` loaded (the runner's last report) whose save changed it
  /// outside function bodies — imports, constants, a model's fields, decorators,
  /// signatures: what Django set up at start-up changed, for every test.
  private static func setupReason(for path: String, before: ProjectGraph, after: ProjectGraph) -> String? {
    guard after.loadedAtSetup.contains(path), let old = before.skeletons[path], old != after.skeletons[path] else {
      return nil
    }
    return "loaded by django.setup() and changed outside function bodies: every test"
  }

  /// `requirements*.txt`/`.in`, or a file in a `requirements` folder: what is installed.
  static func isRequirementsFile(_ path: String) -> Bool {
    let name = String(path.split(separator: "/").last ?? "")
    let isInRequirements =
      name.hasPrefix("requirements") || path.split(separator: "/").dropLast().contains("requirements")
    return isInRequirements && (name.hasSuffix(".txt") || name.hasSuffix(".in"))
  }

  /// What starts, installs or configures the project: a change can affect every test
  /// and every process that has Django set up.
  public static func isInstallOrConfigFile(_ path: String) -> Bool {
    broadFiles.contains(String(path.split(separator: "/").last ?? "")) || isRequirementsFile(path)
  }

  /// A Python module in a `tests` folder that is not a test module and that tests
  /// import: a base class, factories, fixtures code — what pytest keeps in conftest.py.
  /// Tests can reach it in ways no import shows (a base class named in a string, a
  /// factory registry), so a change runs everything. A module no test imports (a test
  /// project's views, reached through its URLconf) is followed through the graph.
  static func isSharedTestHelper(_ path: String, in graph: ProjectGraph) -> Bool {
    guard case .python(_, let isPackage)? = graph.kind(of: path) ?? Optional(ProjectFileKind.of(path)), !isPackage,
      graph.testModules[path] == nil, path.split(separator: "/").dropLast().contains("tests")
    else { return false }
    return graph.isImportedByATest(path) || graph.kind(of: path) == nil
  }

  /// Follows dependents from `origin`, adding the test modules reached. Returns whether
  /// anything depends on it.
  @discardableResult
  private static func follow(
    _ origin: String, in graph: ProjectGraph, into reach: inout Reach, chain start: [String]? = nil
  ) -> Bool {
    var parent: [String: (node: String, reason: DependencyReason)] = [:]
    var seen: Set<String> = [origin]
    var queue = [origin]
    var head = 0
    while head < queue.count {
      let node = queue[head]
      head += 1
      for (dependent, reason) in graph.directDependents(of: node) {
        // The URL resolver reads URL modules, not what they import.
        if reason == .urlPatterns && node != origin { continue }
        guard seen.insert(dependent).inserted else { continue }
        parent[dependent] = (node, reason)
        queue.append(dependent)
      }
    }
    let origins = start ?? ["\(origin) (changed)"]
    if graph.testModules[origin] != nil { reach.add(test: origin, chain: origins) }
    for node in queue.dropFirst() where graph.testModules[node] != nil {
      var links: [String] = []
      var current = node
      while let step = parent[current] {
        links.append("\(current) \(step.reason.phrase)")
        current = step.node
      }
      // Only the classes that use what changed, when the module tells them apart.
      if reach.classDependencies[node] == nil { reach.classDependencies[node] = graph.classDependencies(of: node) }
      let classes = ProjectGraph.affectedClasses(reach.classDependencies[node] ?? nil, reached: seen)
      let only = classes.map { ["(its classes \($0.joined(separator: ", ")) use it)"] } ?? []
      reach.add(test: node, chain: origins + links.reversed() + only, classes: classes)
    }
    return queue.count > 1
  }

  /// Minimal labels for the reached test modules.
  private static func labels(for reach: Reach, in graph: ProjectGraph) -> TestSelection {
    var selection = TestSelection(broadReasons: reach.broad, unaffected: reach.unaffected)
    selection.broadAsSettings = reach.settings
    let all = graph.testModules
    let selected: Set<String> =
      reach.broad.isEmpty
      ? Set(reach.tests.keys.filter { reach.classes[$0] == nil }.compactMap { all[$0] }) : Set(all.values)
    // Modules only some of whose classes run: a label per class.
    let classLabels: [String] =
      reach.broad.isEmpty
      ? reach.classes.flatMap { path, classes in all[path].map { module in classes.map { module + "." + $0 } } ?? [] }
        .sorted() : []
    guard !selected.isEmpty || !classLabels.isEmpty else { return selection }
    // A package label when every test module under it is selected, from the top down.
    // Each level gets the modules under it, split once.
    typealias Module = (name: String, parts: [Substring])
    let modules: [Module] = all.values.sorted().map { ($0, $0.split(separator: ".")) }
    func emit(_ prefix: [Substring], _ inside: [Module]) -> [String] {
      if !prefix.isEmpty && inside.allSatisfy({ selected.contains($0.name) }) { return [prefix.joined(separator: ".")] }
      var children: [Substring] = []
      var under: [Substring: [Module]] = [:]
      for module in inside where module.parts.count > prefix.count {
        let child = module.parts[prefix.count]
        if under[child] == nil { children.append(child) }
        under[child, default: []].append(module)
      }
      return children.flatMap { child -> [String] in
        let group = under[child] ?? []
        return group.contains { selected.contains($0.name) } ? emit(prefix + [child], group) : []
      }
    }
    selection.labels = (selected.isEmpty ? [] : emit([], modules)) + classLabels
    selection.isEverything = selected.count == all.count
    let byModule = Dictionary(
      reach.tests.compactMap { path, chain in all[path].map { ($0, chain) } },
      uniquingKeysWith: { $0.count <= $1.count ? $0 : $1 })
    for label in selection.labels {
      if !reach.broad.isEmpty {
        selection.explanations[label] = reach.broad
        continue
      }
      let chains = byModule.filter { $0.key == label || $0.key.hasPrefix(label + ".") || label.hasPrefix($0.key + ".") }
        .sorted { $0.key < $1.key }
      if let (module, chain) = chains.min(by: { $0.value.count < $1.value.count }) {
        selection.explanations[label] =
          chain + (module == label || chains.count == 1 ? [] : ["(one of \(chains.count) test modules in \(label))"])
      }
    }
    return selection
  }
}

extension Project {
  /// The dependency graph of this project, with the settings module and test pattern
  /// the run `request` would use, and what earlier runs recorded (`RecordedEdges`).
  public func dependencyGraph(
    for request: RunRequest, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> ProjectGraph {
    let merged = request.filling(from: configuration)
    let base = root.hasSuffix("/") ? root : root + "/"
    // The script a custom command runs (runtests.py): the settings module it sets.
    let script = Project.runScriptPath(of: merged.command, in: commandDirectory)
    var graph = ProjectGraph(
      root: root, sourceRoots: sourceRoots,
      settingsModule: merged.settings ?? environment["DJANGO_SETTINGS_MODULE"] ?? report?.settingsModule,
      testPattern: merged.pattern ?? "test*.py",
      loadedAtSetup: Set(
        (report?.modules ?? []).filter { $0.hasPrefix(base) }.map { String($0.dropFirst(base.count)) }),
      entryScript: script.flatMap { $0.hasPrefix(base) ? String($0.dropFirst(base.count)) : nil }
    )
    let recorded = RecordedEdges.load(projectRoot: root)
    if !recorded.isEmpty {
      graph.recordRenders(recorded.renders)
      graph.recordImports(recorded.imports)
      graph.recordResolutions(recorded.resolved)
    }
    return graph
  }

  /// The graph's `selection` for a change of `paths` (relative to the root), narrowed to
  /// the tests recorded running what changed when only function bodies (or templates) changed
  /// (`FunctionNarrowing`, comparing the files as they are now with what the records saw).
  /// `selection.rule` says which rule decided.
  ///
  /// - Parameter off: files narrowing must leave alone (a narrowed selection missed a
  ///   test after a save of them, until their tests have run again).
  public func narrowed(
    _ selection: TestSelection, changing paths: [String], records: ExecutionRecords, in graph: ProjectGraph,
    off: Set<String> = []
  ) -> TestSelection {
    if let path = paths.sorted().first(where: off.contains), !selection.labels.isEmpty {
      var result = selection
      result.rule = "graph: function precision is off for \(path) after it missed a test, until its tests have run again"
      return result
    }
    var current: [String: PythonDefinitions?] = [:]
    for path in paths {
      current[path] = (try? String(contentsOfFile: root + "/" + path, encoding: .utf8)).map {
        PythonDefinitions(path: path, text: $0)
      }
    }
    return FunctionNarrowing.narrowed(
      selection, current: current, records: records, testModules: graph.testModules.values,
      projectSources: { [root] in
        var sources: [String: String] = [:]
        for path in graph.pythonFiles {
          sources[path] = try? String(contentsOfFile: root + "/" + path, encoding: .utf8)
        }
        return sources
      })
  }

  /// The files among `paths` (relative to the root) that Django imports before any test
  /// (`graph.loadedBeforeTests`) and that no longer compile: only such a file fails every
  /// test by not compiling. `python` is asked for the interpreter only when there is one to
  /// check (see `PythonSyntax`).
  public func uncompilableBeforeTests(_ paths: [String], in graph: ProjectGraph, python: () -> String?) -> Set<String> {
    let early = paths.filter { graph.loadedBeforeTests.contains($0) }
    guard !early.isEmpty, let python = python() else { return [] }
    let found = PythonSyntax.uncompilable(early.map { root + "/" + $0 }, python: python)
    return Set(early.filter { found.contains(root + "/" + $0) })
  }

  /// `path` (absolute, or relative to `directory`) relative to the project root; nil
  /// when it is outside the project.
  public func relativePath(of path: String, from directory: String) -> String? {
    let absolute = path.hasPrefix("/") ? path : directory + "/" + path
    let standard = URL(fileURLWithPath: absolute).standardizedFileURL.path
    let base = URL(fileURLWithPath: root).standardizedFileURL.path
    guard standard.hasPrefix(base + "/") else { return nil }
    return String(standard.dropFirst(base.count + 1))
  }
}
