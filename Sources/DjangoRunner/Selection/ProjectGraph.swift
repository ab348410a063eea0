import Dispatch
import Foundation

/// An installed app of the project, as the selection sees it.
public struct ProjectApp: Equatable, Sendable {
  /// The app's package, e.g. `shop` or `apps.billing`.
  public var module: String
  /// Its folder, relative to the project root.
  public var folder: String
  /// Django's app label: the package's last component.
  public var label: String { module.split(separator: ".").last.map(String.init) ?? module }
}

/// The dependency graph of a Django project's files: Python imports, and the wiring
/// Django adds that imports miss (the URLconf behind the test client, settings' dotted
/// paths, signal receivers connected at start-up, templates, fixtures). Built from the
/// source by scanning, kept up to date file by file.
public struct ProjectGraph: Sendable {
  public let root: String
  /// The folders modules are imported from, relative to `root` (`""`: the root itself):
  /// a file's module is named from the deepest one that holds it (see `SourceTree`).
  public let sourceRoots: [String]
  /// The test module file pattern, as `--pattern` (default `test*.py`).
  public let testPattern: String
  /// Files of the modules the runner had loaded before the first test (`django.setup()`:
  /// settings, app configs, models, admin, what they import), from its last report.
  public let loadedAtSetup: Set<String>
  /// The script a custom command runs, relative to the root (see `init`).
  public let entryScript: String?
  /// Their skeletons as last read: a save that changes one changed what Django set up.
  public private(set) var skeletons: [String: ModuleSkeleton] = [:]
  /// What Django imports before any test, with everything those modules import:
  /// settings, the apps' app configs, models and admin (`django.setup()`), the URLconf
  /// (the system checks load it), and what the runner reported loading. A file among them
  /// that no longer compiles fails every test.
  public private(set) var loadedBeforeTests: Set<String> = []

  private(set) var kinds: [String: ProjectFileKind] = [:]
  private(set) var pythonSummaries: [String: PythonSourceSummary] = [:]
  private(set) var templateSummaries: [String: TemplateSummary] = [:]
  private(set) var moduleFiles: [String: String] = [:]
  private(set) var templateFiles: [String: [String]] = [:]
  private(set) var fixtureFiles: [String: [String]] = [:]
  /// Tag library name (the module's last component under a `templatetags` package) →
  /// its files, for `{% load %}`.
  private(set) var tagLibraryFiles: [String: [String]] = [:]
  /// URL modules by name: `urls`, `….urls` and modules of a `urls` package.
  private(set) var urlModuleFiles: [String] = []
  /// Management commands by name (`<app>/management/commands/<name>.py`), for `call_command`.
  private(set) var commandFiles: [String: [String]] = [:]

  /// Edges from each node to what it depends on.
  private(set) var dependencies: [String: [Dependency]] = [:]
  /// The same edges, reversed.
  private(set) var dependents: [String: [(node: String, reason: DependencyReason)]] = [:]

  /// The settings module's file and every project module it imports.
  public private(set) var settingsFiles: Set<String> = []
  public private(set) var settingsModule: String?
  /// Project modules settings name outside INSTALLED_APPS, ROOT_URLCONF, MIDDLEWARE and
  /// TEMPLATES (a test runner, backends, …): no graph knows who uses them.
  public private(set) var settingsNamedFiles: [String: String] = [:]
  public private(set) var apps: [ProjectApp] = []
  /// Test modules: file path → dotted module.
  public private(set) var testModules: [String: String] = [:]

