import Foundation
import XCTest

@testable import DjangoRunner

final class RunEventCodingTests: XCTestCase {
  private func encode(_ timed: TimedEvent) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(timed)
  }

  private func object(_ timed: TimedEvent) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: try encode(timed), options: [.fragmentsAllowed])
    return try XCTUnwrap(value as? [String: Any])
  }

  private func roundTrip(_ event: RunEvent, t: Double = 1.25, file: StaticString = #filePath, line: UInt = #line) throws
  {
    let original = TimedEvent(t: t, event: event)
    let data = try encode(original)
    XCTAssertFalse(data.contains(0x0A), "one event must be one line", file: file, line: line)
    let decoded = EventDecoder().decodeTimed(line: Array(data))
    XCTAssertEqual(decoded, .success(original), String(decoding: data, as: UTF8.self), file: file, line: line)
  }

  private func sampleReport() throws -> TestReport {
    guard case .testFinished(let report) = try EventDecoder().decode(line: EventSamples.testFinishedBytes).get() else {
      throw EventDecodingError.invalid(event: "test_finished", detail: "sample did not decode")
    }
    return report
  }

  func testTheWarmServersRefreshEventsRoundTrip() throws {
    try roundTrip(
      .warmReady(
        loaded: ["shop/models.py", "shop/apps.py"], sharedDatabases: [],
        refreshable: ["shop/models.py": [1_764_700_000_123_456_789, 412]]))
    try roundTrip(.warmReady(loaded: ["shop/models.py"], sharedDatabases: ["default"]))
    try roundTrip(.warmRefreshRefused(reason: "Shelf.label (shop/models.py:7) ran while the warm runner started"))
    try roundTrip(.wentCold(reason: "the warm runner could not refresh the saved function bodies (…)"))
    let decoded = EventDecoder().decode(
      line: Array(#"{"event": "warm_ready", "loaded": ["a.py"], "shared_databases": []}"#.utf8))
    XCTAssertEqual(decoded, .success(.warmReady(loaded: ["a.py"], sharedDatabases: [], refreshable: [:])))
  }

  // MARK: round trips of every published case

  func testRunStartedRoundTrips() throws {
    try roundTrip(
      .runStarted(
        RunStart(
          labels: ["shop", "orders.tests"], command: ["/venv/bin/python", "manage.py", "test", "shop"],
          directory: "/proj", python: "/venv/bin/python",
          options: [
            "shuffle": .null, "parallel": .string("auto"), "reverse": .bool(true),
            "tags": .array([.string("slow")]), "seed": .number(7),
          ])))
  }

  func testOutputRoundTrips() throws {
    try roundTrip(.output(RunnerOutput(stream: .stderr, text: "System check identified no issues.\n")))
    try roundTrip(.output(RunnerOutput(stream: .stdout, text: "Creating test database…\n")))
  }

  func testProcessLostRoundTrips() throws {
    try roundTrip(
      .processLost(ProcessLoss(pid: 9, test: "a.T.t", reason: "killed by signal 11", crashReport: "Fatal Python error"))
    )
    try roundTrip(.processLost(ProcessLoss(pid: 9, test: nil, reason: "exited", crashReport: nil)))
  }

  func testWarningRoundTrips() throws {
    try roundTrip(.warning("unreadable event line: \"quoted\"\nand a second line"))
  }

  func testRunFinishedRoundTrips() throws {
    try roundTrip(
      .runFinished(
        RunSummary(
          counts: [.pass: 5, .fail: 1, .error: 2, .skip: 3, .xfail: 4, .xpass: 6], duration: 3.5,
          interrupted: .graceful,
          exitCode: 130, runnerStatus: nil, runnerSignal: 2, problem: "stopped")))
    try roundTrip(
      .runFinished(
        RunSummary(
          counts: [.pass: 1], duration: 1.5, interrupted: nil, exitCode: 1, runnerStatus: 1,
          problem: "the test runner ended before finishing the run (exit status 1): TypeError: x",
          runnerError: "Traceback (most recent call last):\n  File \"m.py\", line 1\nTypeError: x")))
    try roundTrip(
      .runFinished(RunSummary(counts: [.pass: 1], duration: 0.5, interrupted: nil, exitCode: 0, runnerStatus: 0)))
  }

  func testTestsDiscardedRoundTrips() throws {
    try roundTrip(.testsDiscarded(TestsDiscarded(tests: ["a.T.t1", "a.U.t2"], reason: "Django stopped early")))
  }

  func testRunnerStartedRoundTrips() throws {
    try roundTrip(
      .runnerStarted(RunnerInfo(pid: 321, django: "4.2.11", runner: "shop.runner.Runner", labels: ["shop"])))
    try roundTrip(.runnerStarted(RunnerInfo(pid: nil, django: "5.2", runner: "r.R", labels: [])))
  }

  func testSuiteReadyRoundTrips() throws {
    try roundTrip(.suiteReady(SuitePlan(tests: ["a.T.t1", "a.T.t2"], processes: 2, subsuites: 2, shuffleSeed: 99)))
    try roundTrip(.suiteReady(SuitePlan(tests: [], processes: 1, subsuites: nil, shuffleSeed: nil)))
  }

  func testDatabasesEventsRoundTrip() throws {
    try roundTrip(.databasesReady(["default": "test_db", "replica": "test_replica"]))
    try roundTrip(.databasesDestroyed)
  }

  func testTestStartedRoundTrips() throws {
    try roundTrip(.testStarted(id: "setUpClass (a.b.C)", pid: 4242))
  }

  func testTestFinishedRoundTripsWithEveryField() throws {
    try roundTrip(.testFinished(try sampleReport()), t: 0.000123)
  }

  func testMinimalTestFinishedRoundTrips() throws {
    let problem = Problem(outcome: .fail, exception: "AssertionError", message: "no", tracebackText: "tb")
    try roundTrip(
      .testFinished(
        TestReport(
          id: "a.T.t", outcome: .fail, kind: .suiteError, pid: 3, duration: 2, message: "no", problems: [problem])))
  }

  func testInternalEventsAlsoRoundTrip() throws {
    try roundTrip(.hello(ProcessHello(pid: 5, ppid: 4, role: .leader, python: "3.11.9", protocol: 1)))
    try roundTrip(.workerReady(["default": "test_db_3", "other": "test_other_3"]))
    try roundTrip(.subsuiteStarted(index: 2))
    try roundTrip(.subsuiteFinished(index: 2, skipped: true))
    try roundTrip(.runnerFinished(failures: 4))
    try roundTrip(.parallelStopped(ParallelStop(reason: .stop, replayed: [0, 2])))
    try roundTrip(.parallelStopped(ParallelStop(reason: .error, replayed: [])))
    try roundTrip(.hookError(place: "sql capture", traceback: "Traceback…"))
    try roundTrip(.unknown("from_the_future"))
  }

  // MARK: shape of the encoded object

  func testEncodedObjectHasEventAndTime() throws {
    let json = try object(TimedEvent(t: 2.5, event: .testStarted(id: "a.T.t", pid: 8)))
    XCTAssertEqual(json["event"] as? String, "test_started")
    XCTAssertEqual((json["t"] as? NSNumber)?.doubleValue, 2.5)
    XCTAssertEqual(json["id"] as? String, "a.T.t")
    XCTAssertEqual((json["pid"] as? NSNumber)?.intValue, 8)
    XCTAssertEqual(Set(json.keys), ["event", "t", "id", "pid"])
  }

  func testEveryEncodedEventCarriesItsName() throws {
    let events: [RunEvent] = [
      .warning("w"), .databasesDestroyed, .testStarted(id: "x", pid: 1), .databasesReady([:]),
      .output(RunnerOutput(stream: .stdout, text: "o")),
    ]
    for event in events {
      let json = try object(TimedEvent(t: 0, event: event))
      XCTAssertEqual(json["event"] as? String, event.name)
      XCTAssertNotNil(json["t"], "\(event.name) has no t")
    }
  }

  func testTimeIsRoundedToMicroseconds() throws {
    let json = try object(TimedEvent(t: 1.23456789, event: .databasesDestroyed))
    XCTAssertEqual(try XCTUnwrap((json["t"] as? NSNumber)?.doubleValue), 1.234568, accuracy: 1e-12)
  }

  func testKeysAreWrittenSortedOnOneLine() throws {
    let text = String(decoding: try encode(TimedEvent(t: 1, event: .testStarted(id: "a", pid: 2))), as: UTF8.self)
    XCTAssertEqual(text, #"{"event":"test_started","id":"a","pid":2,"t":1}"#)
  }

  func testRunFinishedHasNullInterruptedAndAllSixCounts() throws {
    let summary = RunSummary(counts: [.pass: 3, .fail: 1], duration: 1, interrupted: nil, exitCode: 1, runnerStatus: 1)
    let json = try object(TimedEvent(t: 4, event: .runFinished(summary)))
    XCTAssertTrue(json.keys.contains("interrupted"), "interrupted must be present")
    XCTAssertTrue(
      json["interrupted"] is NSNull, "interrupted must be null, got \(String(describing: json["interrupted"]))")
    let counts = try XCTUnwrap(json["counts"] as? [String: Any])
    XCTAssertEqual(Set(counts.keys), Set(TestOutcome.allCases.map(\.rawValue)))
    XCTAssertEqual((counts["pass"] as? NSNumber)?.intValue, 3)
    XCTAssertEqual((counts["fail"] as? NSNumber)?.intValue, 1)
    for outcome in ["error", "skip", "xfail", "xpass"] {
      XCTAssertEqual((counts[outcome] as? NSNumber)?.intValue, 0, outcome)
    }
    XCTAssertEqual((json["exit_code"] as? NSNumber)?.intValue, 1)
    XCTAssertEqual((json["runner_status"] as? NSNumber)?.intValue, 1)
    XCTAssertNil(json["runner_signal"], "absent when the runner was not signalled")
    XCTAssertNil(json["problem"], "absent when there was no problem")
  }

  func testRunFinishedWritesTheInterruption() throws {
    let summary = RunSummary(counts: [:], duration: 1, interrupted: .hard, exitCode: 130, runnerSignal: 9)
    let json = try object(TimedEvent(t: 4, event: .runFinished(summary)))
    XCTAssertEqual(json["interrupted"] as? String, "hard")
    XCTAssertEqual((json["runner_signal"] as? NSNumber)?.intValue, 9)
    XCTAssertNil(json["runner_status"])
  }

  func testRunSummaryFillsMissingCountsWithZero() throws {
    let timed = try EventDecoder().decodeTimed(line: #"{"event":"run_finished","counts":{"pass":2},"t":1}"#.bytes).get()
    guard case .runFinished(let summary) = timed.event else { return XCTFail("got \(timed.event)") }
    XCTAssertEqual(summary.counts.count, 6)
    XCTAssertEqual(summary.counts[.pass], 2)
    XCTAssertEqual(summary.counts[.xpass], 0)
    XCTAssertEqual(summary.total, 2)
    XCTAssertNil(summary.interrupted)
  }

  func testRunSummaryFailedCountsFailuresAndErrors() {
    let summary = RunSummary(
      counts: [.fail: 2, .error: 3, .xpass: 7, .pass: 1], duration: 0, interrupted: nil, exitCode: 1)
    XCTAssertEqual(summary.failed, 5)
    XCTAssertEqual(summary.total, 13)
  }

  func testRunStartedWritesRandomShuffleAsNull() throws {
    let start = RunStart(labels: [], command: ["p"], directory: "/", python: "p", options: ["shuffle": .null])
    let json = try object(TimedEvent(t: 0, event: .runStarted(start)))
    let options = try XCTUnwrap(json["options"] as? [String: Any])
    XCTAssertTrue(options["shuffle"] is NSNull)
  }

  // MARK: isPublished

  func testInternalEventsAreNotPublished() {
    let internalEvents: [RunEvent] = [
      .hello(ProcessHello(pid: 1, ppid: 0, role: .worker, python: "3", protocol: 1)), .workerReady([:]),
      .subsuiteStarted(index: 0), .subsuiteFinished(index: 0, skipped: false), .runnerFinished(failures: 0),
      .parallelStopped(ParallelStop(reason: .stop, replayed: [])), .hookError(place: "x", traceback: ""),
      .unknown("x"),
    ]
    for event in internalEvents {
      XCTAssertFalse(event.isPublished, event.name)
    }
  }

  func testPublicEventsArePublished() throws {
    let published: [RunEvent] = [
      .runStarted(RunStart(labels: [], command: [], directory: "", python: "", options: [:])),
      .output(RunnerOutput(stream: .stdout, text: "")),
      .processLost(ProcessLoss(pid: 1, test: nil, reason: "", crashReport: nil)),
      .testsDiscarded(TestsDiscarded(tests: [], reason: "")), .warning(""),
      .runFinished(RunSummary(counts: [:], duration: 0, interrupted: nil, exitCode: 0)),
      .runnerStarted(RunnerInfo(pid: 1, django: "", runner: "", labels: [])), .suiteReady(SuitePlan(tests: [])),
      .databasesReady([:]), .databasesDestroyed, .testStarted(id: "", pid: 0), .testFinished(try sampleReport()),
      .wentCold(reason: ""),
    ]
    for event in published {
      XCTAssertTrue(event.isPublished, event.name)
    }
    XCTAssertEqual(
      published.map(\.name),
      [
        "run_started", "output", "process_lost", "tests_discarded", "warning", "run_finished", "runner_started",
        "suite_ready", "databases_ready", "databases_destroyed", "test_started", "test_finished", "went_cold",
      ])
  }

  func testEventLogWriterWritesOnlyPublishedEvents() throws {
    let folder = try TemporaryFolder()
    let path = folder.path + "/events.jsonl"
    do {
      let writer = try EventLogWriter(path: path)
      writer.write(TimedEvent(t: 0.5, event: .testStarted(id: "a.T.t", pid: 3)))
      writer.write(TimedEvent(t: 0.6, event: .workerReady(["default": "x"])))
      writer.write(TimedEvent(t: 0.7, event: .hookError(place: "x", traceback: "y")))
      writer.write(TimedEvent(t: 0.8, event: .databasesDestroyed))
    }
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(
      lines,
      [#"{"event":"test_started","id":"a.T.t","pid":3,"t":0.5}"#, #"{"event":"databases_destroyed","t":0.8}"#, ""])
  }
}
