import Foundation
import XCTest

@testable import DjangoRunner

/// The text a warm runner keeps of each refreshable loaded file: only while the file's
/// stamp is the one the server saw when it read it, so a save between the server's
/// import and `warm_ready` is never taken for the loaded text.
final class WarmRunnerTextsTests: XCTestCase {
  func testAFileKeepsItsTextOnlyWhileItsStampIsTheServers() throws {
    let folder = try TemporaryFolder()
    try folder.write("shop/models.py", "def label():\n    return 1\n")
    try folder.write("shop/apps.py", "def ready():\n    return 2\n")
    let models = try XCTUnwrap(WarmRunner.stamp(of: folder.path + "/shop/models.py"))
    let apps = try XCTUnwrap(WarmRunner.stamp(of: folder.path + "/shop/apps.py"))
    XCTAssertEqual(models[1], 26)  // the size
    // apps.py was saved after the server read it: its stamp is no longer the server's.
    let texts = WarmRunner.texts(
      of: ["shop/models.py": models, "shop/apps.py": [apps[0] - 1, apps[1]], "shop/gone.py": [1, 2]],
      root: folder.path)
    XCTAssertEqual(texts, ["shop/models.py": "def label():\n    return 1\n"])
    XCTAssertEqual(WarmRunner.texts(of: ["shop/models.py": models], root: folder.path + "/").count, 1)
  }
}