  /// Builds the graph of the project at `root`.
  ///
  /// - Parameters:
  ///   - settingsModule: DJANGO_SETTINGS_MODULE if known; otherwise read from manage.py.
  ///   - ignore: what to leave out; by default what the watcher leaves out.
  ///   - sourceRoots: the folders modules are imported from (default: the root).
  ///   - loadedAtSetup: files (relative to the root) the runner loaded before any test.
  ///   - entryScript: the script a custom command runs (`runtests.py`), read like manage.py
  ///     for the settings module it sets.
  public init(
    root: String, sourceRoots: [String] = [""], settingsModule: String? = nil, testPattern: String = "test*.py",
    ignore: IgnoreRules? = nil, loadedAtSetup: Set<String> = [], entryScript: String? = nil
  ) {
    self.root = root
    self.entryScript = entryScript
    self.sourceRoots = sourceRoots.isEmpty ? [""] : sourceRoots
    self.testPattern = testPattern
    self.loadedAtSetup = loadedAtSetup
    let rules = ignore ?? IgnoreRules(root: root)
    let paths = ProjectTree.files(root: root) { rules.isIgnored($0, isDirectory: $1) }
    for path in paths { kinds[path] = classify(path) }
    // Scanning is most of the cost: spread it over the cores.
    let scanned = paths.filter { path in
      switch kinds[path] {
      case .python?, .migration?, .template?: return true
      default: return Self.isManagePy(path) || path == entryScript
      }
    }
    var python = [PythonSourceSummary?](repeating: nil, count: scanned.count)
    var templates = [TemplateSummary?](repeating: nil, count: scanned.count)
    var skeletonsRead = [ModuleSkeleton?](repeating: nil, count: scanned.count)
    python.withUnsafeMutableBufferPointer { pythonOut in
      templates.withUnsafeMutableBufferPointer { templateOut in
        skeletonsRead.withUnsafeMutableBufferPointer { skeletonOut in
          nonisolated(unsafe) let pythonBase = pythonOut
          nonisolated(unsafe) let templateBase = templateOut
          nonisolated(unsafe) let skeletonBase = skeletonOut
          DispatchQueue.concurrentPerform(iterations: scanned.count) { index in
            let path = scanned[index]
            guard let bytes = ProjectTree.read(root + "/" + path) else { return }
            if path.hasSuffix(".py") {
              pythonBase[index] = PythonScanner.scan(bytes)
              if loadedAtSetup.contains(path) {
                skeletonBase[index] = ModuleSkeleton(source: String(decoding: bytes, as: UTF8.self))
              }
            } else {
              templateBase[index] = TemplateScanner.scan(String(decoding: bytes, as: UTF8.self))
            }
          }
        }
      }
    }
    for (index, path) in scanned.enumerated() {
      if let summary = python[index] { pythonSummaries[path] = summary }
      if let skeleton = skeletonsRead[index] { skeletons[path] = skeleton }
      if let summary = templates[index] { templateSummaries[path] = summary }
    }
    explicitSettings = settingsModule
    indexFiles()
    connect()
  }

  private var explicitSettings: String?

  // MARK: updates

  /// Reads `paths` (relative to the root) again: changed, created or deleted files.
  /// Edges are recomputed; the cost is one rescan per file plus relinking.
  public mutating func update(_ paths: [String]) {
    var isIndexChanged = false
    for path in paths {
      let full = root + "/" + path
      var info = stat()
      let exists = stat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
      let kind = classify(path)
      if !exists {
        if kinds.removeValue(forKey: path) != nil { isIndexChanged = true }
        pythonSummaries[path] = nil
        templateSummaries[path] = nil
        continue
      }
      if kinds[path] == nil { isIndexChanged = true }
      kinds[path] = kind
      let bytes = ProjectTree.read(full) ?? []
      switch kind {
      case .python, .migration:
        pythonSummaries[path] = PythonScanner.scan(bytes)
        if loadedAtSetup.contains(path) {
          skeletons[path] = ModuleSkeleton(source: String(decoding: bytes, as: UTF8.self))
        }
      case .template: templateSummaries[path] = TemplateScanner.scan(String(decoding: bytes, as: UTF8.self))
      default: if Self.isManagePy(path) || path == entryScript { pythonSummaries[path] = PythonScanner.scan(bytes) }
      }
    }
    if isIndexChanged { indexFiles() }
    // With the same files, only the changed files' own edges can differ.
    connect(changed: isIndexChanged ? nil : paths)
  }

  /// Adds what a run recorded: test ids and the templates each rendered. A template a
  /// test module's tests rendered becomes a dependency of that module.
  public mutating func recordRenders(_ renders: [String: Set<String>]) {
    var isChanged = false
    for (test, names) in renders {
      guard let file = testModuleFile(of: test), !names.isSubset(of: recordedRenders[file] ?? []) else { continue }
      recordedRenders[file, default: []].formUnion(names)
      isChanged = true
    }
    // No file's own edges changed; the rendered ones are added anew by every relink.
    if isChanged { connect(changed: []) }
  }

  private var recordedRenders: [String: Set<String>] = [:]

  /// Adds what a run recorded: the project files each test was the first to import
  /// (test id → paths relative to the root). They become dependencies of the test's
  /// module: a union with the static graph, never a replacement.
  public mutating func recordImports(_ imports: [String: Set<String>]) {
    if Self.add(imports, to: &recordedImports, in: self) { connect(changed: []) }
  }

