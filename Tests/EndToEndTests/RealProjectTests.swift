import DjangoRunner
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// Never a different story from Django: real third-party suites, fetched from PyPI as
/// sdists (`RealProjects`), run through djdash and through Django's own runner at the same
/// settings — serial with serial, `--parallel 2` with Django's own `--parallel 2` — must
/// agree on every test's verdict, the counts, the runner's exit status and (serially) the
/// order tests start in, and djdash must have nothing to warn about (its hook failing on
/// the way). Any difference fails with the list of what differs.
final class RealProjectTests: XCTestCase {
  // django-simple-history's runtests.py imports django.test.runner before it calls
  // settings.configure(). The parallel run also has DJANGO_SETTINGS_MODULE set, as in a
  // shell where it was exported for another project (which Django's runner ignores here).
  func testSimpleHistorySerial() throws { try assertSameStory(.simpleHistory, parallel: nil) }
  func testSimpleHistoryParallel() throws {
    try assertSameStory(.simpleHistory, parallel: 2, environment: ["DJANGO_SETTINGS_MODULE": "tests.settings"])
  }

  func testFilterSerial() throws { try assertSameStory(.filter, parallel: nil) }
  func testFilterParallel() throws { try assertSameStory(.filter, parallel: 2) }

  func testJSAssetSerial() throws { try assertSameStory(.jsAsset, parallel: nil) }
  func testJSAssetParallel() throws { try assertSameStory(.jsAsset, parallel: 2) }

  func testWidgetTweaksSerial() throws { try assertSameStory(.widgetTweaks, parallel: nil) }
  func testWidgetTweaksParallel() throws { try assertSameStory(.widgetTweaks, parallel: 2) }

  // `djdash run --warm`: a child of the project's warm service must run what the
  // command runs, as Django does serially.
  func testFilterWarm() throws { try assertWarmRunTellsDjangosStory(.filter) }
  func testJSAssetWarm() throws { try assertWarmRunTellsDjangosStory(.jsAsset) }
  func testWidgetTweaksWarm() throws { try assertWarmRunTellsDjangosStory(.widgetTweaks) }

  /// Runs `project` serially with Django's own runner and warm with the djdash binary
  /// (which starts the project's warm service, stopped again at the end), and fails with
  /// every difference in the verdicts and the exit status.
  private func assertWarmRunTellsDjangosStory(
    _ project: RealProject, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let (folder, python) = try RealProjects.checkout(project)
    let django = try DjangoOracle.run(
      command: project.command, python: python, in: folder, environment: project.environment)
    XCTAssertGreaterThanOrEqual(
      django.outcomes.count, project.minimumTests,
      "\(project): Django's own run did not find the suite:\n\(django.output)", file: file, line: line)
    defer { Self.stopWarmService(in: folder, command: project.command) }
    var environment = project.environment
    environment["DJDASH_WARM_IDLE_TIMEOUT"] = "120"  // should stopping it below fail
    let warm = try Shell.djdash(
      ["run", "--no-history", "--python", python, "--command", project.command, "--warm"], in: folder,
      environment: environment)
    var verdicts: [String: TestOutcome] = [:]
    for line in warm.stdout.split(separator: "\n") {
      // "PASS    0.001s  app.tests.Class.test_name  (a skip's reason)"
      let words = line.split(separator: " ", omittingEmptySubsequences: true)
      guard words.count >= 3, let outcome = TestOutcome(rawValue: words[0].lowercased()) else { continue }
      verdicts[String(words[2])] = outcome
    }
    var differences: [String] = []
    for id in Set(django.outcomes.keys).union(verdicts.keys).sorted() where django.outcomes[id] != verdicts[id] {
      let theirs = django.outcomes[id].map(\.rawValue) ?? "not run"
      differences.append("\(id): Django \(theirs), djdash --warm \(verdicts[id].map(\.rawValue) ?? "not reported")")
    }
    if differences.count > 20 { differences = differences.prefix(20) + ["… and \(differences.count - 20) more"] }
    if (warm.status == 0) != (django.status == 0) {
      differences.append("exit: Django's runner exited \(django.status), djdash run --warm \(warm.status)")
    }
    if !differences.isEmpty {
      let said = (warm.stdout + warm.stderr).split(separator: "\n").filter { line in
        guard let first = line.split(separator: " ").first else { return false }
        return TestOutcome(rawValue: first.lowercased()) == nil
      }
      let tail = said.suffix(12).joined(separator: "\n")
      XCTFail(
        "\(project), --warm: djdash tells a different story from Django\n"
          + differences.map { "  " + $0 }.joined(separator: "\n") + "\n  djdash said last:\n" + tail,
        file: file, line: line)
    }
  }

  /// Stops the warm service `djdash run --warm` started for `folder` (its test databases
  /// are destroyed), as a user would.
  private static func stopWarmService(in folder: String, command: String) {
    _ = try? Shell.djdash(["warm", "stop", "--command", command], in: folder)
  }

