import TestSupport
import XCTest

/// The Python hook's own tests (Tests/HookTests), on every supported Django version.
final class HookSelfTests: XCTestCase {
  func testHookUnitTestsPassOnEveryDjangoVersion() throws {
    for version in DjangoVersion.supported {
      var environment = ProcessInfo.processInfo.environment
      environment["PYTHONPATH"] = TestPaths.hook
      environment["PYTHONDONTWRITEBYTECODE"] = "1"
      environment["DJDASH_SOCKET"] = nil
      let result = try Shell.run(
        [try version.python(), "-m", "unittest", "-v", "test_djdash_hook"],
        in: TestPaths.packageRoot + "/Tests/HookTests", environment: environment)
      XCTAssertEqual(result.status, 0, "Django \(version.rawValue):\n\(result.output)")
      XCTAssertTrue(result.output.contains("OK"), result.output)
    }
  }
}