  /// Adds what a run recorded: the files of the views each test's requests resolved to
  /// (test id → paths): dependencies of the test's module, beside the URLconf's.
  public mutating func recordResolutions(_ resolutions: [String: Set<String>]) {
    if Self.add(resolutions, to: &recordedResolutions, in: self) { connect(changed: []) }
  }

  /// Adds test id → files to a recorded table of test module → files; whether it grew.
  private static func add(
    _ records: [String: Set<String>], to table: inout [String: Set<String>], in graph: ProjectGraph
  ) -> Bool {
    var isChanged = false
    for (test, files) in records {
      guard let file = graph.testModuleFile(of: test) else { continue }
      let known = files.filter { graph.kinds[$0] != nil && $0 != file }
      guard !known.isSubset(of: table[file] ?? []) else { continue }
      table[file, default: []].formUnion(known)
      isChanged = true
    }
    return isChanged
  }

  private var recordedImports: [String: Set<String>] = [:]
  private var recordedResolutions: [String: Set<String>] = [:]

  /// The file of a test id's module: the longest dotted start of the id that is a module.
  private func testModuleFile(of test: String) -> String? {
    var parts = test.split(separator: ".")
    while !parts.isEmpty, moduleFiles[parts.joined(separator: ".")] == nil { parts.removeLast() }
    return moduleFiles[parts.joined(separator: ".")]
  }

  // MARK: building

  /// What `path` is, its module named from the deepest source root that holds it.
  private func classify(_ path: String) -> ProjectFileKind {
    let kind = ProjectFileKind.of(path)
    guard case .python(_, let isPackage) = kind, sourceRoots != [""] else { return kind }
    let tree = SourceTree(root: root, sourceRoots: sourceRoots)
    guard let (module, _) = tree.module(of: path) else { return kind }
    return .python(module: module, isPackage: isPackage)
  }

  /// A `manage.py`, at the root or in a folder (a test project in `tests/`).
  static func isManagePy(_ path: String) -> Bool { path == "manage.py" || path.hasSuffix("/manage.py") }

  /// The shallowest manage.py: the one whose DJANGO_SETTINGS_MODULE names the settings.
  private var managePy: String? {
    pythonSummaries.keys.filter(Self.isManagePy).min { $0.count < $1.count }
  }

  private mutating func indexFiles() {
    moduleFiles = [:]
    templateFiles = [:]
    fixtureFiles = [:]
    tagLibraryFiles = [:]
    urlModuleFiles = []
    commandFiles = [:]
    testModules = [:]
    // A module under a deeper source root also answers to its name from the root (an
    // import `tests.testapp.models` where the repository is on sys.path too); its own
    // name wins where two files claim one.
    if sourceRoots != [""] {
      for (path, kind) in kinds {
        guard case .python(let module, _) = kind, case .python(let full, _) = ProjectFileKind.of(path), full != module
        else { continue }
        moduleFiles[full] = path
      }
    }
    for (path, kind) in kinds {
      switch kind {
      case .python(let module, _):
        moduleFiles[module] = path
        let name = String(path.split(separator: "/").last ?? "")
        if fnmatch(testPattern, name, 0) == 0 { testModules[path] = module }
        if let range = module.range(of: ".templatetags.", options: .backwards) {
          tagLibraryFiles[String(module[range.upperBound...]), default: []].append(path)
        }
        if module == "urls" || module.hasSuffix(".urls") || module.contains(".urls.") { urlModuleFiles.append(path) }
        if let range = module.range(of: ".management.commands.", options: .backwards) {
          commandFiles[String(module[range.upperBound...]), default: []].append(path)
        }
      case .template(let name):
        templateFiles[name, default: []].append(path)
      case .fixture(let name):
        fixtureFiles[name, default: []].append(path)
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        if stem != name { fixtureFiles[stem, default: []].append(path) }
      case .migration, .other:
        break
      }
    }
  }

  /// Each file's own edges (imports, names, templates), before Django's wiring.
  private var fileEdges: [String: [Dependency]] = [:]

