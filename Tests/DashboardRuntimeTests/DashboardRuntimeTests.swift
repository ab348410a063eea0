import Dashboard
import DashboardRuntime
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// The dashboard's runtime through a memory terminal: keys, resizes, a real run's events,
/// the editor, a saved file and quitting, each followed by a check of the screen. What
/// needs a real terminal (curses, its keys' escape codes, the shell's screen after quitting)
/// is left to `DashboardEndToEndTests` in tmux.
final class DashboardRuntimeTests: XCTestCase {
  /// The `verdicts` app of the kitchen fixture, run to its end: ten tests, every verdict.
  private func finishedVerdicts(width: Int = 100, height: Int = 30) throws -> RuntimeHarness {
    let dash = try RuntimeHarness(["verdicts"], width: width, height: height)
    try dash.waitFor("10/10", "✓ 3  ✗ 1  ‼ 3")
    return dash
  }

  /// The text of the selected row of the last frame.
  private func selectedRow(_ dash: RuntimeHarness) -> String? {
    guard let frame = dash.terminal.lastFrame else { return nil }
    let row = (0..<frame.height).first { y in (0..<frame.width).contains { frame[$0, y].isSelected } }
    return row.map { frame.textLines[$0] }
  }

  /// Presses `key`, then turns the reactor until the selected row holds `text`.
  private func press(_ key: Key, selects text: String, in dash: RuntimeHarness, line: UInt = #line) throws {
    dash.terminal.press(key)
    try dash.waitFor("\(text) selected", line: line) { _ in selectedRow(dash)?.contains(text) == true }
  }

  func testKeysMoveBetweenFailuresOpenADetailAndShowTheHelp() throws {
    let dash = try finishedVerdicts()
    defer { dash.close() }
    try press(.character("n"), selects: "test_error", in: dash)
    try press(.character("n"), selects: "test_fail ", in: dash)
    try press(.character("n"), selects: "test_fail_then_cleanup_error", in: dash)
    try press(.character("N"), selects: "test_fail ", in: dash)
    try press(.character("j"), selects: "test_fail_then_cleanup_error", in: dash)
    try press(.up, selects: "test_fail ", in: dash)

    // The failure's detail: its traceback with the source around each project frame.
    dash.terminal.press(.enter)
    try dash.waitFor("AssertionError: 1 != 2 : one is not two", "verdicts/tests.py:15 in test_fail", "Esc back")
    dash.terminal.press(.tab)
    try dash.waitFor("the SQL tab") { $0.contains("SQL 0") && !$0.contains("Traceback (most recent call last)") }
    dash.terminal.press(.escape)
    try dash.waitFor("the list") { $0.contains("j/k move") && !$0.contains("Esc back") }
    XCTAssertEqual(selectedRow(dash)?.contains("test_fail "), true)

    // Help over the list, written from the key table; Esc closes it.
    dash.terminal.press(.character("?"))
    try dash.waitFor("djdash keys", "run only the failed tests", "open $EDITOR at the failing line")
    dash.terminal.press(.escape)
    try dash.waitFor("the help closed") { !$0.contains("djdash keys") }

    // Typing a filter narrows the list to what matches.
    dash.terminal.press(.character("/"))
    dash.terminal.type("xpass")
    try dash.waitFor("the filtered list") { $0.contains("test_xpass") && !$0.contains("test_plain_pass") }
    XCTAssertEqual(dash.terminal.misfitFrames, 0)
    XCTAssertEqual(dash.terminal.screen, dash.terminal.lastFrame, "the painted differences make the last frame")
  }

