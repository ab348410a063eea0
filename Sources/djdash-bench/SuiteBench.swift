import DjangoRunner
import Foundation

/// Section 2: a large generated suite, bare Django against the same run through djdash.
enum SuiteBench {
  static func run(_ context: RunContext, project: GeneratedProject, repetitions: Int) throws {
    header("2. Hook overhead on a generated suite of \(Format.count(project.tests)) tests")
    say(
      "\(project.classes) classes (half TestCase, half SimpleTestCase), \(project.ormTests) tests with 1–3 ORM queries, "
        + "\(project.failing) failing; SQLite in-memory test database; serial run.")
    say("The tests are trivial (about 0.1 ms each in bare Django): the worst case for the hook's cost per test.")
    say(
      "bare = python manage.py test --noinput bench; djdash = the same through RunSession + hook (until run_finished).")
    say("Runs interleaved (bare, djdash, …) after one untimed warm-up of each.")
    say("")
    try compare(
      context, project: project, label: "bench", tests: project.tests, failing: project.failing,
      repetitions: repetitions, goal: "   (goal ≤ 1.05)")

    let everyday = project.everyday
    say("")
    say("2b. The same on a generated suite of \(Format.count(everyday.tests)) everyday tests")
    say(
      "Two classes in three are TestCase: pages through the test client (templates, 1–2 queries), model work, "
        + "form validation; the rest plain logic. \(everyday.failing) failing. Label \(EverydaySuite.label).")
    say("")
    try compare(
      context, project: project, label: EverydaySuite.label, tests: everyday.tests, failing: everyday.failing,
      repetitions: repetitions, goal: "")
  }

  /// Interleaved rounds of bare Django and djdash on one label, and their figures.
  static func compare(
    _ context: RunContext, project: GeneratedProject, label: String, tests: Int, failing: Int, repetitions: Int,
    goal: String
  ) throws {
    let labels = [label]
    _ = try Runs.bare(context, project: project.root, labels: labels)
    _ = try Runs.djdash(context, project: project.root, labels: labels)

    var bare: [RunOutcome] = []
    var hooked: [RunOutcome] = []
    for round in 1...repetitions {
      let b = try Runs.bare(context, project: project.root, labels: labels)
      bare.append(b)
      say("  round \(round)  bare   \(Format.padLeft(Format.seconds(b.wall), 9))  " + ranText(b))
      let h = try Runs.djdash(context, project: project.root, labels: labels)
      hooked.append(h)
      say("  round \(round)  djdash \(Format.padLeft(Format.seconds(h.wall), 9))  " + ranText(h) + phaseText(h))
    }

    let bareMedian = Measure.median(bare.map(\.wall))
    let hookMedian = Measure.median(hooked.map(\.wall))
    say("")
    say("  median wall time   bare \(Format.seconds(bareMedian)), djdash \(Format.seconds(hookMedian))")
    say("  ratio djdash/bare  \(Format.ratio(hookMedian / bareMedian))\(goal)")
    // Other load on the machine only ever adds time: the fastest rounds show the cost itself.
    let bareBest = bare.map(\.wall).min() ?? bareMedian
    let hookBest = hooked.map(\.wall).min() ?? hookMedian
    say(
      "  fastest rounds     bare \(Format.seconds(bareBest)), djdash \(Format.seconds(hookBest)), ratio \(Format.ratio(hookBest / bareBest))"
    )
    say("  ratio of each round's pair: " + pairText(zip(hooked, bare).map { $0.wall / $1.wall }))
    let bareRan = bare.compactMap(\.ranSeconds)
    let hookRan = hooked.compactMap(\.ranSeconds)
    if bareRan.count == bare.count, hookRan.count == hooked.count {
      let b = Measure.median(bareRan)
      let h = Measure.median(hookRan)
      say("  test phase, ratio of each round's pair: " + pairText(zip(hookRan, bareRan).map { $0 / $1 }))
      say(
        "  test phase alone (unittest's \"Ran … in\"): bare \(Format.seconds(b)), djdash \(Format.seconds(h)), "
          + "ratio \(Format.ratio(h / b)); per test: bare \(Format.seconds(b / Double(tests))), "
          + "djdash \(Format.seconds(h / Double(tests))), hook cost ≈ \(Format.seconds((h - b) / Double(tests))) a test"
      )
      say(
        "  outside the test phase (start-up, database setup, teardown): bare \(Format.seconds(bareMedian - b)), "
          + "djdash \(Format.seconds(hookMedian - h))")
    }
    // A runner whose CPU time is its wall time never waited for djdash: the hook's cost is
    // its own work. djdash's side runs beside it, on the other core when there is one.
    say(
      "  CPU time (user + system), median: runner bare \(Format.seconds(Measure.median(bare.map(\.runnerCPU)))), "
        + "with the hook \(Format.seconds(Measure.median(hooked.map(\.runnerCPU)))); this process reading it: "
        + "bare's output \(Format.seconds(Measure.median(bare.map(\.ownCPU)))), djdash's events and output "
        + "\(Format.seconds(Measure.median(hooked.map(\.ownCPU))))"
    )
    let phases = hooked.compactMap { run -> Double? in
      guard let first = run.firstStarted, let last = run.lastFinished else { return nil }
      return last - first
    }
    if !phases.isEmpty {
      say(
        "  first test_started → last test_finished as djdash received them: median \(Format.seconds(Measure.median(phases)))"
      )
    }

    // Sanity: both sides ran the same tests with the same verdicts.
    if let h = hooked.last, let b = bare.last {
      let counted = h.counts.values.reduce(0, +)
      let failed = (h.counts[.fail] ?? 0) + (h.counts[.error] ?? 0)
      say(
        "  check: djdash reported \(counted) tests (\(failed) failed, expected \(failing)); "
          + "bare Django ran \(b.ranTests.map(String.init) ?? "?"); runner \(h.exitDescription)")
      if counted != tests || b.ranTests != tests || failed != failing {
        say("  !! the counts differ from the generated suite's (\(tests) tests, \(failing) failing)")
      }
      if let problem = h.problem { say("  !! djdash reported a problem: \(problem)") }
      for warning in h.warnings.prefix(3) { say("  !! warning: \(warning)") }
    }
  }

  /// The median and middle half of per-round ratios. Each pair ran back to back, so its
  /// ratio is the least disturbed by load that comes and goes.
  static func pairText(_ ratios: [Double]) -> String {
    "median \(Format.ratio(Measure.median(ratios))), middle half "
      + "\(Format.ratio(Measure.quantile(ratios, 0.25)))–\(Format.ratio(Measure.quantile(ratios, 0.75)))"
  }

  static func ranText(_ run: RunOutcome) -> String {
    guard let seconds = run.ranSeconds else { return "(no \"Ran\" line)" }
    return "test phase \(Format.padLeft(Format.seconds(seconds), 9))"
  }

  static func phaseText(_ run: RunOutcome) -> String {
    guard let first = run.firstStarted, let last = run.lastFinished else { return "" }
    return ", events \(Format.seconds(last - first)) (first start → last finish)"
  }
}
