import DjangoRunner

/// Why a run was asked for: the safety net follows a green selection with the rest.
public enum RunPurpose: Equatable, Sendable {
  /// Every test in scope: the start, `a`, a new `-k`.
  case scope
  /// Part of the suite: what saves affected, or the failed tests (`f`).
  case selection(SelectionRun)
  /// The rest of the suite behind a green selection run.
  case rest(SelectionRun)
  /// A rerun (`r`, Enter on the header) or the cold half of a warm check.
  case other

  public var isRest: Bool {
    if case .rest = self { return true }
    return false
  }
}

/// A run of part of the suite: its labels and the saves that chose them.
public struct SelectionRun: Equatable, Sendable {
  public var labels: [String]
  /// The files whose saves selected the labels; empty for the failed tests (`f`).
  public var saved: [String]
  /// The labels are the graph's narrowed to the tests that ran what changed
  /// (`FunctionNarrowing`).
  public var isNarrowed: Bool

  public init(labels: [String], saved: [String], isNarrowed: Bool = false) {
    self.labels = labels
    self.saved = saved
    self.isNarrowed = isNarrowed
  }
}

/// A test that failed in the rest of the suite although it passed before and the
/// selection for a save left it out: the graph lacked a link.
public struct SelectionMiss: Equatable, Sendable {
  public var test: String
  /// The files saved.
  public var saved: [String]
  /// The labels the selection ran.
  public var selected: [String]
  /// The link the graph lacked, as far as the run shows it.
  public var link: String
  /// The selection was narrowed to the tests that ran what changed: narrowing goes off
  /// for the saved files until their tests have run again.
  public var wasNarrowed: Bool

  public init(test: String, saved: [String], selected: [String], link: String, wasNarrowed: Bool = false) {
    self.test = test
    self.saved = saved
    self.selected = selected
    self.link = link
    self.wasNarrowed = wasNarrowed
  }
}

/// After a selection run turns green, the rest of the suite: at once with `then-rest`,
/// or on `R`.
public struct SafetyNet: Equatable, Sendable {
  /// `then-rest = true`: the rest starts as soon as a selection run is green.
  public var isAutomatic: Bool
  /// The last green selection run whose rest has not run yet: what `R` completes.
  public var pending: SelectionRun?
  /// The selection misses the rest found since the dashboard opened, oldest first.
  public var misses: [SelectionMiss] = []
  /// How many misses were known when the current run of the rest started.
  var missesBeforeRest = 0

  public init(isAutomatic: Bool = false) {
    self.isAutomatic = isAutomatic
  }
}

extension DashboardState {
  /// A run ended: a green selection leaves the rest to run (now with `then-rest`).
  /// Called after the saves' queued run had its chance: that one goes first.
  mutating func followWithRest(_ summary: RunSummary, queued: [Effect]) -> [Effect] {
    let green =
      summary.interrupted == nil && summary.problem == nil && summary.runnerError == nil
      && !run.counts.contains { $0.key.failsTheRun && $0.value > 0 }
    switch run.purpose {
    case .selection(let selection) where green:
      safetyNet.pending = selection
      guard queued.isEmpty else { return queued }
      return safetyNet.isAutomatic ? runRest() : []
    case .rest(let selection) where summary.interrupted != nil:
      safetyNet.pending = selection  // stopped: `R` starts it again
    case .rest:
      safetyNet.pending = nil
      let found = safetyNet.misses.dropFirst(safetyNet.missesBeforeRest)
      if let first = found.first {
        notice = "the selection missed \(found.count == 1 ? first.test : "\(found.count) tests"): w tells which link"
      }
    case .scope:
      safetyNet.pending = nil
    case .selection, .other:
      break
    }
    return queued
  }

  /// `R`, or `then-rest`: the tests the last green selection left out.
  mutating func runRest() -> [Effect] {
    guard let selection = safetyNet.pending else {
      notice = "R runs the rest of the suite after a green run of a selection; there is none to complete"
      return []
    }
    guard !run.isBusy else {
      notice = Self.runIsGoing
      return []
    }
    let known = tests.filter { $0.kind == .test }.map(\.id)
    let labels = RestOfSuite.labels(known: known, selected: selection.labels, scope: scopeLabels)
    guard !labels.isEmpty else {
      safetyNet.pending = nil
      notice = "the selection ran every known test: no rest to run"
      return []
    }
    safetyNet.missesBeforeRest = safetyNet.misses.count
    return requestRun(labels, purpose: .rest(selection), keepsRerun: true)
  }

  /// In a run of the rest: a test that passed before fails now although the selection for
  /// a save left it out. Marks it, and says which link the graph lacked.
  mutating func noteSelectionMiss(_ report: TestReport, before: TestOutcome?) -> [Effect] {
    guard case .rest(let selection) = run.purpose, !selection.saved.isEmpty, report.kind == .test,
      report.outcome.failsTheRun, before == .pass, let position = index[report.id]
    else { return [] }
    let link =
      selection.isNarrowed
      ? "the selection ran only the tests recorded executing what changed, and this one's record did not show it (a cached result, or state set up outside the test?); function precision is off for the saved files until their tests run again"
      : Self.missingLink(report, saved: selection.saved)
    let miss = SelectionMiss(
      test: report.id, saved: selection.saved, selected: selection.labels, link: link,
      wasNarrowed: selection.isNarrowed)
    safetyNet.misses.append(miss)
    update(position) { $0.isSelectionMiss = true }
    return [.recordSelectionMiss(miss)]
  }

  /// What the run shows about how `report`'s test reaches the saved files: an import or a
  /// template seen only while it ran (recorded now: the next save selects it), or nothing.
  static func missingLink(_ report: TestReport, saved: [String]) -> String {
    let module = TestPath(id: report.id, kind: report.kind).module
    // `imported` and `resolved` hold project files, relative to the project root.
    func files(_ paths: [String]) -> Set<String> { Set(paths.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }) }
    let imported = files(report.imported)
    if let path = saved.first(where: imported.contains) {
      return
        "\(module) imports \(path) only while the test runs (a name it computes, or an import inside a function): no import the source shows. Recorded now: the next save of \(path) selects it."
    }
    let resolved = files(report.resolved)
    if let path = saved.first(where: resolved.contains) {
      return
        "\(report.id) requested a URL that resolved to a view in \(path), which no URLconf the source shows reaches. Recorded now: the next save of \(path) selects it."
    }
    for path in saved {
      if let name = report.templates.first(where: { path.hasSuffix("/" + $0) }) {
        return
          "\(report.id) rendered \(name), which nothing in \(module) names. Recorded now: the next save of \(path) selects it."
      }
    }
    let what = saved.count == 1 ? saved[0] : "the saved files"
    return
      "no link known: no chain of imports, templates or wiring leads from \(module) to \(what), and the test neither imported nor rendered it while it ran (data read from a file, a subprocess, or state another test left behind?)"
  }

  /// The `w` overlay's lines about the misses found.
  var missLines: [(text: String, role: Role)] {
    guard !safetyNet.misses.isEmpty else { return [] }
    var lines: [(String, Role)] = [("", .text), ("missed by the selection (failed in the rest of the suite):", .failure)]
    for miss in safetyNet.misses.suffix(5) {
      lines.append(("  " + miss.test + " — after saving " + miss.saved.joined(separator: " "), .text))
      lines.append(("    " + miss.link, .muted))
    }
    if safetyNet.misses.count > 5 { lines.append(("  … and \(safetyNet.misses.count - 5) earlier", .muted)) }
    return lines
  }
}
