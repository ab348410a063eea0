import Dashboard
import XCTest

/// The buffer diff every terminal backend paints: which cells change, joined into runs,
/// with wide characters (CJK, emoji) always painted whole.
final class BufferDiffTests: XCTestCase {
  private typealias Run = BufferDiff.Run

  private func buffer(_ lines: String..., width: Int = 12) -> CellBuffer {
    var buffer = CellBuffer(width: width, height: lines.count)
    for (y, line) in lines.enumerated() { buffer.write(line, x: 0, y: y) }
    return buffer
  }

  func testTheFirstFrameIsAFullRepaintOfEveryRow() {
    let new = buffer("abc", "def", width: 5)
    let diff = BufferDiff(from: nil, to: new)
    XCTAssertTrue(diff.isFullRepaint)
    XCTAssertEqual(diff.runs, [Run(row: 0, columns: 0..<5), Run(row: 1, columns: 0..<5)])
    XCTAssertEqual(diff.cellCount, 10)
  }

  func testAnIdenticalFramePaintsNothing() {
    let frame = buffer("テスト ✓ ok", "🙂 done")
    let diff = BufferDiff(from: frame, to: frame)
    XCTAssertFalse(diff.isFullRepaint)
    XCTAssertTrue(diff.isEmpty)
    XCTAssertEqual(diff.runs, [])
  }

  func testAResizedFrameRepaintsEverything() {
    let old = buffer("abc", "def", width: 6)
    let wider = buffer("abc", "def", width: 7)
    let taller = buffer("abc", "def", "", width: 6)
    XCTAssertTrue(BufferDiff(from: old, to: wider).isFullRepaint)
    XCTAssertEqual(BufferDiff(from: old, to: wider).cellCount, 14)
    XCTAssertTrue(BufferDiff(from: old, to: taller).isFullRepaint)
    XCTAssertEqual(BufferDiff(from: old, to: taller).runs.map(\.row), [0, 1, 2])
  }

  func testOnlyTheChangedCellsOfAChangedRowArePainted() {
    let old = buffer("12/40 passed", "unchanged")
    let new = buffer("13/40 passed", "unchanged")
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 0, columns: 1..<2)])
  }

  func testChangesAFewCellsApartShareARunAndFarApartOnesDoNot() {
    let old = buffer("a.....b.c...")
    // Two unchanged cells between b and c: one run; five between a and b: two runs.
    let new = buffer("A.....B.C...")
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 0, columns: 0..<1), Run(row: 0, columns: 6..<9)])
    XCTAssertEqual(BufferDiff(from: old, to: new, joinedGap: 5).runs, [Run(row: 0, columns: 0..<9)])
    XCTAssertEqual(
      BufferDiff(from: old, to: new, joinedGap: 0).runs,
      [Run(row: 0, columns: 0..<1), Run(row: 0, columns: 6..<7), Run(row: 0, columns: 8..<9)])
  }

  func testAStyleOnlyChangeIsPainted() {
    let old = buffer("row one", "row two")
    var new = old
    new[4, 1] = Cell(text: "t", role: .failure)
    new[5, 1] = Cell(text: "w", bold: true)
    new[6, 1] = Cell(text: "o", selected: true)
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 1, columns: 4..<7)])
  }

  func testAChangedSecondHalfRepaintsFromTheFirstHalf() {
    // "テ" takes columns 0 and 1; only its second half changes style.
    let old = buffer("テスト")
    var new = old
    new[1, 0] = Cell(text: "", selected: true)
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 0, columns: 0..<2)])
  }

  func testAChangedFirstHalfTakesItsSecondHalf() {
    let old = buffer("ab🙂cd")
    let new = buffer("ab😀cd")
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 0, columns: 2..<4)])
  }

  func testAWideCharacterReplacedByNarrowOnesIsPaintedWhole() {
    // Old: "字" in columns 3–4. New: "xy" there, and the reverse.
    let wide = buffer("abc字ef")
    let narrow = buffer("abcxyef")
    XCTAssertEqual(BufferDiff(from: wide, to: narrow).runs, [Run(row: 0, columns: 3..<5)])
    XCTAssertEqual(BufferDiff(from: narrow, to: wide).runs, [Run(row: 0, columns: 3..<5)])
  }

  func testAWideCharacterShiftedByOneColumnRepaintsBothOfItsPlaces() {
    // "中" moves from columns 1–2 to 2–3: the old one must be overwritten whole too.
    let old = buffer("a中bcd")
    let new = buffer("aa中cd")
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 0, columns: 1..<4)])
  }

  func testAnOldSecondHalfOverwrittenRepaintsTheCellBeforeIt() {
    // The old frame's second half at column 2 is overwritten: a terminal blanks the
    // whole old character, so column 1 is painted again even though it did not change.
    var old = buffer("ab", width: 4)
    old[1, 0] = Cell(text: "中")
    old[2, 0] = Cell(text: "")
    var new = old
    new[2, 0] = Cell(text: "x")
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 0, columns: 1..<3)])
  }

  func testWidenedRunsThatTouchAreMerged() {
    // Changes at column 5 and at column 7, the second half of "字": one cell apart, so
    // two runs without joining, until the second one widens to column 6 and touches.
    let old = buffer("a....b字..")
    var new = old
    new[5, 0] = Cell(text: "B")
    new[7, 0] = Cell(text: "", role: .failure)
    XCTAssertEqual(BufferDiff(from: old, to: new, joinedGap: 0).runs, [Run(row: 0, columns: 5..<8)])
    XCTAssertEqual(BufferDiff(from: old, to: new).runs, [Run(row: 0, columns: 5..<8)])
  }

  func testPaintingTheDiffOverTheOldFrameGivesTheNewOne() {
    let frames = [
      buffer("テスト 12/40", "🙂 running", "", width: 14),
      buffer("テスト 13/40", "✗ failed", "日本語", width: 14),
      buffer("テスト 13/40", "✗ failed", "日本語", width: 14),
      buffer("a テスト", "", "x日本", width: 14),
      buffer("narrow now", "", "", "", width: 10),
    ]
    var painted: CellBuffer?
    var screen = CellBuffer(width: 0, height: 0)
    for frame in frames {
      // A new size is a new, blank screen, as after a resize.
      if screen.width != frame.width || screen.height != frame.height {
        screen = CellBuffer(width: frame.width, height: frame.height)
      }
      screen = screen.painting(BufferDiff(from: painted, to: frame), from: frame)
      painted = frame
      XCTAssertEqual(screen, frame)
    }
  }

  func testPaintingIsCutOffAtTheScreensEdge() {
    let frame = buffer("abcdef", "ghijkl", "mnopqr", width: 6)
    let screen = CellBuffer(width: 4, height: 2).painting(BufferDiff(from: nil, to: frame), from: frame)
    XCTAssertEqual(screen.textLines, ["abcd", "ghij"])
  }
}
