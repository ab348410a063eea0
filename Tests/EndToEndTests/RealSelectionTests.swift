import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// Selection that real projects can trust: each case breaks one library (non-test) file of
/// a real third-party app fetched from PyPI (`RealProjects`), lets Django's own full run
/// say which tests broke (verdict changed from the unmutated copy's), and asks
/// `djdash affected FILE` — in the folders a user would, before any run and after one
/// `djdash run` — for the labels. Every broken test must be under a label (recall 100%);
/// the fraction of the suite the labels select is printed beside the ideal (the share of
/// the suite held by the broken tests' modules).
///
/// The three layouts of a reusable app's test suite: a test project in `tests/` with its
/// own manage.py (django-js-asset), a `runtests.py` that configures the settings
/// (django-filter), `python -m django test --settings=…` at the root (django-widget-tweaks).
final class RealSelectionTests: XCTestCase {
  /// One edit of one library file, as an exact find/replace on the pinned sdist.
  struct Mutation {
    /// What kind of change it is, for the report.
    var kind: String
    /// The file, relative to the sdist's root.
    var file: String
    var find: String
    var replace: String
    /// A miss the selection is known to have, and why: the test prints it and counts it in
    /// the recall, and fails once the selection covers it (then remove this).
    var knownMiss: String? = nil
  }

  /// Where a user asks: a folder of the sdist, and the `--command` djdash needs there
  /// (nil where a manage.py is found), plus the labels of the `djdash run` made there.
  struct Vantage {
    var folder: String
    var command: String?
    var runLabels: [String] = []
    /// The user's shell environment there (the settings named in it).
    var environment: [String: String] = [:]

    var name: String { (folder.isEmpty ? "root" : folder + "/") + (command.map { " --command \"\($0)\"" } ?? "") }
  }

  /// The figures of one mutation, seen from one vantage, in one phase.
  struct Figure {
    var broken: Int
    /// Broken tests under a label `djdash affected` gave for the edited file.
    var covered: Int
    /// … and for the file before the edit (the graph the dashboard had before the save).
    var coveredBefore: Int
    var selectedFraction: Double
    var idealFraction: Double
  }

  /// Figures per phase ("no report", "after a run"), for the overall lines.
  nonisolated(unsafe) private static var overall: [String: [Figure]] = [:]

  override class func tearDown() {
    for phase in overall.keys.sorted() {
      print("RealSelection overall, \(phase): " + summary(of: overall[phase] ?? []))
    }
    super.tearDown()
  }

  // MARK: the projects

  static let jsAssetVantages = [
    Vantage(folder: "", command: RealProject.jsAsset.command),
    Vantage(folder: "tests", command: nil, runLabels: ["testapp"]),
  ]
  static let jsAssetMutations: [Mutation] = [
    Mutation(
      kind: "return value", file: "js_asset/js.py",
      find: "    return static(path)\n\n\ndef _is_full_importmap",
      replace: "    return path\n\n\ndef _is_full_importmap"),
    Mutation(
      kind: "module constant", file: "js_asset/js.py",
      find: "_URL_WITH_SCHEME = re.compile(r\"^[a-z]+:\")", replace: "_URL_WITH_SCHEME = re.compile(r\"^[a-z]+;\")"),
    Mutation(
      kind: "renamed name a test imports", file: "js_asset/js.py",
      find: "static_lazy = lazy(static, str)", replace: "lazy_static = lazy(static, str)"),
    Mutation(
      kind: "class attribute", file: "js_asset/js.py",
      find: "    element_template = \"<style{attributes}>{path}</style>\"",
      replace: "    element_template = \"<style{attributes}>{path}</style >\""),
    Mutation(
      kind: "class attribute (backport)", file: "js_asset/_compat.py",
      find: "        element_template = '<link href=\"{path}\"{attributes}>'",
      replace: "        element_template = '<link href=\"{path}\"{attributes} />'"),
    Mutation(
      kind: "return value", file: "js_asset/media.py",
      find: "    return nonce is not None and (type(nonce) is not str or nonce != \"\")",
      replace: "    return nonce is not None"),
    Mutation(
      kind: "syntax error", file: "js_asset/media.py", find: "def _merge(first, second):",
      replace: "def _merge(first, second)"),
  ]

  /// django-js-asset 5.0.0: the library at the root, the test project in `tests/` with its
  /// own manage.py, which puts the root on sys.path (tox: `tests/manage.py test testapp`).
  func testJSAssetTestProjectInTests() throws {
    try assertSelectionCoversWhatBreaks(.jsAsset, vantages: Self.jsAssetVantages, mutations: Self.jsAssetMutations)
  }

