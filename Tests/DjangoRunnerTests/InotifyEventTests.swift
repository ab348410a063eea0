import XCTest

@testable import DjangoRunner

#if canImport(Glibc)
  import Glibc
#endif

final class InotifyEventTests: XCTestCase {
  func testParsesRecordsWithPaddedNames() {
    var bytes: [UInt8] = []
    func append(_ watch: Int32, _ mask: UInt32, _ name: String, padded: Int) {
      withUnsafeBytes(of: watch) { bytes += $0 }
      withUnsafeBytes(of: mask) { bytes += $0 }
      withUnsafeBytes(of: UInt32(0)) { bytes += $0 }
      withUnsafeBytes(of: UInt32(padded)) { bytes += $0 }
      bytes += Array(name.utf8) + [UInt8](repeating: 0, count: padded - name.utf8.count)
    }
    append(1, UInt32(IN_CLOSE_WRITE), "models.py", padded: 16)
    append(2, UInt32(IN_DELETE_SELF), "", padded: 0)
    bytes += [1, 2, 3]
    let events = bytes.withUnsafeBytes { InotifyEvent.parse($0) }
    XCTAssertEqual(
      events,
      [
        InotifyEvent(watch: 1, mask: UInt32(IN_CLOSE_WRITE), cookie: 0, name: "models.py"),
        InotifyEvent(watch: 2, mask: UInt32(IN_DELETE_SELF), cookie: 0, name: ""),
      ])
  }
}
