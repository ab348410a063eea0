import DjangoRunner

/// What a save during a run does (bacon's on-change strategy).
public enum OnChange: String, Equatable, Sendable {
  /// Let the run finish, then run what the saves since affected (the default).
  case queue
  /// End the run gracefully at once, then run what the saves affected.
  case restart
}

/// Files saved together (one debounced batch) and the tests they selected.
public struct WatchChange: Equatable, Sendable {
  public var paths: [String]
  public var selection: TestSelection

  public init(paths: [String], selection: TestSelection) {
    self.paths = paths
    self.selection = selection
  }
}

/// The dashboard's watch mode: the last change, the run it queued, how saves during a
/// run are handled.
public struct WatchState: Equatable, Sendable {
  public var onChange: OnChange
  /// How the tree is watched, when the user should know (e.g. polling, and why).
  public var mode: String?
  public var lastChange: WatchChange?
  /// Labels of the run to start when the current one ends; `[]` is every test in scope.
  public var pendingLabels: [String]?
  /// The files whose saves queued `pendingLabels`.
  public var pendingSaved: [String] = []
  /// One of those saves' selections was narrowed to the tests that ran what changed.
  public var pendingNarrowed = false
  /// `w`: the overlay explaining the last selection.
  public var isWhyShown = false
  /// What the warm runner is doing; nil without one (`--cold`, or not started yet).
  public var warm: WarmStatus?
  /// How runs record what each test executes (`runner_started.recording`): `sys.monitoring`,
  /// or `unavailable` (Python 3.11: saves select by module and class only); nil when not
  /// asked.
  public var recording: String?

  public init(onChange: OnChange = .queue) {
    self.onChange = onChange
  }
}

extension DashboardState {
  /// Files were saved: run what they affect now, after the run, or instead of it.
  mutating func handle(_ change: WatchChange) -> [Effect] {
    guard var watch = watching else { return [] }
    watch.lastChange = change
    watching = watch
    guard let labels = Self.labelsToRun(change.selection, within: scopeLabels) else { return [] }
    let isNarrowed = change.selection.rule?.hasPrefix(FunctionNarrowing.rule) == true
    guard run.isBusy else {
      return requestRun(labels, purpose: Self.purpose(of: labels, saved: change.paths, isNarrowed: isNarrowed))
    }
    watch.pendingNarrowed = watch.pendingLabels == nil ? isNarrowed : watch.pendingNarrowed || isNarrowed
    watch.pendingLabels = Self.union(watch.pendingLabels, labels)
    watch.pendingSaved += change.paths.filter { !watch.pendingSaved.contains($0) }
    watching = watch
    // The rest of the suite gives way to a save at once: it runs again behind the new selection.
    guard watch.onChange == .restart || run.purpose.isRest, run.phase == .running else { return [] }
    interruptions += 1
    run.phase = .stopping
    return [.interruptRun]
  }

  /// After a run: the run the saves queued, if any.
  mutating func startPendingRun() -> [Effect] {
    guard let labels = watching?.pendingLabels else { return [] }
    let saved = watching?.pendingSaved ?? []
    let isNarrowed = watching?.pendingNarrowed ?? false
    watching?.pendingLabels = nil
    watching?.pendingSaved = []
    watching?.pendingNarrowed = false
    return requestRun(labels, purpose: Self.purpose(of: labels, saved: saved, isNarrowed: isNarrowed))
  }

  /// Asks the runtime to start a run of `labels`; `r` reruns them unless `keepsRerun`.
  mutating func requestRun(_ labels: [String], purpose: RunPurpose = .other, keepsRerun: Bool = false) -> [Effect] {
    if !keepsRerun { lastLabels = labels }
    requestedPurpose = purpose
    run.isStartRequested = true
    return [.startRun(labels: labels, testNamePatterns: testNamePatterns)]
  }

