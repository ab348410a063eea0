import Dashboard
import XCTest

final class CellBufferTests: XCTestCase {
  func testWideCharactersTakeTwoColumnsAndLineUp() {
    var buffer = CellBuffer(width: 12, height: 2)
    buffer.write("テスト ok", x: 0, y: 0)
    buffer.write("abcdef ok", x: 0, y: 1)
    XCTAssertEqual(buffer.textLines, ["テスト ok   ", "abcdef ok   "])
    XCTAssertEqual(TextWidth.of("テスト"), 6)
    XCTAssertEqual(TextWidth.of("e\u{301}"), 1)
  }

  func testAWideCharacterThatDoesNotFitBecomesASpace() {
    var buffer = CellBuffer(width: 5, height: 1)
    let end = buffer.write("abcd字", x: 0, y: 0)
    XCTAssertEqual(buffer.textLines, ["abcd "])
    XCTAssertEqual(end, 5)
  }

  func testControlCharactersNeverReachTheScreen() {
    var buffer = CellBuffer(width: 10, height: 1)
    buffer.write("a\u{1b}[31mb", x: 0, y: 0)
    XCTAssertEqual(buffer.textLines, ["a?[31mb   "])
  }

  func testWrappingKeepsStylesAndIndents() {
    let line = StyledLine([Span("abc ", .muted), Span("defghij", .failure)])
    let wrapped = line.wrapped(to: 6, indent: 2)
    XCTAssertEqual(wrapped.map(\.plainText), ["abc de", "  fghi", "  j"])
    XCTAssertEqual(wrapped[1].spans.last?.role, .failure)
    XCTAssertEqual(StyledLine("a\tb").wrapped(to: 20).map(\.plainText), ["a       b"])
  }

  func testTruncationMarksWhatWasCut() {
    XCTAssertEqual("abcdef".truncated(to: 4), "abc…")
    XCTAssertEqual("abc".truncated(to: 4), "abc")
  }

  func testSnapshotsShowRolesAndTheSelection() {
    var buffer = CellBuffer(width: 4, height: 1)
    buffer.write("ok", x: 0, y: 0, role: .success, selected: true)
    XCTAssertEqual(buffer.snapshot, "ok  \nSStt\n")
  }
}