  static let filterVantages = [Vantage(folder: "", command: RealProject.filter.command)]
  static let filterMutations: [Mutation] = [
    Mutation(
      kind: "template", file: "django_filters/templates/django_filters/widgets/multiwidget.html",
      find: "{% if forloop.first %}-{% endif %}", replace: "{% if forloop.first %}~{% endif %}"),
    Mutation(
      kind: "template (rest_framework)", file: "django_filters/templates/django_filters/rest_framework/form.html",
      find: "<h2>{% trans \"Field filters\" %}</h2>", replace: "<h2>{% trans \"Filters\" %}</h2>"),
    Mutation(
      kind: "class attribute", file: "django_filters/views.py", find: "    template_name_suffix = \"_filter\"",
      replace: "    template_name_suffix = \"_list\""),
    Mutation(
      kind: "return value", file: "django_filters/views.py", find: "        return self.strict\n",
      replace: "        return not self.strict\n"),
    Mutation(
      kind: "module constant", file: "django_filters/constants.py",
      find: "EMPTY_VALUES = ([], (), {}, \"\", None)", replace: "EMPTY_VALUES = ([], (), {}, None)"),
    Mutation(
      // Issue #19's example: the test settings import the package, so every library file
      // is a settings import.
      kind: "function body (the settings import it)", file: "django_filters/utils.py",
      find: "    VERBOSE_LOOKUPS = app_settings.VERBOSE_LOOKUPS or {}\n", replace: "    VERBOSE_LOOKUPS = {}\n"),
    Mutation(
      kind: "renamed function a test imports", file: "django_filters/utils.py",
      find: "def verbose_lookup_expr(lookup_expr):", replace: "def verbose_lookup_expression(lookup_expr):"),
    Mutation(
      kind: "class attribute", file: "django_filters/filters.py",
      find: "class CharFilter(Filter):\n    field_class = forms.CharField",
      replace: "class CharFilter(Filter):\n    field_class = forms.IntegerField"),
    Mutation(
      kind: "syntax error (the URLconf imports it)", file: "django_filters/views.py", find: "class FilterMixin:",
      replace: "class FilterMixin"),
  ]

  /// django-filter 26.2: `runtests.py` sets the settings (`tests.settings`, which imports
  /// the library's conf) and hands argv to `manage.py test`.
  func testFilterRuntestsPy() throws {
    try assertSelectionCoversWhatBreaks(.filter, vantages: Self.filterVantages, mutations: Self.filterMutations)
  }

  static let widgetTweaksVantages = [Vantage(folder: "", command: RealProject.widgetTweaks.command)]
  static let widgetTweaksMutations: [Mutation] = [
    Mutation(
      kind: "return value (template filter)", file: "widget_tweaks/templatetags/widget_tweaks.py",
      find: "        return field.field.__class__.__name__.lower()",
      replace: "        return field.field.__class__.__name__"),
    Mutation(
      kind: "module constant", file: "widget_tweaks/templatetags/widget_tweaks.py", find: "        \\+?=\n",
      replace: "        \\+=\n"),
    Mutation(
      kind: "renamed template filter", file: "widget_tweaks/templatetags/widget_tweaks.py",
      find: "@register.filter(\"add_class\")", replace: "@register.filter(\"add_css_class\")"),
    Mutation(
      kind: "return value (inner function)", file: "widget_tweaks/templatetags/widget_tweaks.py",
      find: "        if not field:\n            return \"\"",
      replace: "        if not field:\n            return \"-\""),
    Mutation(
      kind: "syntax error (the template checks import it)", file: "widget_tweaks/templatetags/widget_tweaks.py",
      find: "class FieldAttributeNode(Node):", replace: "class FieldAttributeNode(Node)"),
  ]

  /// django-widget-tweaks 1.5.1: `python -m django test --settings=tests.settings` at the
  /// root; the library is one template tag module.
  func testWidgetTweaksDjangoTestAtTheRoot() throws {
    try assertSelectionCoversWhatBreaks(
      .widgetTweaks, vantages: Self.widgetTweaksVantages, mutations: Self.widgetTweaksMutations)
  }

