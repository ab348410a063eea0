import Dashboard
import DjangoRunner
import Foundation
import RunHistory

/// Section 7: the run history with a 20,000-test project: what recording costs per
/// result (as a run streams, batched), and how long a start takes to show the last
/// state of every test (the queries, handing it to the dashboard, the first frame).
enum HistoryBench {
  static func run(tests count: Int, runs: Int) {
    header("7. run history: \(Format.count(count)) tests, \(runs) recorded runs")
    let folder: String
    do {
      folder = try makeTemporaryFolder(prefix: "djdash-bench-history")
    } catch {
      say("  !! cannot create a folder: \(error)")
      return
    }
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let tests = DashboardBench.ids(count)
    // Real module files, so every result's fingerprint is a real stat.
    for module in Set(tests.map { $0.split(separator: ".").prefix(3).joined(separator: "/") }) {
      let path = folder + "/" + module + ".py"
      try? FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: path, contents: Data("class C: pass\n".utf8))
    }
    let store: HistoryStore
    do {
      store = try HistoryStore(projectRoot: folder)
    } catch {
      say("  !! cannot open the history: \(error)")
      return
    }
    let start = RunStart(
      labels: [], command: ["python", "manage.py", "test"], directory: folder, python: "python", options: [:])
    let reports = tests.enumerated().map { index, id in
      var report = TestReport(id: id, outcome: index % 50 == 7 ? .fail : .pass, duration: Double(index % 97) / 1000)
      if report.outcome == .fail {
        report.exception = "AssertionError"
        report.message = "12 != 13"
      }
      return report
    }
    var rates: [Double] = []
    for run in 0..<runs {
      let recorder = HistoryRecorder(store: store, origin: .run, projectRoot: folder, reactor: nil)
      let (_, seconds) = Measure.time {
        recorder.record(TimedEvent(t: 0, event: .runStarted(start)))
        for (index, report) in reports.enumerated() {
          // Every run flips a few tests, so the flip bookkeeping is exercised too.
          var report = report
          if run % 2 == 1 && index % 500 == 3 { report.outcome = .fail }
          recorder.record(TimedEvent(t: Double(index) / 1000, event: .testFinished(report)))
        }
        let summary = RunSummary(counts: [.pass: count], duration: 20, interrupted: nil, exitCode: 1)
        recorder.record(TimedEvent(t: 20, event: .runFinished(summary)))
      }
      if let problem = recorder.problem { say("  !! \(problem)") }
      rates.append(Double(count) / seconds)
    }
    say(
      "  recording: \(Format.count(Measure.median(rates))) results/s median over \(runs) runs "
        + "(\(Format.seconds(1 / Measure.median(rates))) per result; goal ≥ 50,000/s)")

    // What a start waits for, as `DashboardApp` does it: opening the file (a new process
    // opens it afresh), the history read (the last state and the slowest tests), handing
    // it to the dashboard, and the first frame.
    var opens: [Double] = []
    var loads: [Double] = []
    var slowests: [Double] = []
    var restores: [Double] = []
    var frames: [Double] = []
    var totals: [Double] = []
    for _ in 0..<5 {
      let (opened, open) = Measure.time { try? HistoryStore(projectRoot: folder) }
      guard let opened else {
        say("  !! cannot open the history again")
        return
      }
      let (records, load) = Measure.time { (try? opened.lastState()) ?? [] }
      let (slowest, slowestTime) = Measure.time { (try? opened.slowest()) ?? [] }
      var state = DashboardState(projectName: "bench", projectRoot: folder, scopeLabels: [], width: 200, height: 60)
      let (_, restore) = Measure.time {
        _ = state.apply(.historyLoaded(HistorySnapshot(records: records, slowest: slowest)))
      }
      let (_, frame) = Measure.time {
        state.layoutIfNeeded()
        _ = DashboardView.render(state)
      }
      opens.append(open)
      loads.append(load)
      slowests.append(slowestTime)
      restores.append(restore)
      frames.append(frame)
      totals.append(open + load + slowestTime + restore + frame)
      if records.count != count { say("  !! loaded \(records.count) records, not \(count)") }
    }
    say(
      "  start: open the file \(Format.seconds(Measure.median(opens)))"
        + ", read the last state of \(Format.count(count)) tests \(Format.seconds(Measure.median(loads)))"
        + " and the 20 slowest \(Format.seconds(Measure.median(slowests)))"
        + ", into the dashboard \(Format.seconds(Measure.median(restores)))"
        + ", first frame \(Format.seconds(Measure.median(frames)))")
    say(
      "    together: median \(Format.seconds(Measure.median(totals))), max \(Format.seconds(totals.max() ?? .nan))"
        + "  (goal ≤ 50 ms)")
    let size = (try? FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
    say("  file: \(Format.count(Double(size) / 1_048_576)) MiB after \(runs) runs")
  }
}