  /// Runs `project` with Django's own runner and with djdash, and fails with every
  /// difference between the two.
  private func assertSameStory(
    _ project: RealProject, parallel: Int?, environment extra: [String: String] = [:],
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let (folder, python) = try RealProjects.checkout(project)
    var environment = project.environment
    environment.merge(extra) { $1 }
    let mode = parallel.map { "--parallel \($0)" } ?? "serial"

    var flags: [String] = []
    var options: [String: Int] = [:]
    if let parallel {
      if project.takesFlags { flags = ["--parallel", String(parallel)] } else { options = ["parallel": parallel] }
    }
    let djangoStart = Date()
    let django = try DjangoOracle.run(
      command: project.command, arguments: flags, python: python, in: folder, environment: environment,
      options: options)
    let djangoTime = Date().timeIntervalSince(djangoStart)
    XCTAssertGreaterThanOrEqual(
      django.outcomes.count, project.minimumTests,
      "\(project), \(mode): Django's own run did not find the suite:\n\(django.output)", file: file, line: line)

    var request = RunRequest()
    request.command = project.command
    request.parallel = parallel.map { .processes($0) }
    let djdashStart = Date()
    let run = try TestRun.run(project: folder, python: python, request: request, environment: environment)
    let djdashTime = Date().timeIntervalSince(djdashStart)
    print(
      String(
        format: "%@, %@: %d tests; Django %.1f s, djdash %.1f s", project.description, mode, django.outcomes.count,
        djangoTime, djdashTime))

    var differences = Self.differences(django: django, djdash: run)
    if parallel == nil, let order = Self.orderDifference(django: django.order, djdash: run) {
      differences.insert(order, at: 0)
    }
    for event in run.events(named: "suite_ready") {
      // A parallel comparison of a suite that djdash ran serially would prove nothing.
      // Django runs min(N, number of test classes) processes.
      guard let parallel, case .suiteReady(let plan) = event.event else { continue }
      let classes = Set(plan.tests.map { $0.split(separator: ".").dropLast().joined(separator: ".") }).count
      if plan.processes != min(parallel, classes) {
        differences.append("djdash ran a suite of \(plan.tests.count) tests in \(plan.processes) process(es)")
      }
    }
    if !differences.isEmpty {
      XCTFail(
        "\(project), \(mode): djdash tells a different story from Django\n"
          + differences.map { "  " + $0 }.joined(separator: "\n"), file: file, line: line)
    }
  }

  /// Where the order djdash's runner started tests in (serial) leaves Django's own.
  static func orderDifference(django: [String], djdash run: RecordedRun) -> String? {
    let started = run.events.compactMap { event -> String? in
      if case .testStarted(let id, _) = event.event { return id } else { return nil }
    }
    guard started != django else { return nil }
    guard let index = zip(django, started).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
      return "order: Django started \(django.count) tests, djdash reported \(started.count) starts"
    }
    return "order: test #\(index + 1) to start was \(django[index]) under Django, \(started[index]) under djdash"
  }

  /// What djdash reported differently from Django, one readable line (or block) each.
  static func differences(django: DjangoRun, djdash run: RecordedRun) -> [String] {
    var lines: [String] = []
    let djdash = run.outcomes
    let ids = Set(django.outcomes.keys).union(djdash.keys).sorted()
    var differing = 0
    for id in ids where django.outcomes[id] != djdash[id] {
      differing += 1
      if differing <= 40 {
        let theirs = django.outcomes[id].map(\.rawValue) ?? "not run"
        let ours = djdash[id].map(\.rawValue) ?? "not reported"
        lines.append("\(id): Django \(theirs), djdash \(ours)")
      }
    }
    if differing > 40 { lines.append("… and \(differing - 40) more tests differ") }
    if django.counts != run.summary.counts {
      let show = { (counts: [TestOutcome: Int]) in
        TestOutcome.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
      }
      lines.append("counts: Django \(show(django.counts)); djdash \(show(run.summary.counts))")
    }
    if run.summary.runnerStatus != django.status || (run.summary.exitCode == 0) != (django.status == 0) {
      let status = run.summary.runnerStatus.map(String.init) ?? "none (signal \(run.summary.runnerSignal ?? 0))"
      lines.append(
        "exit: Django's runner exited \(django.status); under djdash it exited \(status), djdash's exit code "
          + "\(run.summary.exitCode); Django's last output:\n"
          + django.output.split(separator: "\n", omittingEmptySubsequences: false).suffix(15).joined(separator: "\n"))
    }
    if let problem = run.summary.problem { lines.append("djdash: \(problem)") }
    // The hook's own failures reach the run as warnings: Django had nothing to warn about.
    for event in run.events {
      guard case .warning(let text) = event.event else { continue }
      let textLines = text.split(separator: "\n").map(String.init)
      lines.append(
        "djdash warned: " + (textLines.count > 1 ? "\(textLines[0]) … \(textLines[textLines.count - 1])" : text))
    }
    if !lines.isEmpty {
      let tail = (run.runnerOutput.split(separator: "\n", omittingEmptySubsequences: false).suffix(15))
        .joined(separator: "\n")
      lines.append("the runner's last output under djdash:\n" + tail)
    }
    return lines
  }
}