  /// Chosen once, before any measurement on this project, as edits a maintainer makes;
  /// never tuned to the selection (a mutation that breaks no test is replaced, nothing else).
  static let simpleHistoryVantages = [Vantage(folder: "", command: RealProject.simpleHistory.command)]
  static let simpleHistoryMutations: [Mutation] = [
    Mutation(
      kind: "return value", file: "simple_history/utils.py",
      find: "        return getattr(obj, \"_change_reason\")", replace: "        return None"),
    Mutation(
      kind: "branch in a method", file: "simple_history/manager.py",
      find: "            history_type = \"~\"", replace: "            history_type = \"+\""),
    Mutation(
      kind: "return value (template helper)", file: "simple_history/template_utils.py",
      find: "        return obj\n    return str(obj)", replace: "        return obj\n    return repr(obj)"),
    Mutation(
      kind: "template", file: "simple_history/templates/simple_history/object_history_list.html",
      find: "<td>{{ record.get_history_type_display }}</td>", replace: "<td>{{ record.history_type }}</td>"),
    Mutation(
      kind: "return value run when models are made", file: "simple_history/models.py",
      find: "return f\"{self.DEFAULT_MODEL_NAME_PREFIX}{model._meta.object_name}\"",
      replace: "return f\"{self.DEFAULT_MODEL_NAME_PREFIX}{model._meta.model_name}\""),
    Mutation(
      kind: "module constant", file: "simple_history/admin.py",
      find: "SIMPLE_HISTORY_EDIT = getattr(settings, \"SIMPLE_HISTORY_EDIT\", False)",
      replace: "SIMPLE_HISTORY_EDIT = getattr(settings, \"SIMPLE_HISTORY_EDIT\", True)"),
    Mutation(
      kind: "class attribute", file: "simple_history/admin.py",
      find: "    object_history_list_template = \"simple_history/object_history_list.html\"",
      replace: "    object_history_list_template = \"simple_history/object_history.html\""),
  ]

  /// django-simple-history 3.13.0: the test project lives inside the package
  /// (`simple_history/tests`); `runtests.py` configures the settings and runs two label
  /// sets. Not one the selection was tuned on: the check of the goals on a project not seen.
  func testSimpleHistoryTestsInsideThePackage() throws {
    try assertSelectionCoversWhatBreaks(
      .simpleHistory, vantages: Self.simpleHistoryVantages, mutations: Self.simpleHistoryMutations)
  }

  /// Chosen, like simple-history's, before any measurement on this project; each breaks
  /// at least one test under Django's own run (three first picks that broke none were
  /// replaced).
  static let constanceVantages = [
    Vantage(folder: "", command: RealProject.constance.command, environment: RealProject.constance.environment)
  ]
  static let constanceMutations: [Mutation] = [
    Mutation(
      kind: "return value", file: "constance/codecs.py",
      find: "    return {\"__type__\": discriminator, \"__value__\": v}",
      replace: "    return {\"__type__\": discriminator.upper(), \"__value__\": v}"),
    Mutation(
      kind: "method body", file: "constance/backends/database.py",
      find: "                value = loads(match.value)\n                if self._cache:\n                    self._cache.add(key, value)",
      replace: "                value = match.value\n                if self._cache:\n                    self._cache.add(key, value)"),
    Mutation(
      kind: "template", file: "constance/templates/admin/constance/change_list.html",
      find: "<h2 class=\"fieldset-heading\">{{ fieldset.title }}</h2>",
      replace: "<h2 class=\"fieldset-heading\">{{ fieldset.title|upper }}</h2>"),
    Mutation(
      kind: "module constant", file: "constance/codecs.py", find: "DEFAULT_DISCRIMINATOR = \"default\"",
      replace: "DEFAULT_DISCRIMINATOR = \"plain\""),
    Mutation(
      kind: "branch in a view", file: "constance/admin.py",
      find: "                if changed_fields:\n                    self._log_config_change(request, changed_fields)",
      replace: "                if not changed_fields:\n                    self._log_config_change(request, changed_fields)"),
    Mutation(
      kind: "return value (system check helper)", file: "constance/checks.py",
      find: "    return missing_keys, extra_keys", replace: "    return extra_keys, missing_keys"),
    Mutation(
      kind: "class attribute", file: "constance/admin.py", find: "    change_list_form = ConstanceForm",
      replace: "    change_list_form = forms.Form"),
  ]

  /// django-constance 4.4.0: `python -m django test` at the root, the settings named in
  /// the environment. Not one the selection was tuned on.
  func testConstanceDjangoTestWithTheSettingsInTheEnvironment() throws {
    try assertSelectionCoversWhatBreaks(
      .constance, vantages: Self.constanceVantages, mutations: Self.constanceMutations)
  }

