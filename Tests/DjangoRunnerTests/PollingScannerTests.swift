import Foundation
import XCTest

@testable import DjangoRunner

#if canImport(Glibc)
  import Glibc
#endif

final class PollingScannerTests: XCTestCase {
  func testChangesAreCreatedChangedAndDeletedPaths() {
    let stamp = PollingScanner.Stamp(modified: 1, size: 10, inode: 7)
    var touched = stamp
    touched.modified = 2
    var replaced = stamp
    replaced.inode = 8
    let old = ["same.py": stamp, "touched.py": stamp, "replaced.py": stamp, "deleted.py": stamp]
    let new = ["same.py": stamp, "touched.py": touched, "replaced.py": replaced, "created.py": stamp]
    XCTAssertEqual(
      PollingScanner.changes(from: old, to: new), ["created.py", "deleted.py", "replaced.py", "touched.py"])
  }

  func testScansTheTreeButNotIgnoredFolders() throws {
    let project = try TemporaryFolder()
    try project.write("polls/models.py", "a")
    try project.write("polls/__pycache__/models.pyc", "b")
    try project.write("venv/pyvenv.cfg", "")
    var scanner = PollingScanner(root: project.path, ignore: IgnoreRules(root: project.path))
    XCTAssertEqual(scanner.snapshot.keys.sorted(), ["polls/models.py"])
    XCTAssertEqual(scanner.scan(), [])
    try "longer".write(toFile: project.path + "/polls/models.py", atomically: false, encoding: .utf8)
    XCTAssertEqual(scanner.scan(), ["polls/models.py"])
  }
}
