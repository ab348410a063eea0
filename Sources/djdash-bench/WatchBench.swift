import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Section 8: watch mode on the demo project. From a save to the first (and last)
/// result of the affected tests — the watcher, its debounce, the selection, the run —
/// against a bare `manage.py test -v 2 <same labels>` started at the moment of the save,
/// measured in the same round.
enum WatchBench {
  static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("djdash/Demo").path

  /// The saves measured: a view reached through the URLconf, a pure helper, a template.
  static let saves = ["catalog/views.py", "catalog/promotions.py", "catalog/templates/catalog/product_detail.html"]

  static func run(_ context: RunContext, repetitions: Int) throws {
    say("")
    say("8. Watch mode on the demo project: save → first and last result (median of \(repetitions))")
    let project = try makeTemporaryFolder(prefix: "djdash-bench-watch")
    defer { try? FileManager.default.removeItem(atPath: project) }
    try copyDemo(to: project)
    try measure(project: project, saves: saves, paths: RunnerPath.allCases, context: context, repetitions: repetitions)
    say("   (djdash: from the rename that saves the file, through the watcher's debounce and the selection,")
    say("    to the first and last test_finished; warm: as the dashboard does, a child of the warm server with")
    say("    Django and the test database ready; prepared: as the dashboard does when the save is one a fork")
    say("    cannot refresh, a new runner starts when the save begins and gets its labels after the debounce;")
    say("    cold: a new runner starts after the debounce. bare:")
    say("    from spawning manage.py test -v 2 with the same labels to its first and last per-test line.")
    say("    Goals: first result ≤ 1.05× bare (prepared), ≥ 20× sooner than bare (warm).)")
  }

  /// The same on the generated project of `apps` apps (migrations, signals, templates):
  /// warm and cold only.
  static func runLarge(_ context: RunContext, apps: Int, repetitions: Int) throws {
    say("")
    say("8b. Watch mode on a generated project of \(apps) apps: save → first and last result (median of \(repetitions))")
    let generated = try SelectionProject(apps: apps)
    defer { generated.remove() }
    let app = "app\(apps / 2)"
    let files = ["\(app)/services/s11.py", "\(app)/tests/test_service_4.py", "\(app)/templates/\(app)/page_5.html"]
    try measure(project: generated.root, saves: files, paths: [.warm, .cold], context: context, repetitions: repetitions)
  }

  private static func measure(
    project: String, saves: [String], paths: [RunnerPath], context: RunContext, repetitions: Int
  ) throws {
    say(
      "   saved file                                 labels  runner    djdash first / last    bare first / last  ratio first"
    )
    for file in saves {
      for path in paths {
        var ours: [(Double, Double)] = []
        var bare: [(Double, Double)] = []
        var labels: [String] = []
        var firstTests: [Double] = []
        for _ in 0..<repetitions {
          let measured = try saveAndRun(file, in: project, context: context, path: path)
          labels = measured.labels
          ours.append((measured.first, measured.last))
          firstTests.append(measured.firstTest)
          bare.append(try bareRun(labels, in: project, context: context))
        }
        let ourFirst = Measure.median(ours.map(\.0))
        let bareFirst = Measure.median(bare.map(\.0))
        let isFirst = path == paths.first
        say(
          "   \((isFirst ? String(file.suffix(42)) : "").padding(toLength: 42, withPad: " ", startingAt: 0))  "
            + "\((isFirst ? String(labels.count) : "").leftPadded(6))  \(path.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  "
            + "\(Format.seconds(ourFirst).leftPadded(8)) / \(Format.seconds(Measure.median(ours.map(\.1))).leftPadded(8))  "
            + "\(Format.seconds(bareFirst).leftPadded(8)) / \(Format.seconds(Measure.median(bare.map(\.1))).leftPadded(8))  "
            + String(format: "%10.2f×", ourFirst / bareFirst))
        if path == .warm && firstTests.allSatisfy({ $0 < 0 }) {
          say("      (cold: the warm runner had loaded this file at start-up, so it is replaced)")
        } else if path == .warm {
          let own = Measure.median(firstTests)
          say(
            "      (warm: \(String(format: "%.1f", bareFirst / ourFirst))× sooner; the first test alone took "
              + "\(Format.seconds(own)) as the runner timed it, while 20× sooner than bare would be "
              + "\(Format.seconds(bareFirst / 20)) from the save)")
        }
      }
    }
  }

  private static func copyDemo(to folder: String) throws {
    for entry in try FileManager.default.contentsOfDirectory(atPath: demo) {
      try FileManager.default.copyItem(atPath: demo + "/" + entry, toPath: folder + "/" + entry)
    }
  }

  /// Watches `project`, saves `file` (by rename, as editors do), runs the selection as
  /// the dashboard would, and returns the seconds from the save to the first and last
  /// result.
  enum RunnerPath: String, CaseIterable {
    case warm, prepared, cold
  }