  // MARK: recorded runs (Python 3.13)

  /// The same mutations after a run that recorded what each test executed (issue #19):
  /// a change inside function bodies runs only the tests that executed it.
  func testJSAssetRecorded() throws {
    try assertSelectionCoversWhatBreaks(
      .jsAsset, vantages: Self.jsAssetVantages, mutations: Self.jsAssetMutations, recorded: true)
  }

  func testFilterRecorded() throws {
    try assertSelectionCoversWhatBreaks(
      .filter, vantages: Self.filterVantages, mutations: Self.filterMutations, recorded: true)
  }

  func testSimpleHistoryRecorded() throws {
    try assertSelectionCoversWhatBreaks(
      .simpleHistory, vantages: Self.simpleHistoryVantages, mutations: Self.simpleHistoryMutations, recorded: true)
  }

  func testConstanceRecorded() throws {
    try assertSelectionCoversWhatBreaks(
      .constance, vantages: Self.constanceVantages, mutations: Self.constanceMutations, recorded: true)
  }

  func testWidgetTweaksRecorded() throws {
    try assertSelectionCoversWhatBreaks(
      .widgetTweaks, vantages: Self.widgetTweaksVantages, mutations: Self.widgetTweaksMutations, recorded: true)
  }

  // MARK: the check

  /// What one mutation broke under Django's own full run.
  private struct Breakage {
    /// Test ids (or the module or class Django could not load) whose verdict changed.
    var broken: [String]
    /// The run ended before any test (a file Django imports at start no longer loads).
    var crashed: Bool
  }

