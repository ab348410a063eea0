import XCTest

@testable import DjangoRunner

final class RunTallyTests: XCTestCase {
  private func tally(_ reports: [(String, TestOutcome)]) -> RunTally {
    var tally = RunTally()
    for (id, outcome) in reports { tally.record(TestReport(id: id, outcome: outcome)) }
    return tally
  }

  func testCountsEveryOutcome() {
    let tally = tally([
      ("a.T.p1", .pass), ("a.T.p2", .pass), ("a.T.f", .fail), ("a.T.e", .error), ("a.T.s", .skip), ("a.T.xf", .xfail),
      ("a.T.xp", .xpass),
    ])
    XCTAssertEqual(tally.counts[.pass], 2)
    XCTAssertEqual(tally.counts[.fail], 1)
    XCTAssertEqual(tally.counts[.error], 1)
    XCTAssertEqual(tally.counts[.skip], 1)
    XCTAssertEqual(tally.counts[.xfail], 1)
    XCTAssertEqual(tally.counts[.xpass], 1)
    XCTAssertEqual(tally.reports.map(\.id), ["a.T.p1", "a.T.p2", "a.T.f", "a.T.e", "a.T.s", "a.T.xf", "a.T.xp"])
  }

  func testEmptyTallyHasNoFailures() {
    let tally = RunTally()
    XCTAssertEqual(tally.reports, [])
    XCTAssertFalse(tally.hasFailures)
    XCTAssertEqual(tally.failures, [])
  }

  func testDiscardForgetsAResultAndItsCount() {
    var tally = tally([("a.T.p1", .pass), ("a.T.f", .fail), ("a.T.p2", .pass), ("a.T.p3", .pass)])
    tally.discard("a.T.f")
    tally.discard("a.T.p2")
    XCTAssertEqual(tally.reports.map(\.id), ["a.T.p1", "a.T.p3"])
    XCTAssertEqual(tally.counts[.pass], 2)
    XCTAssertEqual(tally.counts[.fail], 0)
    XCTAssertFalse(tally.hasFailures)
    XCTAssertNil(tally.report(for: "a.T.f"))
    XCTAssertEqual(tally.report(for: "a.T.p3")?.id, "a.T.p3", "later results are still found")
    tally.discard("a.T.never")
    XCTAssertEqual(tally.reports.count, 2, "a test without a result: nothing to forget")
    tally.record(TestReport(id: "a.T.f", outcome: .error))
    XCTAssertEqual(tally.reports.map(\.id), ["a.T.p1", "a.T.p3", "a.T.f"])
    XCTAssertEqual(tally.counts[.error], 1)
  }

  func testSecondReportWithTheSameIdReplacesTheFirst() {
    var tally = tally([("a.T.t1", .pass), ("a.T.t2", .pass)])
    tally.record(TestReport(id: "a.T.t1", outcome: .error, message: "ProcessLost"))
    XCTAssertEqual(tally.reports.count, 2)
    XCTAssertEqual(tally.reports.map(\.id), ["a.T.t1", "a.T.t2"], "the replacement keeps its place")
    XCTAssertEqual(tally.report(for: "a.T.t1")?.outcome, .error)
    XCTAssertEqual(tally.report(for: "a.T.t1")?.message, "ProcessLost")
    XCTAssertEqual(tally.counts[.pass], 1)
    XCTAssertEqual(tally.counts[.error], 1)
    XCTAssertEqual(tally.counts.values.reduce(0, +), 2)
  }

  func testReplacingWithTheSameOutcomeKeepsTheCount() {
    var tally = tally([("a.T.t1", .fail)])
    tally.record(TestReport(id: "a.T.t1", outcome: .fail, message: "second"))
    XCTAssertEqual(tally.counts[.fail], 1)
    XCTAssertEqual(tally.report(for: "a.T.t1")?.message, "second")
  }

  func testReplacingAFailureWithAPassClearsHasFailures() {
    var tally = tally([("a.T.t1", .fail)])
    XCTAssertTrue(tally.hasFailures)
    tally.record(TestReport(id: "a.T.t1", outcome: .pass))
    XCTAssertFalse(tally.hasFailures)
    XCTAssertEqual(tally.failures, [])
  }

  func testReportForUnknownIdIsNil() {
    XCTAssertNil(tally([("a.T.t1", .pass)]).report(for: "a.T.t2"))
  }

  func testFailuresKeepTheOrderTheyFinishedIn() {
    let tally = tally([
      ("a.T.e", .error), ("a.T.p", .pass), ("a.T.xp", .xpass), ("a.T.s", .skip), ("a.T.f", .fail), ("a.T.xf", .xfail),
    ])
    XCTAssertEqual(tally.failures.map(\.id), ["a.T.e", "a.T.xp", "a.T.f"])
  }

  func testUnexpectedSuccessFailsTheRun() {
    XCTAssertTrue(tally([("a.T.p", .pass), ("a.T.xp", .xpass)]).hasFailures)
  }

  func testExpectedFailuresAndSkipsDoNotFailTheRun() {
    XCTAssertFalse(tally([("a.T.p", .pass), ("a.T.xf", .xfail), ("a.T.s", .skip)]).hasFailures)
  }

  func testErrorAndFailFailTheRun() {
    XCTAssertTrue(tally([("a.T.e", .error)]).hasFailures)
    XCTAssertTrue(tally([("a.T.f", .fail)]).hasFailures)
  }

  func testOutcomeSeverityOrder() {
    XCTAssertEqual(TestOutcome.allCases.sorted(), [.pass, .skip, .xfail, .xpass, .fail, .error])
    XCTAssertEqual([TestOutcome.fail, .error, .skip].max(), .error)
    XCTAssertEqual(TestOutcome.allCases.filter(\.failsTheRun), [.xpass, .fail, .error])
  }
}
