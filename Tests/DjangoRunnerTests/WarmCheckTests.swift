import DjangoRunner
import XCTest

/// The comparison behind --warm-check: every test whose verdict differs, and nothing else.
final class WarmCheckTests: XCTestCase {
  func testAgreeingRunsHaveNoDifferences() {
    let reports = [TestReport(id: "a.T.test_1", outcome: .pass), TestReport(id: "a.T.test_2", outcome: .fail)]
    XCTAssertEqual(WarmCheck.differences(warm: reports, cold: reports.reversed()), [])
  }

  func testEachDifferentVerdictAndEachTestOnlyOneRanIsNamed() {
    let warm = [
      TestReport(id: "a.T.test_1", outcome: .pass), TestReport(id: "a.T.test_2", outcome: .pass),
      TestReport(id: "a.T.test_3", outcome: .skip),
    ]
    let cold = [
      TestReport(id: "a.T.test_1", outcome: .pass), TestReport(id: "a.T.test_2", outcome: .error),
      TestReport(id: "a.T.test_4", outcome: .fail),
    ]
    XCTAssertEqual(
      WarmCheck.differences(warm: warm, cold: cold),
      [
        "a.T.test_2: pass warm, error cold", "a.T.test_3: skip warm, not run cold",
        "a.T.test_4: not run warm, fail cold",
      ])
  }
}
