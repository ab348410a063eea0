import Dashboard
import DjangoRunner
import XCTest

/// Every view, rendered headlessly from the recorded demo run and compared with its
/// snapshot (text plus role letters; see `CellBuffer.snapshot`).
final class SnapshotTests: XCTestCase {
  func render(_ state: DashboardState) -> CellBuffer {
    var state = state
    state.layoutIfNeeded()
    return DashboardView.render(state)
  }

  func testListWhileRunning() throws {
    // Half-way: some results in, a test running, the rest pending.
    let events = try Recording.events("demo-run")
    let started = try XCTUnwrap(
      events.lastIndex { if case .testStarted = $0.event { return true } else { return false } })
    let midway = events.prefix(started / 2).lastIndex {
      if case .testStarted = $0.event { return true } else { return false }
    }
    let state = try Recording.demoState(width: 90, height: 24, limit: (midway ?? 10) + 1)
    XCTAssertEqual(state.run.phase, .running)
    assertSnapshot(render(state), named: "list-running")
  }

  func testListFinished() throws {
    assertSnapshot(render(try Recording.demoState(width: 90, height: 24)), named: "list-finished")
  }

  func testListInRunOrderWithASCIIGlyphs() throws {
    var state = try Recording.demoState(width: 90, height: 16, glyphs: .ascii)
    Recording.apply(Recording.keys(.character("o")), to: &state)
    assertSnapshot(render(state), named: "list-run-order-ascii")
  }

  func testTracebackTab() throws {
    var state = try Recording.demoState(width: 100, height: 30)
    // The third failure: an error raised deep in the project's own code.
    Recording.apply(Recording.keys(.character("g")), to: &state)
    Recording.apply([.key(.character("/"))] + "empty_order".map { .key(.character($0)) } + [.key(.enter)], to: &state)
    Recording.apply(Recording.keys(.character("n"), .enter), to: &state)
    XCTAssertEqual(state.selectedID, "orders.tests.test_views.OrderDetailViewTests.test_empty_order_detail_page")
    assertSnapshot(render(state), named: "detail-traceback")
  }

  func testSQLTab() throws {
    var state = try Recording.demoState(width: 100, height: 40)
    Recording.apply(
      [.key(.character("/"))] + "list_query_count".map { .key(.character($0)) } + [.key(.enter)], to: &state)
    Recording.apply(Recording.keys(.character("n"), .enter, .tab), to: &state)
    assertSnapshot(render(state), named: "detail-sql")
  }

  func testMailTab() throws {
    var state = try Recording.demoState(width: 100, height: 50)
    Recording.apply([.key(.character("/"))] + "mail_subject".map { .key(.character($0)) } + [.key(.enter)], to: &state)
    Recording.apply(Recording.keys(.character("n"), .enter, .tab, .tab), to: &state)
    assertSnapshot(render(state), named: "detail-mail")
  }

  func testOutputTab() throws {
    var state = try Recording.demoState(width: 100, height: 24)
    Recording.apply([.key(.character("/"))] + "tracking_link".map { .key(.character($0)) } + [.key(.enter)], to: &state)
    Recording.apply(Recording.keys(.character("n"), .enter, .backTab), to: &state)
    assertSnapshot(render(state), named: "detail-output")
  }

  func testHelpOverlay() throws {
    var state = try Recording.demoState(width: 90, height: 32)
    Recording.apply(Recording.keys(.character("?")), to: &state)
    let screen = render(state)
    // Every key's text in full, the longest one too.
    let text = screen.textLines.joined(separator: "\n")
    for command in Command.allCases { XCTAssertTrue(text.contains(command.help.text), command.help.text) }
    XCTAssertTrue(text.contains("again: at once"), text)
    assertSnapshot(screen, named: "help")
  }

  func testAHelpTooTallForTheTerminalSaysHowManyKeysItLeavesOut() throws {
    var state = try Recording.demoState(width: 40, height: 10)
    Recording.apply(Recording.keys(.character("?")), to: &state)
    let text = render(state).textLines.joined(separator: "\n")
    XCTAssertTrue(text.contains("more keys: a taller"), text)
    XCTAssertFalse(text.contains("again: at once"), text)
  }

  func testFilterPrompt() throws {
    var state = try Recording.demoState(width: 90, height: 16)
    Recording.apply([.key(.character("/"))] + "checkout".map { .key(.character($0)) }, to: &state)
    assertSnapshot(render(state), named: "filter-prompt")
  }

  func testTinyTerminal() throws {
    assertSnapshot(render(try Recording.demoState(width: 24, height: 5)), named: "too-small")
    // The smallest size the whole dashboard still fits in.
    assertSnapshot(render(try Recording.demoState(width: 40, height: 10)), named: "list-40x10")
  }

  /// The header names the interpreter and why it was chosen: before any run (from the
  /// dashboard's first plan), then as each run's `run_started` says.
  func testHeaderSaysWhichPythonRunsAndWhy() throws {
    var state = DashboardState(
      projectName: "shop", projectRoot: "/home/ada/shop", scopeLabels: [], width: 160, height: 12,
      interpreter: PythonChoice(path: "/home/ada/shop/.venv/bin/python", origin: .projectVenv))
    XCTAssertTrue(
      render(state).textLines[0].contains("all tests  │ python .venv/bin/python (the project's .venv)"),
      render(state).textLines[0])
    let start = RunStart(
      labels: [], command: ["/srv/env/bin/python", "manage.py", "test"], directory: "/home/ada/shop",
      python: "/srv/env/bin/python", options: [:], pythonOrigin: .installedVenv)
    _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 0))
    XCTAssertTrue(
      render(state).textLines[0].contains(
        "python manage.py test  │ python /srv/env/bin/python (the venv djdash is installed in, which has Django)"),
      render(state).textLines[0])
  }

  func testRunThatCouldNotStart() throws {
    var state = DashboardState(projectName: "broken", projectRoot: "/project", scopeLabels: [], width: 80, height: 12)
    let events: [RunEvent] = [
      .runStarted(
        RunStart(
          labels: [], command: ["/venv/bin/python", "manage.py", "test"], directory: "/project",
          python: "/venv/bin/python", options: [:])),
      .output(
        RunnerOutput(
          stream: .stderr,
          text:
            "Traceback (most recent call last):\n  File \"/project/manage.py\", line 3\nModuleNotFoundError: No module named 'django'\n"
        )),
      .runFinished(
        RunSummary(
          counts: [:], duration: 0.2, interrupted: nil, exitCode: 2, runnerStatus: 1,
          problem: "the runner exited with status 1 before Django's test runner started")),
    ]
    for (index, event) in events.enumerated() {
      _ = state.apply(.runEvent(TimedEvent(t: Double(index) * 0.1, event: event), now: Double(index) * 0.1))
    }
    assertSnapshot(render(state), named: "could-not-start")
  }
}