  /// Recomputes the edges from the kept summaries: every file's own, or only those of
  /// `changed` (when no file came or went, the others' cannot differ), then Django's.
  private mutating func connect(changed: [String]? = nil) {
    if let changed {
      for path in changed {
        fileEdges[path] = ownEdges(of: path)
        modelReferences[path] = modelReferences(in: path)
      }
    } else {
      fileEdges = [:]
      modelReferences = [:]
      for path in pythonSummaries.keys {
        fileEdges[path] = ownEdges(of: path)
        modelReferences[path] = modelReferences(in: path)
      }
      for path in templateSummaries.keys { fileEdges[path] = ownEdges(of: path) }
    }
    var edges = fileEdges
    for (file, imported) in recordedImports {
      for target in imported.sorted() {
        edges[file, default: []].append(Dependency(target: target, reason: .importedInARun))
      }
    }
    for (file, views) in recordedResolutions {
      for target in views.sorted() {
        edges[file, default: []].append(Dependency(target: target, reason: .resolvedInARun))
      }
    }
    for (file, names) in recordedRenders {
      for name in names.sorted() {
        for template in templateFiles[name] ?? [] {
          edges[file, default: []].append(Dependency(target: template, reason: .rendered))
        }
      }
    }
    connectDjango(&edges)
    // The reverse edges: after an update, patched where a node's edges changed (a few
    // nodes); else built anew.
    let previous = changed == nil ? [:] : dependencies
    if changed == nil { dependents = [:] }
    for (node, targets) in previous where edges[node] != targets {
      for dependency in targets where dependency.target != node {
        dependents[dependency.target]?.removeAll { $0.node == node }
      }
    }
    for (node, targets) in edges where previous[node] != targets {
      for dependency in targets where dependency.target != node {
        dependents[dependency.target, default: []].append((node, dependency.reason))
      }
    }
    dependencies = edges
  }

  /// Each Python file's strings that may be lazy model references ("app.Model").
  private var modelReferences: [String: [String]] = [:]

  private func modelReferences(in path: String) -> [String]? {
    var candidates: [String] = []
    for string in pythonSummaries[path]?.strings ?? [] where !string.isPrefix && Self.mayBeModelReference(string.text) {
      candidates.append(string.text)
    }
    return candidates.isEmpty ? nil : candidates
  }

  private func ownEdges(of path: String) -> [Dependency]? {
    if let summary = pythonSummaries[path] {
      guard case .python(let module, let isPackage)? = kinds[path] else { return nil }
      return pythonDependencies(of: summary, module: module, isPackage: isPackage)
    }
    return templateSummaries[path].map { templateDependencies(of: $0, at: path) }
  }

  private func pythonDependencies(of summary: PythonSourceSummary, module: String, isPackage: Bool) -> [Dependency] {
    var result: [Dependency] = []
    var seen = Set<String>()
    func add(_ file: String?, _ reason: DependencyReason) {
      guard let file, seen.insert(file).inserted else { return }
      result.append(Dependency(target: file, reason: reason))
    }
    // Loading a.b.c runs a/__init__.py and a/b/__init__.py first, also for a test
    // module that the runner loads by name and nobody imports.
    var package = ""
    for part in module.split(separator: ".").dropLast() {
      package = package.isEmpty ? String(part) : package + "." + part
      add(moduleFiles[package], .imports)
    }
    for reference in summary.imports {
      guard let base = reference.absoluteModule(importer: module, isPackage: isPackage) else { continue }
      // Importing a.b.c runs a/__init__.py and a/b/__init__.py too: re-exports count.
      var prefix = ""
      for part in base.split(separator: ".") {
        prefix = prefix.isEmpty ? String(part) : prefix + "." + part
        add(moduleFiles[prefix], .imports)
      }
      for name in reference.names where name != "*" {
        add(moduleFiles[base.isEmpty ? name : base + "." + name], .imports)
      }
    }
    for string in summary.strings {
      let text = string.text
      if string.isPrefix {
        guard text.contains("/"), text.count >= 3 else { continue }
        for (name, files) in templateFiles where name.hasPrefix(text) {
          for file in files { add(file, .namesTemplate(text + "…")) }
        }
        continue
      }
      if let files = templateFiles[text] {
        for file in files { add(file, .namesTemplate(text)) }
      }
      if let files = fixtureFiles[text] {
        for file in files { add(file, .namesFixture(text)) }
      }
      if let files = commandFiles[text] {
        for file in files { add(file, .namesCommand(text)) }
      }
      // Template syntax in Python: Template("{% load shop_tags %}{% include 'x.html' %}").
      if text.contains("{%") {
        for dependency in templateDependencies(of: TemplateScanner.scan(text), at: "") {
          add(dependency.target, dependency.reason)
        }
      }
      guard !text.contains("/"), let first = text.utf8.first, first != UInt8(ascii: ".") else { continue }
      if let file = moduleFiles[text] {
        add(file, .names(text))
        continue
      }
      let parts = text.split(separator: ".")
      guard parts.count >= 2, parts.allSatisfy(ProjectFileKind.isIdentifier) else { continue }
      let owner = parts.dropLast().joined(separator: ".")
      if let file = moduleFiles[owner] { add(file, .names(text)) }
    }
    if summary.usesClient { add(VirtualNode.client, .usesClient) }
    if summary.usesURLs { add(VirtualNode.urls, .usesURLs) }
    return result
  }

