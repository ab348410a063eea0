import Dashboard
import DjangoRunner
import XCTest

/// The ASCII screen: what the terminal paints when the locale cannot show Unicode.
final class GlyphsTests: XCTestCase {
  func testASCIIFallbackKeepsColumnsAndUsesLookalikes() {
    XCTAssertEqual(Glyphs.asciiFallback("a"), "a")
    XCTAssertEqual(Glyphs.asciiFallback(""), "")
    XCTAssertEqual(Glyphs.asciiFallback("·"), "-")
    XCTAssertEqual(Glyphs.asciiFallback("×"), "x")
    XCTAssertEqual(Glyphs.asciiFallback("“"), "\"")
    // A wide character keeps its two columns, so the rest of the line stays in place.
    XCTAssertEqual(Glyphs.asciiFallback("日"), "??")
    XCTAssertEqual(Glyphs.asciiFallback("é"), "?")
  }

  /// Every screen of the demo in ASCII, painted through the fallback: no `?` that the
  /// screen's own text did not have (the views' separators, arrows, quotes and cursor
  /// all have look-alikes).
  func testEveryASCIIScreenPaintsWithoutQuestionMarks() throws {
    func painted(_ state: DashboardState) -> (shown: String, painted: String) {
      var state = state
      state.layoutIfNeeded()
      let buffer = DashboardView.render(state)
      var shown = ""
      var painted = ""
      for y in 0..<buffer.height {
        for x in 0..<buffer.width {
          shown += buffer[x, y].text
          painted += Glyphs.asciiFallback(buffer[x, y].text)
        }
        shown += "\n"
        painted += "\n"
      }
      return (shown, painted)
    }
    func check(_ state: DashboardState, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
      let screen = painted(state)
      XCTAssertEqual(
        screen.painted.filter { $0 == "?" }.count, screen.shown.filter { $0 == "?" }.count,
        "\(name):\n\(screen.painted)", file: file, line: line)
    }
    let base = try Recording.demoState(width: 100, height: 40, glyphs: .ascii)
    check(base, "list")
    var state = base
    Recording.apply([.key(.character("/"))] + "zz".map { .key(.character($0)) }, to: &state)
    check(state, "filter prompt with no match")
    for (filter, tabs) in [("list_query_count", 1), ("mail_subject", 2), ("tracking_link", 3), ("empty_order", 0)] {
      state = base
      Recording.apply([.key(.character("/"))] + filter.map { .key(.character($0)) } + [.key(.enter)], to: &state)
      Recording.apply(Recording.keys(.character("n"), .enter), to: &state)
      for _ in 0..<tabs { Recording.apply(Recording.keys(.tab), to: &state) }
      check(state, "detail of \(filter)")
    }
    state = base
    Recording.apply(Recording.keys(.character("?")), to: &state)
    check(state, "help")
    state = try Recording.demoState(width: 100, height: 40, limit: 20, glyphs: .ascii)
    Recording.apply(Recording.keys(.interrupt), to: &state)
    check(state, "stopping")
    check(try Recording.demoState(width: 24, height: 5, glyphs: .ascii), "too small")
  }
}