  /// - Parameter recorded: the suite runs on Python 3.13 and the run after which
  ///   `djdash affected` is asked records what each test executed (`--record`): saves
  ///   inside function bodies narrow to the tests that ran the changed functions.
  private func assertSelectionCoversWhatBreaks(
    _ project: RealProject, vantages: [Vantage], mutations: [Mutation], recorded: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let start = Date()
    let (root, python) = try RealProjects.checkout(project, python313: recorded)
    let afterRun = recorded ? "after a recorded run" : "after a run"
    let baseline = try DjangoOracle.run(
      command: project.command, python: python, in: root, environment: project.environment)
    XCTAssertGreaterThanOrEqual(
      baseline.outcomes.count, project.minimumTests, "\(project): Django's own run did not find the suite",
      file: file, line: line)
    XCTAssertEqual(baseline.status, 0, "\(project) passes unmutated:\n\(baseline.output)", file: file, line: line)
    let suite = Suite(ids: Array(baseline.outcomes.keys))

    // Django's verdicts for each mutation (the oracle), and the selection before any run.
    var breakages: [Breakage] = []
    var figures: [String: [(Mutation, Figure)]] = [:]
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: ProjectReport.path(projectRoot: root)), "no runner report yet",
      file: file, line: line)
    for mutation in mutations {
      let before = try vantages.map { try affected(mutation.file, from: $0, root: root) }
      let found = try withMutation(mutation, in: root, file: file, line: line) {
        let broke = try breakage(of: mutation, project: project, python: python, root: root, baseline: baseline)
        XCTAssertFalse(broke.broken.isEmpty, "\(project): \(mutation.file) (\(mutation.kind)) breaks no test")
        for (vantage, unmutated) in zip(vantages, before) {
          let figure = try check(
            mutation, broke, suite: suite, from: vantage, root: root, before: unmutated, phase: "no report")
          figures["no report, " + vantage.name, default: []].append((mutation, figure))
        }
        return broke
      }
      breakages.append(found)
    }
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: ProjectReport.path(projectRoot: root)),
      "`djdash affected` writes no runner report", file: file, line: line)

    // After one `djdash run` from each vantage: the runner's report and recorded edges.
    for vantage in vantages {
      let folder = vantage.folder.isEmpty ? root : root + "/" + vantage.folder
      let run = try Shell.djdash(
        ["run", "--no-history", "--python", python] + (recorded ? ["--record"] : [])
          + (vantage.command.map { ["--command", $0] } ?? [])
          + vantage.runLabels, in: folder, environment: project.environment)
      XCTAssertEqual(
        run.status, 0, "\(project): djdash run from \(vantage.name):\n\(run.output)", file: file, line: line)
      XCTAssertTrue(
        FileManager.default.fileExists(atPath: ProjectReport.path(projectRoot: root)),
        "\(project): djdash run from \(vantage.name) left its report in \(root)/.djdash", file: file, line: line)
      for (mutation, breakage) in zip(mutations, breakages) {
        let unmutated = try affected(mutation.file, from: vantage, root: root)
        try withMutation(mutation, in: root, file: file, line: line) {
          let figure = try check(
            mutation, breakage, suite: suite, from: vantage, root: root, before: unmutated, phase: afterRun)
          figures[afterRun + ", " + vantage.name, default: []].append((mutation, figure))
        }
      }
    }

    print("\(project): \(suite.ids.count) tests, \(mutations.count) mutations")
    for (mutation, breakage) in zip(mutations, breakages) {
      print(
        "  \(mutation.file) (\(mutation.kind)): broke \(breakage.crashed ? "every test (the run crashed)" : "\(breakage.broken.count)")"
      )
    }
    for key in figures.keys.sorted() {
      let list = figures[key] ?? []
      print("  \(key): " + Self.summary(of: list.map(\.1)))
      if recorded && !key.hasPrefix("no report") {
        for (mutation, figure) in list {
          print(
            String(
              format: "    %@ (%@): selected %.1f%%, ideal %.1f%%", mutation.file, mutation.kind,
              100 * figure.selectedFraction, 100 * figure.idealFraction))
        }
      }
      let phase = key.hasPrefix("no report") ? "no report" : afterRun
      Self.overall[phase, default: []].append(contentsOf: list.map(\.1))
    }
    print(String(format: "  (%.1f s)", Date().timeIntervalSince(start)))
  }

  /// Applies `mutation` to the copy for the length of `body`, then restores the file.
  private func withMutation<T>(
    _ mutation: Mutation, in root: String, file: StaticString, line: UInt, _ body: () throws -> T
  ) throws -> T {
    let path = root + "/" + mutation.file
    let original = try String(contentsOfFile: path, encoding: .utf8)
    defer { try? original.write(toFile: path, atomically: true, encoding: .utf8) }
    guard original.contains(mutation.find) else {
      throw TestSetupError("\(mutation.file) no longer holds \(mutation.find.debugDescription)")
    }
    try original.replacingOccurrences(of: mutation.find, with: mutation.replace)
      .write(toFile: path, atomically: true, encoding: .utf8)
    return try body()
  }

  /// Django's full run of the mutated copy against the unmutated one: every test whose
  /// verdict changed, and every new failing id (a module that no longer loads, a class
  /// whose set-up fails) as the module or class it names.
  private func breakage(
    of mutation: Mutation, project: RealProject, python: String, root: String, baseline: DjangoRun
  ) throws -> Breakage {
    let run: DjangoRun
    do {
      run = try DjangoOracle.run(command: project.command, python: python, in: root, environment: project.environment)
    } catch let error as TestSetupError {
      // Django stopped before any test (its system checks import the URLconf and the
      // template tag libraries): every test broke, if the traceback names the edit.
      guard "\(error)".contains(mutation.file) else { throw error }
      return Breakage(broken: baseline.outcomes.keys.sorted(), crashed: true)
    }
    var broken: Set<String> = []
    for (id, outcome) in baseline.outcomes where run.outcomes[id] != outcome { broken.insert(id) }
    for (id, outcome) in run.outcomes where baseline.outcomes[id] == nil && outcome.failsTheRun {
      broken.insert(DjangoOracle.dottedName(of: id))
    }
    return Breakage(broken: broken.sorted(), crashed: false)
  }

  /// The labels `djdash affected FILE` prints from `vantage`, as a user there would ask.
  private func affected(_ file: String, from vantage: Vantage, root: String, why: Bool = false) throws -> [String] {
    let folder = vantage.folder.isEmpty ? root : root + "/" + vantage.folder
    let path = String(repeating: "../", count: vantage.folder.split(separator: "/").count) + file
    let command = vantage.command.map { ["--command", $0] } ?? []
    let result = try Shell.djdash(
      ["affected"] + (why ? ["--why"] : []) + command + [path], in: folder, environment: vantage.environment)
    XCTAssertEqual(result.status, 0, "djdash affected \(path) from \(vantage.name): \(result.stderr)")
    return result.stdout.split(separator: "\n").map(String.init).filter { why || !$0.isEmpty }
  }

  /// `djdash affected` from `vantage` on the mutated copy (and, in `before`, what it said
  /// of the unmutated one): fails with every broken test no label covers.
  private func check(
    _ mutation: Mutation, _ breakage: Breakage, suite: Suite, from vantage: Vantage, root: String, before: [String],
    phase: String
  ) throws -> Figure {
    let labels = try affected(mutation.file, from: vantage, root: root)
    let missed = breakage.broken.filter { !Suite.isCovered($0, by: labels) }
    // A syntax error exists only after the edit: asked before it, nothing can know.
    // After a recorded run, asked before the edit nothing differs from the records: function
    // precision rightly selects nothing then (the dashboard asks after the save).
    let missedBefore =
      mutation.kind.hasPrefix("syntax error") || phase == "after a recorded run"
      ? [] : breakage.broken.filter { !Suite.isCovered($0, by: before) }
    if !missed.isEmpty || !missedBefore.isEmpty {
      let why = try affected(mutation.file, from: vantage, root: root, why: true).joined(separator: "\n")
      let text = """
        \(phase), from \(vantage.name): \(mutation.file) (\(mutation.kind)) broke \(breakage.broken.count) tests \
        but `djdash affected` selected \(labels) (before the edit \(before)); missed \(missed.count) \
        (\(missedBefore.count) before the edit): \
        \(missed.prefix(6).joined(separator: ", "))\(missed.count > 6 ? ", …" : "")
        --why:
        \(why)
        """
      if let known = mutation.knownMiss {
        print("KNOWN MISS (\(known)): " + text)
      } else {
        XCTFail(text)
      }
    } else if let known = mutation.knownMiss {
      XCTFail(
        "\(phase), from \(vantage.name): \(mutation.file) (\(mutation.kind)) is covered now: remove its knownMiss (\(known))"
      )
    }
    return Figure(
      broken: breakage.broken.count, covered: breakage.broken.count - missed.count,
      coveredBefore: breakage.broken.count - missedBefore.count,
      selectedFraction: suite.fraction(selectedBy: labels), idealFraction: suite.idealFraction(for: breakage.broken))
  }

  /// "4 mutations, recall 100% (120/120 broken tests; 4/4 mutations), selected 62.5% of the
  /// suite on average, ideal 40.1%".
  static func summary(of figures: [Figure]) -> String {
    let broken = figures.map(\.broken).reduce(0, +)
    let covered = figures.map(\.covered).reduce(0, +)
    let coveredBefore = figures.map(\.coveredBefore).reduce(0, +)
    let whole = figures.filter { $0.covered == $0.broken }.count
    let count = Double(max(figures.count, 1))
    let percent = { (part: Int) in broken == 0 ? 100 : 100 * Double(part) / Double(broken) }
    return String(
      format: "%d mutations, recall %.1f%% (%d/%d broken tests; %d/%d mutations; %.1f%% asked before the edit), "
        + "selected %.1f%% of the suite on average, ideal %.1f%%", figures.count, percent(covered), covered, broken,
      whole, figures.count, percent(coveredBefore), 100 * figures.map(\.selectedFraction).reduce(0, +) / count,
      100 * figures.map(\.idealFraction).reduce(0, +) / count)
  }
}