  private func templateDependencies(of summary: TemplateSummary, at path: String) -> [Dependency] {
    var result: [Dependency] = []
    for name in summary.templates {
      for file in templateFiles[name] ?? [] where file != path {
        result.append(Dependency(target: file, reason: .extendsOrIncludes))
      }
    }
    for library in summary.libraries {
      for file in tagLibraryFiles[library] ?? [] {
        result.append(Dependency(target: file, reason: .loadsTags(library)))
      }
    }
    return result
  }

  /// Django's wiring: settings, apps, the test client's reach, start-up receivers.
  private mutating func connectDjango(_ edges: inout [String: [Dependency]]) {
    // Settings: named explicitly, else the DJANGO_SETTINGS_MODULE manage.py sets.
    var settings = explicitSettings
    for script in [managePy, entryScript].compactMap({ $0 }) where settings == nil {
      // A runtests.py names modules for other reasons; only one that sets the variable counts.
      guard let summary = pythonSummaries[script],
        script != entryScript || summary.strings.contains(where: { $0.text == "DJANGO_SETTINGS_MODULE" })
      else { continue }
      settings =
        summary.strings.map(\.text).first { moduleFiles[$0] != nil && $0.contains("settings") }
        ?? summary.strings.map(\.text).first { moduleFiles[$0] != nil }
    }
    settingsModule = settings
    settingsFiles = []
    settingsNamedFiles = [:]
    var clientServes: [Dependency] = []
    var installed: [String] = []
    if let settings, let file = moduleFiles[settings] {
      settingsFiles = closure(of: [file], over: edges) { $0 == .imports }
      for path in settingsFiles.sorted() {
        for string in pythonSummaries[path]?.strings ?? [] where !string.isPrefix {
          let owner = string.owner ?? ""
          guard let target = moduleFile(named: string.text) else { continue }
          switch owner {
          // INSTALLED_APPS, or the lists it is often summed from (LOCAL_APPS, …).
          case _ where owner == "INSTALLED_APPS" || owner.hasSuffix("_APPS"): installed.append(string.text)
          case "ROOT_URLCONF", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "TEMPLATES":
            clientServes.append(Dependency(target: target, reason: .servedByClient(setting: owner)))
          default:
            if !settingsFiles.contains(target) { settingsNamedFiles[target] = owner.isEmpty ? "settings" : owner }
          }
        }
      }
    }
    // Apps: INSTALLED_APPS entries of the project (a package, or its AppConfig's path);
    // without settings, every top-level package with models, apps or tests.
    var found: [String] = []
    for entry in installed {
      var module = entry
      while !module.isEmpty, moduleFiles[module] == nil || !isPackage(module) {
        module = module.split(separator: ".").dropLast().joined(separator: ".")
        if module.hasSuffix(".apps") { module = String(module.dropLast(5)) }
      }
      if !module.isEmpty && !found.contains(module) { found.append(module) }
    }
    if settings == nil || found.isEmpty {
      for (module, _) in moduleFiles where !module.contains(".") && isPackage(module) {
        let hasAppFiles = ["models", "apps", "tests", "views"].contains { moduleFiles[module + "." + $0] != nil }
        if hasAppFiles && !found.contains(module) { found.append(module) }
      }
    }
    apps = found.sorted().compactMap { module in
      guard let file = moduleFiles[module] else { return nil }
      return ProjectApp(module: module, folder: file.split(separator: "/").dropLast().joined(separator: "/"))
    }
    // "catalog.Product": a lazy model reference by app label, as ForeignKey takes.
    let labels = Dictionary(apps.map { ($0.label, $0.module) }, uniquingKeysWith: { first, _ in first })
    for (path, texts) in modelReferences {
      for text in texts {
        let parts = text.split(separator: ".")
        guard parts.count == 2, parts[1].first?.isUppercase == true, let app = labels[String(parts[0])],
          let models = moduleFiles[app + ".models"], models != path
        else { continue }
        edges[path, default: []].append(Dependency(target: models, reason: .names(text)))
      }
    }
    // The URL resolver reads the URL modules themselves (not what they import).
    var urlModules = urlModuleFiles.map { Dependency(target: $0, reason: .urlPatterns) }
    for dependency in clientServes where dependency.reason == .servedByClient(setting: "ROOT_URLCONF") {
      urlModules.append(Dependency(target: dependency.target, reason: .urlPatterns))
    }
    edges[VirtualNode.urls] = urlModules
    // The test client serves the URLconf (with everything it imports), middleware,
    // context processors, the admin's registrations and the URL resolver.
    var client = clientServes
    for app in apps {
      if let admin = moduleFiles[app.module + ".admin"] {
        client.append(Dependency(target: admin, reason: .adminRegistration))
      }
    }
    client.append(Dependency(target: VirtualNode.urls, reason: .usesURLs))
    edges[VirtualNode.client] = client
    var early = Array(settingsFiles) + Array(loadedAtSetup)
    for dependency in clientServes where dependency.reason == .servedByClient(setting: "ROOT_URLCONF") {
      early.append(dependency.target)
    }
    for app in apps {
      for name in ["", ".apps", ".models", ".admin"] {
        if let file = moduleFiles[app.module + name] { early.append(file) }
      }
    }
    loadedBeforeTests = closure(of: early, over: edges) { $0 == .imports }
    // Receivers loaded at start-up (from AppConfig.ready, models, admin) run whenever
    // what they import is used: that module depends on them.
    var seeds: [String] = []
    for app in apps {
      for name in ["apps", "models", "admin", "signals", "receivers", "handlers"] {
        if let file = moduleFiles[app.module + "." + name] { seeds.append(file) }
      }
    }
    let startup = closure(of: seeds, over: edges) { $0 == .imports }
    for receiver in startup.sorted() where pythonSummaries[receiver]?.connectsSignals == true {
      // A sender named lazily (`sender="orders.Order"`) is a dependency too.
      for dependency in edges[receiver] ?? [] where dependency.reason == .imports || dependency.reason.isName {
        if dependency.target == receiver || VirtualNode.isVirtual(dependency.target) { continue }
        edges[dependency.target, default: []].append(Dependency(target: receiver, reason: .receivesSignals))
      }
    }
  }

