import Dashboard
import XCTest

/// The Output tab's line count, shown in the tab bar on every frame.
final class OutputTests: XCTestCase {
  func testLineCountAgreesWithTheLinesShown() {
    let texts = [
      "", "a", "a\n", "a\nb", "a\nb\n", "\n", "\n\n", "a\r\nb", "a\r\n", "\r", "a\rb\n\n", "é\n日本\n", "x\u{301}\ny",
      "\r\r\n\n", String(repeating: "line\n", count: 1000),
    ]
    for text in texts {
      XCTAssertEqual(
        DetailDocument.outputLineCount(text), DetailDocument.outputLines(text).count, text.debugDescription)
    }
  }
}
