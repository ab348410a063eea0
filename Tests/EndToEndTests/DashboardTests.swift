import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// The real dashboard in a real terminal (tmux) on the demo project: every drill-down
/// reached by the documented keys, Ctrl-C, resizing, the editor and a clean exit.
final class DashboardEndToEndTests: XCTestCase {
  private var binary: String { TestPaths.binary }

  private func dashboard(
    _ arguments: [String], in project: String, width: Int = 120, height: Int = 40,
    environment: [String: String] = [:]
  ) throws -> TmuxSession {
    var env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": "true"]
    env.merge(environment) { $1 }
    return try TmuxSession([binary] + arguments, in: project, width: width, height: height, environment: env)
  }

  func testEveryDrillDownIsReachedByKeysAndQuitLeavesTheTerminalClean() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let (editor, editorLog) = try TestPaths.fakeEditor(in: project)
    let tmux = try dashboard(["--python", python], in: project, environment: ["EDITOR": editor])
    defer { tmux.close() }
    try tmux.waitFor("54/54", "failed", "✗ 5", "‼ 1")

    // The N+1 failure: traceback, then its SQL.
    try tmux.press("/")
    try tmux.type("list_query_count")
    try tmux.press("Enter", "n", "Enter")
    try tmux.waitFor("Traceback (most recent call last)", "AssertionError: 9 != 1", "catalog/tests/test_views.py:")
    try tmux.press("Tab")
    try tmux.waitFor("9 queries", "N+1: 8 ×", "catalog_category", "×8 similar")
    try leaveDetailAndFilter(tmux)

    // The mail failure: headers, text, the HTML alternative and the attachment.
    try tmux.press("/")
    try tmux.type("mail_subject")
    try tmux.press("Enter", "n", "Enter", "Tab", "Tab")
    try tmux.waitFor("1 message in the outbox", "Subject:", "Bcc:", "order-archive@cornershop.example", "text/html")
    try tmux.press("G")
    try tmux.waitFor("Attachments", "receipt-1.csv", "text/csv")
    try leaveDetailAndFilter(tmux)

    // The output failure: stdout and stderr, then the editor at the failing line.
    try tmux.press("/")
    try tmux.type("tracking_link")
    try tmux.press("Enter", "n", "Enter", "BTab")
    try tmux.waitFor("stdout · ", "Track your parcel", "stderr · 1 line", "warning: tracking links")
    try tmux.press("e")
    try tmux.waitFor("Output") { _ in FileManager.default.fileExists(atPath: editorLog) }
    let opened = try String(contentsOfFile: editorLog, encoding: .utf8)
    XCTAssertTrue(opened.hasPrefix("+"), opened)
    XCTAssertTrue(opened.hasSuffix("/notifications/tests.py\n"), opened)
    try tmux.waitFor("Track your parcel")

    // Help, then quit: the shell's screen comes back without a trace of the dashboard.
    try tmux.press("?")
    try tmux.waitFor("djdash keys", "run only the failed tests")
    try tmux.press("Escape", "q")
    let after = try tmux.waitFor("EXIT:0")
    XCTAssertFalse(after.contains("djdash"), after)
    XCTAssertFalse(after.contains("Traceback"), after)
  }

  /// Esc twice: back to the list, then the filter cleared; a check after each key.
  private func leaveDetailAndFilter(_ tmux: TmuxSession) throws {
    try tmux.press("Escape")
    try tmux.waitFor("the list") { $0.contains("j/k move") }
    try tmux.press("Escape")
    try tmux.waitFor("the filter cleared") { !$0.contains("filter:") }
  }

  func testCtrlCStopsARunGracefullyAndQuitsWhenIdle() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let tmux = try dashboard(
      ["crashy.test_slow", "--python", python], in: project, environment: ["SLOW_SECONDS": "1"])
    defer { tmux.close() }
    // The header names the test running longest: a test is running now.
    try tmux.waitFor("● test_")
    try tmux.press("C-c")
    try tmux.waitFor("interrupted", timeout: 10)
    let screen = try tmux.screen()
    XCTAssertTrue(screen.contains("✓ 1"), "the running test finished first:\n\(screen)")
    // `r` reruns; a second Ctrl-C stops at once.
    try tmux.press("r")
    try tmux.waitFor("● test_")
    try tmux.press("C-c", "C-c")
    try tmux.waitFor("interrupted", timeout: 10)
    try tmux.press("C-c")
    try tmux.waitFor("EXIT:0")
  }

  func testATinyTerminalGetsAMessageAndResizingRedraws() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let tmux = try dashboard(["--python", python], in: project, width: 100, height: 30)
    defer { tmux.close() }
    try tmux.waitFor("54/54")
    try tmux.resize(width: 24, height: 5)
    try tmux.waitFor("terminal too small")
    try tmux.resize(width: 60, height: 20)
    try tmux.waitFor("54/54", "catalog")
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }

  func testWithoutATerminalItRunsHeadless() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let result = try Shell.run([binary, "verdicts.tests.PlainUnittestTests", "--python", python], in: project)
    XCTAssertEqual(result.status, 0, result.output)
    XCTAssertTrue(result.stderr.contains("not a terminal: running headless"), result.stderr)
    XCTAssertTrue(result.stdout.contains(" passed, 0 failed"), result.stdout)
  }
}