  /// A cheap first test for "app.Model" (one dot, then an upper-case or non-ASCII
  /// letter), so that most strings are never split.
  private static func mayBeModelReference(_ text: String) -> Bool {
    let bytes = text.utf8
    guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return false }
    let next = bytes.index(after: dot)
    guard next < bytes.endIndex else { return false }
    let first = bytes[next]
    return (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z") || first >= 0x80)
      && !bytes[next...].contains(UInt8(ascii: "."))
  }

  private func isPackage(_ module: String) -> Bool {
    guard let file = moduleFiles[module] else { return false }
    return file.hasSuffix("/__init__.py")
  }

  /// The project file a dotted string names: a module, or the module of an object in it.
  func moduleFile(named text: String) -> String? {
    if let file = moduleFiles[text] { return file }
    let parts = text.split(separator: ".")
    guard parts.count >= 2 else { return nil }
    return moduleFiles[parts.dropLast().joined(separator: ".")]
  }

  /// Every node reachable from `start` along edges that `follows` accepts.
  private func closure(
    of start: [String], over edges: [String: [Dependency]], follows: (DependencyReason) -> Bool
  ) -> Set<String> {
    var seen = Set(start)
    var pending = start
    while let node = pending.popLast() {
      for dependency in edges[node] ?? [] where follows(dependency.reason) {
        if seen.insert(dependency.target).inserted { pending.append(dependency.target) }
      }
    }
    return seen
  }

  // MARK: queries

  public func kind(of path: String) -> ProjectFileKind? { kinds[path] }

  /// The modules with a class-based view of the model `lowercased` (`model = Product`,
  /// `queryset = Product.objects…` for `product`), sorted.
  public func views(ofModel lowercased: String) -> [String] {
    pythonSummaries.compactMap { path, summary in
      summary.viewModels.contains { $0.lowercased() == lowercased } ? path : nil
    }.sorted()
  }