/// A project's whole suite as Django's unmutated run named it: what labels select, and
/// what the broken tests' modules hold.
private struct Suite {
  var ids: [String]
  /// Test modules: each id less its class and method.
  var modules: Set<String>

  init(ids: [String]) {
    self.ids = ids
    modules = Set(ids.map { $0.split(separator: ".").dropLast(2).joined(separator: ".") })
  }

  /// A label covers a test id (or a module or class name) equal to it or under it.
  static func isCovered(_ name: String, by labels: [String]) -> Bool {
    labels.contains { name == $0 || name.hasPrefix($0 + ".") }
  }

  func fraction(selectedBy labels: [String]) -> Double {
    Double(ids.filter { Self.isCovered($0, by: labels) }.count) / Double(max(ids.count, 1))
  }

  /// The share of the suite held by the broken tests' modules: what a perfect module-level
  /// selection would run.
  func idealFraction(for broken: [String]) -> Double {
    var hit: Set<String> = []
    for name in broken {
      var parts = name.split(separator: ".")
      while !parts.isEmpty, !modules.contains(parts.joined(separator: ".")) { parts.removeLast() }
      // A name above every module (a package that did not load): its modules.
      hit.formUnion(parts.isEmpty ? modules.filter { $0.hasPrefix(name + ".") } : [parts.joined(separator: ".")])
    }
    return Double(ids.filter { hit.contains($0.split(separator: ".").dropLast(2).joined(separator: ".")) }.count)
      / Double(max(ids.count, 1))
  }
}
