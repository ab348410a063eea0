import DjangoRunner
import Foundation

/// Section 2c: what recording the functions each test executes (`DJDASH_RECORD=1`) costs,
/// on the everyday suite, through djdash both ways, once per Python given.
enum RecordingBench {
  /// One interpreter to measure: how to run it, and its versions for the heading.
  struct Interpreter {
    var context: RunContext
    var python: String
    var django: String
  }

  static func run(_ interpreters: [Interpreter], project: GeneratedProject, repetitions: Int) {
    let everyday = project.everyday
    say("")
    say(
      "2c. Recording what each test executes (DJDASH_RECORD=1), on the \(Format.count(everyday.tests)) everyday tests")
    say(
      "djdash = the everyday suite through djdash as in 2b; recording = the same with DJDASH_RECORD=1 "
        + "(sys.monitoring on Python 3.12+; unavailable on 3.11, where asking must cost nothing).")
    say("Runs interleaved (djdash, recording, …) after one untimed warm-up of each. Goal: recording ≤ 1.05 × djdash.")
    for interpreter in interpreters {
      say("")
      let minor = interpreter.python.split(separator: ".").prefix(2).compactMap { Int($0) }
      let expected = (minor.count == 2 && (minor[0], minor[1]) >= (3, 12)) ? "sys.monitoring" : "unavailable"
      say(
        "  Python \(interpreter.python), Django \(interpreter.django) (\(interpreter.context.python)): recording \(expected)"
      )
      do {
        try compare(
          interpreter.context, project: project, tests: everyday.tests, expected: expected, repetitions: repetitions)
      } catch {
        say("  !! could not run: \(error)")
      }
    }
  }

  static func compare(
    _ context: RunContext, project: GeneratedProject, tests: Int, expected: String, repetitions: Int
  ) throws {
    let labels = [EverydaySuite.label]
    let record = ["DJDASH_RECORD": "1"]
    _ = try Runs.djdash(context, project: project.root, labels: labels)
    _ = try Runs.djdash(context, project: project.root, labels: labels, extraEnvironment: record)
    var plain: [RunOutcome] = []
    var recording: [RunOutcome] = []
    for round in 1...repetitions {
      let p = try Runs.djdash(context, project: project.root, labels: labels)
      plain.append(p)
      say("  round \(round)  djdash    \(Format.padLeft(Format.seconds(p.wall), 9))  " + SuiteBench.ranText(p))
      let r = try Runs.djdash(context, project: project.root, labels: labels, extraEnvironment: record)
      recording.append(r)
      say("  round \(round)  recording \(Format.padLeft(Format.seconds(r.wall), 9))  " + SuiteBench.ranText(r))
    }
    let plainWall = Measure.median(plain.map(\.wall))
    let recordingWall = Measure.median(recording.map(\.wall))
    say(
      "  median wall time   djdash \(Format.seconds(plainWall)), recording \(Format.seconds(recordingWall)), "
        + "ratio \(Format.ratio(recordingWall / plainWall)); each round's pair: "
        + SuiteBench.pairText(zip(recording, plain).map { $0.wall / $1.wall }))
    let plainRan = plain.compactMap(\.ranSeconds)
    let recordingRan = recording.compactMap(\.ranSeconds)
    if plainRan.count == plain.count, recordingRan.count == recording.count {
      let p = Measure.median(plainRan)
      let r = Measure.median(recordingRan)
      // Other load only ever adds time: the fastest rounds show the cost itself.
      let pBest = plainRan.min() ?? p
      let rBest = recordingRan.min() ?? r
      say(
        "  test phase (unittest's \"Ran … in\"): djdash \(Format.seconds(p)), recording \(Format.seconds(r)), "
          + "ratio \(Format.ratio(r / p)) (goal ≤ 1.05); each round's pair: "
          + SuiteBench.pairText(zip(recordingRan, plainRan).map { $0 / $1 }))
      say(
        "  per test: djdash \(Format.seconds(p / Double(tests))), recording \(Format.seconds(r / Double(tests))), "
          + "recording cost ≈ \(Format.seconds((r - p) / Double(tests))) a test; fastest rounds: ratio "
          + "\(Format.ratio(rBest / pBest)), ≈ \(Format.seconds((rBest - pBest) / Double(tests))) a test")
    }
    // CPU time suffers less than wall time from other load on the machine. It covers the
    // whole run, so recording's start-up (the first start of every code object) is in it.
    let plainCPU = Measure.median(plain.map(\.runnerCPU))
    let recordingCPU = Measure.median(recording.map(\.runnerCPU))
    say(
      "  CPU time (user + system) of the runner, whole run, median: djdash \(Format.seconds(plainCPU)), "
        + "recording \(Format.seconds(recordingCPU)), ratio \(Format.ratio(recordingCPU / plainCPU)), "
        + "≈ \(Format.seconds((recordingCPU - plainCPU) / Double(tests))) a test; each round's pair: "
        + SuiteBench.pairText(zip(recording, plain).map { $0.runnerCPU / $1.runnerCPU }))
    if let r = recording.last {
      let counted = r.counts.values.reduce(0, +)
      say(
        "  check: recording reported \(counted) tests, \(r.testsWithExecuted) with `executed`; runner_started said "
          + "recording \(r.recording ?? "(absent)"); runner \(r.exitDescription)")
      if r.recording != expected { say("  !! expected recording \(expected)") }
      if plain.last?.recording != nil {
        say("  !! the run without DJDASH_RECORD said recording \(plain.last?.recording ?? "")")
      }
      if counted != tests { say("  !! the count differs from the generated suite's (\(tests))") }
      if r.output.contains("recording what tests execute could not start") {
        say("  !! the hook could not start recording: see the runner's output")
      }
      if let problem = r.problem { say("  !! djdash reported a problem: \(problem)") }
      for warning in r.warnings.prefix(3) { say("  !! warning: \(warning)") }
    }
  }
}
