import XCTest

@testable import DjangoRunner

/// The history's pure parts: batching, flips, trend, sparkline, the failed selection.
final class HistoryLogicTests: XCTestCase {
  func testFlushPolicyWritesEveryBatchOrInterval() {
    var policy = FlushPolicy(interval: 0.5, batchSize: 3)
    XCTAssertEqual(policy.resultBuffered(at: 10.0), .flushBy(10.5))
    XCTAssertEqual(policy.resultBuffered(at: 10.1), .flushBy(10.5), "the deadline is the oldest result's")
    XCTAssertEqual(policy.resultBuffered(at: 10.2), .flushNow, "a full batch")
    policy.flushed()
    XCTAssertEqual(policy.pending, 0)
    XCTAssertEqual(policy.resultBuffered(at: 20.0), .flushBy(20.5))
    XCTAssertEqual(policy.resultBuffered(at: 20.6), .flushNow, "the oldest waited past the interval")
  }

  func testFlipNeedsTheSameFileAndAChangeOfFailing() {
    let passed = FlipRule.Verdict(failed: false, fingerprint: "1-10")
    let failed = FlipRule.Verdict(failed: true, fingerprint: "1-10")
    let failedAfterEdit = FlipRule.Verdict(failed: true, fingerprint: "2-11")
    XCTAssertTrue(FlipRule.isFlip(from: passed, to: failed))
    XCTAssertTrue(FlipRule.isFlip(from: failed, to: passed))
    XCTAssertFalse(FlipRule.isFlip(from: passed, to: failedAfterEdit), "the file changed: not a flip")
    XCTAssertFalse(FlipRule.isFlip(from: passed, to: passed))
    XCTAssertFalse(FlipRule.isFlip(from: nil, to: failed), "a first verdict")
    XCTAssertFalse(
      FlipRule.isFlip(from: FlipRule.Verdict(failed: false, fingerprint: nil), to: failed), "the file is unknown")
  }

  func testTrendHasADeadBand() {
    XCTAssertEqual(SlowTest(id: "t", durations: [1, 1, 1, 2]).trend, .slower)
    XCTAssertEqual(SlowTest(id: "t", durations: [2, 2, 2, 1]).trend, .faster)
    XCTAssertEqual(SlowTest(id: "t", durations: [1, 1.1, 0.95, 1.05]).trend, .steady)
    XCTAssertEqual(SlowTest(id: "t", durations: [0.001, 0.003]).trend, .steady, "milliseconds are noise")
    XCTAssertEqual(SlowTest(id: "t", durations: [3]).trend, .steady)
  }

  func testSparklineScalesFromZeroToTheMaximum() {
    XCTAssertEqual(Sparkline.unicode.render([0, 1, 2, 4, 8]), "▁▂▃▅█")
    XCTAssertEqual(Sparkline.unicode.render([0, 0]), "▁▁")
    XCTAssertEqual(Sparkline.ascii.render([1, 2]), "=#")
    XCTAssertEqual(Sparkline.unicode.render([]), "")
  }

  func testFailedSelectionKeepsFailuresInScopeAsLabels() {
    let records = [
      TestRecord(id: "shop.tests.A.test_ok", outcome: .pass, duration: 0, runID: 1),
      TestRecord(id: "shop.tests.A.test_bad", outcome: .fail, duration: 0, runID: 1),
      TestRecord(id: "setUpClass (shop.tests.B)", kind: .suiteError, outcome: .error, duration: 0, runID: 1),
      TestRecord(
        id: "unittest.loader._FailedTest.blog.tests", kind: .loadError, outcome: .error, duration: 0, runID: 1),
      TestRecord(id: "blog.tests.C.test_x", outcome: .error, duration: 0, runID: 2),
      TestRecord(id: "blog.tests.C.test_y", outcome: .xpass, duration: 0, runID: 2),
    ]
    XCTAssertEqual(
      FailedSelection(records: records, scope: []).labels,
      ["shop.tests.A.test_bad", "shop.tests.B", "blog.tests", "blog.tests.C.test_x", "blog.tests.C.test_y"])
    XCTAssertEqual(
      FailedSelection(records: records, scope: ["shop"]).labels, ["shop.tests.A.test_bad", "shop.tests.B"])
    XCTAssertTrue(FailedSelection(records: records, scope: ["accounts"]).isEmpty)
    XCTAssertEqual(FailedSelection(records: records, scope: ["./shop"]).labels.count, 5, "a path keeps every failure")
  }

  func testSummaryIsTheExceptionAndFirstLine() {
    var report = TestReport(id: "a.B.c", outcome: .fail, message: "1 != 2\nmore")
    report.exception = "AssertionError"
    XCTAssertEqual(TestRecord.summary(of: report), "AssertionError: 1 != 2")
    XCTAssertNil(TestRecord.summary(of: TestReport(id: "a.B.c", outcome: .pass)))
  }

  func testModuleFileIsTheLongestPrefixThatExists() throws {
    let folder = try TemporaryFolder()
    let module = try folder.write("shop/tests/test_cart.py", "x = 1\n")
    try folder.write("shop/__init__.py")
    XCTAssertEqual(FileFingerprint.moduleFile(of: "shop.tests.test_cart.CartTests.test_add", root: folder.path), module)
    XCTAssertEqual(
      FileFingerprint.moduleFile(of: "setUpClass (shop.tests.test_cart.CartTests)", root: folder.path), module)
    XCTAssertNil(FileFingerprint.moduleFile(of: "other.tests.T.t", root: folder.path))
    let before = try XCTUnwrap(FileFingerprint.of(path: module))
    try "x = 22\n".write(toFile: module, atomically: false, encoding: .utf8)
    XCTAssertNotEqual(FileFingerprint.of(path: module), before, "an edit changes the size")
  }
}