  /// A run of what saves selected: every test in scope, or a selection the rest can follow.
  static func purpose(of labels: [String], saved: [String], isNarrowed: Bool = false) -> RunPurpose {
    labels.isEmpty ? .scope : .selection(SelectionRun(labels: labels, saved: saved, isNarrowed: isNarrowed))
  }

  /// The labels to run for `selection` inside the dashboard's scope: `[]` for every test
  /// in scope, nil for none.
  static func labelsToRun(_ selection: TestSelection, within scope: [String]) -> [String]? {
    if selection.isEverything { return scope }
    let labels = selection.labels(within: scope)
    return labels.isEmpty ? nil : labels
  }

  /// Two runs' labels as one: `[]` (everything) absorbs the rest.
  static func union(_ first: [String]?, _ second: [String]) -> [String] {
    guard let first else { return second }
    if first.isEmpty || second.isEmpty { return [] }
    var seen = Set<String>()
    return (first + second).filter { seen.insert($0).inserted }
  }

  /// One line on what the last save did, for the line above the footer.
  public var watchLine: String? {
    guard let watch = watching else { return nil }
    guard let change = watch.lastChange else { return watch.mode.map { "watching: " + $0 } }
    let saved = change.paths.count == 1 ? change.paths[0] : "\(change.paths.count) files"
    let selection = change.selection
    var text: String
    if selection.isEverything {
      text = "saved \(saved) → every test" + (selection.broadReasons.isEmpty ? "" : " (\(Self.broadCause(selection)))")
    } else if let labels = Self.labelsToRun(selection, within: scopeLabels) {
      let shown = labels.prefix(3).joined(separator: " ")
      text = "saved \(saved) → \(shown)" + (labels.count > 3 ? " +\(labels.count - 3)" : "")
    } else if selection.isEmpty {
      text = "saved \(saved) → no test depends on it"
    } else {
      text = "saved \(saved) → nothing within " + scopeLabels.joined(separator: " ")
    }
    if let pending = watch.pendingLabels {
      text +=
        pending.isEmpty ? " · queued: every test" : " · queued: \(pending.count) label\(pending.count == 1 ? "" : "s")"
    } else if let passed = safetyNet.pending, !run.isBusy, change.paths.allSatisfy(passed.saved.contains) {
      text += " · passed (R: the rest)"
    }
    return text + "  (w: why)"
  }

  private static func broadCause(_ selection: TestSelection) -> String {
    let first = selection.broadReasons[0]
    guard let colon = first.range(of: ": ") else { return first }
    return String(first[colon.upperBound...]).replacingOccurrences(of: ": every test", with: "")
  }

  /// The lines of the `w` overlay: what changed, and why each label was chosen.
  public var whyLines: [(text: String, role: Role)] {
    var warm: [(String, Role)] = watching?.warm.map { [("warm runner: \($0)", .muted)] } ?? []
    if watching?.recording == "unavailable" {
      warm.append(
        (
          "function precision: off — this Python cannot record what tests execute (3.12+ can): by module and class",
          .muted
        ))
    }
    guard let change = watching?.lastChange else {
      return [("no file saved yet: djdash is watching", .muted)] + warm + missLines
    }
    var lines: [(String, Role)] = [("saved: " + change.paths.joined(separator: " "), .accent)] + warm
    let selection = change.selection
    if let rule = selection.rule { lines.append(("rule: " + rule, .muted)) }
    for reason in selection.broadReasons { lines.append(("every test: " + reason, .warning)) }
    if selection.broadReasons.isEmpty {
      for label in selection.labels {
        let inScope = selection.labels(within: scopeLabels).contains(label) || scopeLabels.isEmpty
        lines.append((label + (inScope ? "" : "  (outside the dashboard's labels)"), inScope ? .text : .muted))
        for step in selection.explanations[label] ?? [] { lines.append(("    " + step, .muted)) }
      }
    }
    for line in selection.unaffected { lines.append((line, .muted)) }
    if selection.isEmpty && selection.unaffected.isEmpty { lines.append(("no test depends on it", .muted)) }
    return lines + missLines
  }
}