  func testARealRunStreamsIntoTheFramesAsItGoes() throws {
    let dash = try RuntimeHarness(["crashy.test_slow"], environment: ["SLOW_SECONDS": "0.4"])
    defer { dash.close() }
    var counts: Set<Int> = []
    var sawRunningTest = false
    try dash.waitFor("the run's end", timeout: 60) { screen in
      if screen.contains("● test_") { sawRunningTest = true }
      if let match = screen.firstMatch(of: #/(\d)/6 /#), let done = Int(match.1) { counts.insert(done) }
      return screen.contains("6/6") && screen.contains("passed")
    }
    XCTAssertTrue(sawRunningTest, "a frame named the test running")
    // Six tests of 0.4 s: frames in between showed the count rising.
    XCTAssertGreaterThanOrEqual(counts.intersection(1...5).count, 3, "counts seen: \(counts.sorted())")
    XCTAssertTrue(dash.terminal.text.contains("✓ 6"), dash.terminal.text)
  }

  func testATerminalWithoutUnicodeGetsDjangosLetters() throws {
    let dash = try RuntimeHarness(["verdicts"], isUnicode: false)
    defer { dash.close() }
    try dash.waitFor("10/10", ". 3  F 1  E 3  s 1  x 1  u 1", "E test_error")
    XCTAssertFalse(dash.terminal.text.unicodeScalars.contains { !$0.isASCII }, dash.terminal.text)
  }

  func testEveryFrameFitsTheTerminalFromTinyToLarge() throws {
    let dash = try finishedVerdicts()
    defer { dash.close() }
    try dash.resize(width: 24, height: 5)
    try dash.waitFor("terminal too small")

    try dash.resize(width: 250, height: 80)
    try dash.waitFor("10/10", "test_plain_pass")
    XCTAssertTrue(dash.terminal.lines.allSatisfy { TextWidth.of($0) == 250 })
    // The bottom row is the footer, at the new bottom.
    XCTAssertTrue(dash.terminal.lines[79].contains("q quit"), dash.terminal.text)

    try dash.resize(width: 60, height: 20)
    try dash.waitFor("10/10", "VerdictTests")
    XCTAssertTrue(dash.terminal.lines.allSatisfy { TextWidth.of($0) == 60 })
    XCTAssertEqual(dash.terminal.misfitFrames, 0)
    XCTAssertEqual(dash.terminal.screen, dash.terminal.lastFrame)
  }

  func testAMoveRepaintsOnlyTheRowsThatChangedAndAnIdleScreenNothing() throws {
    let dash = try finishedVerdicts()
    defer { dash.close() }
    try press(.character("n"), selects: "test_error", in: dash)
    dash.idle(0.3)
    let cells = dash.terminal.paintedCells
    dash.idle(0.5)
    XCTAssertEqual(dash.terminal.paintedCells, cells, "nothing changed, nothing painted")

    try press(.character("j"), selects: "test_fail ", in: dash)
    let painted = dash.terminal.paintedCells - cells
    // The row left and the row selected; never the whole 100 × 30 screen.
    XCTAssertGreaterThan(painted, 0)
    XCTAssertLessThanOrEqual(painted, 2 * 100, "cells painted for one move: \(painted)")
    XCTAssertEqual(dash.terminal.screen, dash.terminal.lastFrame)
  }

  func testQuitWhenIdleEndsTheRuntimeAtOnce() throws {
    let dash = try finishedVerdicts()
    defer { dash.close() }
    dash.terminal.press(.character("q"))
    let took = try dash.waitUntilQuit()
    XCTAssertLessThan(took, 1, "no run to stop: nothing to wait for")
    XCTAssertFalse(dash.app.isRunning)
  }

  func testQuitDuringARunStopsItGracefullyFirst() throws {
    // Six tests of a second each: quitting waits for the running one, not the rest.
    let dash = try RuntimeHarness(["crashy.test_slow"], environment: ["SLOW_SECONDS": "1"])
    defer { dash.close() }
    try dash.waitFor("● test_")
    dash.terminal.press(.character("q"))
    try dash.waitFor("ending the run, then quitting", "stopping…")
    let took = try dash.waitUntilQuit()
    XCTAssertLessThan(took, 4, "quit waited for the whole run")
    XCTAssertFalse(dash.terminal.text.contains("6/6"), dash.terminal.text)
  }

  func testCtrlCStopsTheRunAndAnotherCtrlCQuits() throws {
    let dash = try RuntimeHarness(["crashy.test_slow"], environment: ["SLOW_SECONDS": "1"])
    defer { dash.close() }
    try dash.waitFor("● test_")
    dash.terminal.press(.interrupt)
    try dash.waitFor("interrupted", timeout: 10)
    XCTAssertTrue(dash.app.isRunning)
    dash.terminal.press(.interrupt)
    try dash.waitUntilQuit(timeout: 5)
  }

  func testSIGTERMStopsTheRunAtOnceAndQuits() throws {
    let dash = try RuntimeHarness(["crashy.test_slow"], environment: ["SLOW_SECONDS": "5"])
    defer { dash.close() }
    try dash.waitFor("● test_")
    dash.app.signalled(SIGTERM)
    // Not the graceful stop: the running five-second test is not waited for.
    XCTAssertLessThan(try dash.waitUntilQuit(timeout: 10), 3)
  }

  func testTheEditorBorrowsTheTerminalAndTheDetailComesBack() throws {
    let folder = try TestPaths.temporaryFolder()
    let (editor, log) = try TestPaths.fakeEditor(in: folder)
    let dash = try RuntimeHarness(["verdicts"], environment: ["EDITOR": editor])
    defer { dash.close() }
    try dash.waitFor("10/10", "✓ 3  ✗ 1  ‼ 3")
    try press(.character("n"), selects: "test_error", in: dash)
    try press(.character("n"), selects: "test_fail ", in: dash)
    dash.terminal.press(.enter)
    try dash.waitFor("AssertionError: 1 != 2")
    let frames = dash.terminal.frameCount
    dash.terminal.press(.character("e"))
    try dash.waitFor("the editor's end") { _ in
      FileManager.default.fileExists(atPath: log) && !dash.terminal.isSuspended && dash.terminal.frameCount > frames
    }
    let opened = try String(contentsOfFile: log, encoding: .utf8)
    XCTAssertEqual(opened, "+15 \(dash.project)/verdicts/tests.py\n")
    try dash.waitFor("AssertionError: 1 != 2", "Esc back")
    XCTAssertEqual(dash.terminal.strayFrames, 0, "nothing painted while the editor had the terminal")
    XCTAssertEqual(dash.terminal.screen, dash.terminal.lastFrame)
  }

  func testASaveInWatchModeRunsWhatItAffects() throws {
    let dash = try RuntimeHarness(["verdicts"], watch: true)
    defer { dash.close() }
    try dash.waitFor("10/10", "✓ 3  ✗ 1  ‼ 3")
    // The fix of test_fail, saved as an editor saves: the module's tests run again.
    let file = dash.project + "/verdicts/tests.py"
    let source = try String(contentsOfFile: file, encoding: .utf8)
    try TestPaths.saveLikeAnEditor(
      source.replacingOccurrences(of: "self.assertEqual(1, 2, \"one is not two\")", with: "self.assertEqual(1, 1)"),
      to: file)
    try dash.waitFor("saved verdicts/tests.py → verdicts")
    // The rerun's end: test_fail passes now, the others' verdicts are as before.
    try dash.waitFor("10/10", "✓ 4  ✗ 0  ‼ 3", timeout: 90)
    XCTAssertFalse(dash.terminal.text.contains("one is not two"), dash.terminal.text)
  }
}