  /// Whether a test module imports the module at `path` directly.
  public func isImportedByATest(_ path: String) -> Bool {
    dependents[path]?.contains { testModules[$0.node] != nil && $0.reason == .imports } ?? false
  }

  /// Every Python file of the project (modules and migrations), relative to the root.
  public var pythonFiles: [String] {
    kinds.compactMap { path, kind in
      switch kind {
      case .python, .migration: path
      default: nil
      }
    }.sorted()
  }

  public var fileCount: Int { kinds.count }
  public var moduleCount: Int { moduleFiles.count }

  /// The app whose folder holds `path`, the innermost if apps nest.
  public func app(containing path: String) -> ProjectApp? {
    apps.filter { $0.folder.isEmpty || path.hasPrefix($0.folder + "/") }.max { $0.folder.count < $1.folder.count }
  }

  /// What each test class of a test module depends on (`TestModuleOutline`): the shared
  /// part's targets, each class's, and the module's edges no part shows.
  struct ClassDependencies {
    var shared: Set<String>
    var classes: [(name: String, targets: Set<String>)]
    /// Targets of the module's edges that no part's source gives (recorded in a run).
    var unclaimed: Set<String>
  }

  /// The dependencies of each test class of the test module at `path`; nil when its
  /// classes cannot be told apart.
  func classDependencies(of path: String) -> ClassDependencies? {
    guard case .python(let module, let isPackage)? = kinds[path],
      let source = try? String(contentsOfFile: root + "/" + path, encoding: .utf8),
      let outline = TestModuleOutline(source: source)
    else { return nil }
    func targets(_ text: String) -> Set<String> {
      Set(pythonDependencies(of: PythonScanner.scan(text), module: module, isPackage: isPackage).map(\.target))
    }
    let shared = targets(outline.shared)
    let classes = outline.classes.map { (name: $0.name, targets: targets($0.source)) }
    let claimed = classes.reduce(into: shared) { $0.formUnion($1.targets) }
    let unclaimed = Set((dependencies[path] ?? []).map(\.target)).subtracting(claimed)
    return ClassDependencies(shared: shared, classes: classes, unclaimed: unclaimed)
  }

  /// The test classes of a test module (`classDependencies`) that depend on a node of
  /// `reached`; nil when the whole module does: its shared part, or an edge no class shows,
  /// is reached, or every class is (or none, as far as the source shows).
  static func affectedClasses(_ parts: ClassDependencies?, reached: Set<String>) -> [String]? {
    guard let parts, parts.shared.isDisjoint(with: reached), parts.unclaimed.isDisjoint(with: reached) else {
      return nil
    }
    let affected = parts.classes.filter { !$0.targets.isDisjoint(with: reached) }.map(\.name)
    return affected.isEmpty || affected.count == parts.classes.count ? nil : affected
  }

  /// The nodes that depend on `node`, directly.
  func directDependents(of node: String) -> [(node: String, reason: DependencyReason)] {
    dependents[node] ?? []
  }

  /// Files whose imports name `module` (or a module inside it) without it existing:
  /// who used a module that was just deleted.
  func importers(ofMissing module: String) -> [String] {
    pythonSummaries.compactMap { path, summary in
      guard case .python(let own, let isPackage)? = kinds[path] else { return nil }
      for reference in summary.imports {
        guard let base = reference.absoluteModule(importer: own, isPackage: isPackage) else { continue }
        let names = [base] + reference.names.map { base.isEmpty ? $0 : base + "." + $0 }
        if names.contains(where: { $0 == module || $0.hasPrefix(module + ".") }) { return path }
      }
      return nil
    }
  }
}

extension DependencyReason {
  fileprivate var isName: Bool {
    if case .names = self { return true }
    return false
  }
}

extension PythonImport {
  /// The absolute module this import starts from (`from ..a import b` in `x.y.z` is
  /// `x.a`); nil when a relative import climbs above the top.
  func absoluteModule(importer: String, isPackage: Bool) -> String? {
    guard level > 0 else { return module }
    var parts = importer.split(separator: ".").map(String.init)
    if !isPackage { parts.removeLast() }
    guard level - 1 <= parts.count else { return nil }
    parts.removeLast(level - 1)
    if !module.isEmpty { parts.append(module) }
    return parts.joined(separator: ".")
  }
}
