import XCTest

@testable import DjangoRunner

/// The hook's pending file: lines it held for its next send, read when a process dies.
final class PendingFileTests: XCTestCase {
  private func pendingFile(base: Int, lines: String, in folder: TemporaryFolder) throws -> String {
    let held = Array(lines.utf8)
    let header = String(format: "%020d %010d\n", base, held.count + 64)
    // The hook's file is larger than what it holds (a fixed mapping); the rest is zeros.
    let bytes = Array(header.utf8) + held + [UInt8](repeating: 0, count: 64)
    let path = folder.path + "/pending-42"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  func testWhatWasNotReceivedIsReturned() throws {
    let folder = try TemporaryFolder()
    let lines = "{\"event\":\"a\"}\n{\"event\":\"b\"}\n"
    let path = try pendingFile(base: 100, lines: lines, in: folder)
    XCTAssertEqual(EventChannel.unsentBytes(inPendingFile: path, received: 100), Array(lines.utf8))
    XCTAssertEqual(
      EventChannel.unsentBytes(inPendingFile: path, received: 100 + 14), Array("{\"event\":\"b\"}\n".utf8),
      "a send cut short: only the rest")
  }

  func testNothingWhenEverythingArrivedOrThereIsNoFile() throws {
    let folder = try TemporaryFolder()
    let path = try pendingFile(base: 100, lines: "{\"event\":\"a\"}\n", in: folder)
    XCTAssertEqual(EventChannel.unsentBytes(inPendingFile: path, received: 114), [])
    XCTAssertEqual(EventChannel.unsentBytes(inPendingFile: path, received: 50), [], "inconsistent: not trusted")
    XCTAssertEqual(EventChannel.unsentBytes(inPendingFile: folder.path + "/pending-7", received: 0), [])
    let empty = try pendingFile(base: 100, lines: "", in: folder)
    XCTAssertEqual(EventChannel.unsentBytes(inPendingFile: empty, received: 100), [])
  }

  func testALineCutShortByTheProcessDyingIsNotTaken() throws {
    let folder = try TemporaryFolder()
    let path = try pendingFile(base: 0, lines: "{\"event\":\"a\"}\n{\"event\":\"b", in: folder)
    XCTAssertEqual(EventChannel.unsentBytes(inPendingFile: path, received: 0), Array("{\"event\":\"a\"}\n".utf8))
    let none = try pendingFile(base: 0, lines: "{\"event\":", in: folder)
    XCTAssertEqual(EventChannel.unsentBytes(inPendingFile: none, received: 0), [])
  }
}