  private static func saveAndRun(_ file: String, in project: String, context: RunContext, path runner: RunnerPath)
    throws
    -> (labels: [String], first: Double, last: Double, firstTest: Double)
  {
    let reactor = Reactor()
    var selector = TestSelector(graph: ProjectGraph(root: project))
    let located = try Project.locate(from: project, command: nil)
    var savedAt = 0.0
    var firstResult: Double?
    var lastResult: Double?
    var firstTest = 0.0
    var labels: [String] = []
    var session: RunSession?
    var environment = context.baseEnvironment
    environment["DJDASH_HOOK_DIR"] = context.hookDirectory
    func plan(_ labels: [String]) -> RunPlan? {
      var request = RunRequest()
      request.python = context.python
      request.labels = labels
      request.passthrough = ["--noinput"]
      return try? located.plan(for: request, environment: environment)
    }
    // The dashboard's launcher: warm keeps a warm runner, the others none.
    let launcher = RunLauncher(reactor: reactor, settings: LaunchPolicy.Settings(keepsWarmRunner: runner == .warm)) {
      plan([])
    }
    if runner == .warm {
      launcher.replaceWarmRunner(because: nil)
      let ready = reactor.clock.now() + 60
      while launcher.warm?.state == .starting && reactor.clock.now() < ready { reactor.runOnce(timeout: 0.05) }
      guard case .ready? = launcher.warm?.state else {
        throw BenchError("the warm runner is not ready: \(launcher.policy.status?.description ?? "none")")
      }
      // As a user's save comes some time after the start: the server has compiled the
      // project's modules by then.
      let settled = reactor.clock.now() + 3
      while reactor.clock.now() < settled { reactor.runOnce(timeout: 0.05) }
    }
    defer {
      launcher.stop()
      let ended = reactor.clock.now() + 10
      while !launcher.haveRetiredRunnersEnded && reactor.clock.now() < ended { reactor.runOnce(timeout: 0.05) }
    }
    let watcher = try ProjectWatcher(
      root: project, reactor: reactor,
      quiet: Double(ProcessInfo.processInfo.environment["DJDASH_BENCH_QUIET"] ?? "") ?? ProjectWatcher.defaultQuiet
    ) { batch in
      guard session == nil else { return }
      let selection = selector.selection(afterChanging: batch.paths)
      labels = selection.labels
      guard let plan = plan(selection.labels) else { return }
      let onEvent: (TimedEvent) -> Void = { timed in
        if ProcessInfo.processInfo.environment["DJDASH_BENCH_TRACE"] != nil {
          FileHandle.standardError.write(
            Data("  \(timed.event.name) +\(Int((reactor.clock.now() - savedAt) * 1000)) ms\n".utf8))
        }
        if case .testFinished(let report) = timed.event {
          let now = reactor.clock.now()
          if firstResult == nil {
            firstResult = now - savedAt
            firstTest = session?.isWarm == true ? report.duration : -1
          }
          lastResult = now - savedAt
        }
      }
      launcher.filesChanged(batch.paths, isOverflow: batch.isOverflow)
      _ = launcher.launch(plan, onEvent: onEvent) { session = $0 }
    }
    if runner != .cold {
      // As the dashboard: a head start unless the warm server can take the save.
      watcher.onActivity = { paths in
        if session == nil { launcher.saveBegan(paths) }
      }
    }
    defer { watcher.close() }
    // Let the watch settle, then save.
    reactor.runOnce(timeout: 0.05)
    let path = project + "/" + file
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let ending = file.hasSuffix(".py") ? "\n# saved \(UUID().uuidString)\n" : "\n{# saved \(UUID().uuidString) #}\n"
    try (text + ending).write(toFile: path + ".tmp-save", atomically: false, encoding: .utf8)
    savedAt = reactor.clock.now()
    guard rename(path + ".tmp-save", path) == 0 else { throw BenchError("cannot save \(file)") }
    let deadline = savedAt + 120
    while !(session?.isFinished ?? false) && reactor.clock.now() < deadline { reactor.runOnce(timeout: 0.5) }
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    guard let firstResult, let lastResult else { throw BenchError("the run after saving \(file) reported no test") }
    return (labels, firstResult, lastResult, firstTest)
  }

  /// `manage.py test -v 2 LABELS`: seconds from the spawn to the first and the last
  /// per-test line (timed by a small Python parent, so its own start is not counted).
  private static func bareRun(_ labels: [String], in project: String, context: RunContext) throws -> (Double, Double) {
    let script = """
      import subprocess, sys, time
      start = time.monotonic()
      child = subprocess.Popen(sys.argv[1:], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
      first = last = None
      for line in child.stderr:
          if line.rstrip().endswith((b" ok", b" FAIL", b" ERROR", b"expected failure", b"unexpected success")) \\
                  or b" skipped " in line:
              last = time.monotonic() - start
              first = first if first is not None else last
      child.wait()
      print(first, last)
      """
    let run = try Runs.command(
      [context.python, "-c", script, context.python, "manage.py", "test", "--noinput", "-v", "2"] + labels,
      directory: project, environment: context.baseEnvironment, timeout: 300)
    let words = run.output.split(whereSeparator: \.isWhitespace)
    guard words.count >= 2, let first = Double(words[0]), let last = Double(words[1]) else {
      throw BenchError("bare manage.py test printed no per-test line: \(run.output.suffix(300))")
    }
    return (first, last)
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
