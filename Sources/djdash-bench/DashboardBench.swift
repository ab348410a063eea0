import Dashboard
import DjangoRunner
import Foundation

/// Section 6: the dashboard with a 20,000-test run: applying events and rendering a
/// 200×60 frame, and the memory the process holds afterwards. Runs in its own process
/// (`djdash-bench --dashboard-only`) so the memory figure is the dashboard's alone.
enum DashboardBench {
  static let width = 200
  static let height = 60

  static func run(tests count: Int) {
    header("6. dashboard: \(Format.count(count)) tests, frames at \(width)×\(height)")
    let rssBefore = residentBytes()
    let tests = ids(count)
    var state = DashboardState(
      projectName: "bench", projectRoot: "/project", scopeLabels: [], width: width, height: height)
    let start = RunStart(
      labels: [], command: ["python", "manage.py", "test"], directory: "/project", python: "python", options: [:])
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 0))
    let (_, planTime) = Measure.time {
      _ = state.apply(.runEvent(TimedEvent(t: 0.1, event: .suiteReady(SuitePlan(tests: tests))), now: 0.1))
      state.layoutIfNeeded()
    }
    // Results arrive in batches, as the reactor reads them; each batch ends in a frame.
    let batch = 100
    var frames: [Double] = []
    var applyOnly: [Double] = []
    var clock = 0.2
    for first in stride(from: 0, to: tests.count, by: batch) {
      let events = (first..<min(tests.count, first + batch)).flatMap { index -> [TimedEvent] in
        clock += 0.001
        return [
          TimedEvent(t: clock, event: .testStarted(id: tests[index], pid: 1)),
          TimedEvent(t: clock + 0.0005, event: .testFinished(report(tests[index], index: index))),
        ]
      }
      let frameStart = Measure.clock.now()
      for event in events { _ = state.apply(.runEvent(event, now: event.t)) }
      applyOnly.append(Measure.clock.now() - frameStart)
      state.layoutIfNeeded()
      _ = DashboardView.render(state)
      frames.append(Measure.clock.now() - frameStart)
    }
    let summary = RunSummary(counts: state.run.counts, duration: clock, interrupted: nil, exitCode: 1)
    _ = state.apply(.runEvent(TimedEvent(t: clock, event: .runFinished(summary)), now: clock))

    let sorted = frames.sorted()
    say("  plan of \(Format.count(count)) tests (suite_ready + first layout): \(Format.seconds(planTime))")
    say(
      "  frame = apply \(batch) results + layout + render: median \(Format.seconds(Measure.median(frames))), "
        + "p95 \(Format.seconds(sorted[Int(Double(sorted.count - 1) * 0.95)])), max \(Format.seconds(sorted.last ?? .nan))"
        + "  (goal ≤ 5 ms)")
    say("    of which applying the events: median \(Format.seconds(Measure.median(applyOnly)))")
    let (_, idleFrame) = Measure.time {
      state.layoutIfNeeded()
      _ = DashboardView.render(state)
    }
    say("  frame with nothing new (a tick): \(Format.seconds(idleFrame))")
    let keystrokes = Array("test_3".map { Action.key(.character($0)) })
    var filterTimes: [Double] = []
    _ = state.apply(.key(.character("/")))
    for key in keystrokes {
      let (_, time) = Measure.time {
        _ = state.apply(key)
        _ = DashboardView.render(state)
      }
      filterTimes.append(time)
    }
    say(
      "  filter keystroke over \(Format.count(count)) tests (rows rebuilt + frame): median \(Format.seconds(Measure.median(filterTimes)))"
    )
    _ = state.apply(.key(.escape))
    _ = state.apply(.key(.character("n")))
    let (_, openSQL) = Measure.time {
      _ = state.apply(.key(.enter))
      _ = state.apply(.key(.tab))
      _ = DashboardView.render(state)
    }
    say("  open a failure's SQL tab (document built + frame): \(Format.seconds(openSQL))")
    // A test that printed a megabyte (the hook keeps at most 1 MiB per stream).
    var loud = report(state.selectedID ?? tests[7], index: 7)
    loud.stdout = String(
      repeating: "a line a test printed, with a number 1234567890 and some more words\n", count: 15_000)
    _ = state.apply(.runEvent(TimedEvent(t: clock, event: .testFinished(loud)), now: clock))
    let (_, openOutput) = Measure.time {
      _ = state.apply(.key(.tab))
      _ = state.apply(.key(.tab))
      _ = DashboardView.render(state)
    }
    say(
      "  open the Output tab of a test that printed \(Format.bytes(loud.stdout.utf8.count)): \(Format.seconds(openOutput))"
    )
    // Every frame while that test's detail is open, for as long as the run goes.
    var loudFrames: [Double] = []
    for _ in 0..<20 {
      let (_, time) = Measure.time {
        state.layoutIfNeeded()
        _ = DashboardView.render(state)
      }
      loudFrames.append(time)
    }
    say("  a frame while that Output tab is open (nothing new): median \(Format.seconds(Measure.median(loudFrames)))")
    let rssAfter = residentBytes()
    say(
      "  memory: RSS \(Format.bytes(rssAfter)) after the run (\(Format.bytes(rssBefore)) before it)  (goal ≤ 100 MB)")
  }

  /// `app_N.tests.test_M.ClassK.test_J`: 40 apps × 10 modules × 10 classes × tests.
  static func ids(_ count: Int) -> [String] {
    (0..<count).map { index in
      let test = index % 5
      let testClass = index / 5 % 10
      let module = index / 50 % 10
      let app = index / 500
      return "app_\(app).tests.test_\(module).Class\(testClass).test_\(test)_does_something_useful"
    }
  }

  /// A result like a real suite's: three queries each, one test in fifty failing.
  static func report(_ id: String, index: Int) -> TestReport {
    let fails = index % 50 == 7
    let frames = (0..<6).map {
      SourceFrame(
        file: "/project/app/tests/test_x.py", line: 10 + $0, function: "test",
        source: "self.assertEqual(total(order), 12)")
    }
    let problems =
      fails
      ? [
        Problem(
          outcome: .fail, exception: "AssertionError", message: "10 != 12 : the total must include tax",
          traceback: frames, tracebackText: "Traceback (most recent call last):\n…")
      ] : []
    var report = TestReport(
      id: id, outcome: fails ? .fail : .pass, pid: 1, duration: 0.004, message: fails ? "10 != 12" : "",
      problems: problems)
    report.queries = (0..<3).map { number in
      SQLQuery(
        sql:
          #"SELECT "shop_product"."id", "shop_product"."name", "shop_product"."price" FROM "shop_product" WHERE "shop_product"."id" = %s LIMIT 21"#,
        params: .array([.number(Double(number))]), alias: "default", duration: 0.0001)
    }
    return report
  }

  static func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
      let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
      return kilobytes * 1024
    }
    return 0
  }
}
