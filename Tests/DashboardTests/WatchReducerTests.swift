import Dashboard
import DjangoRunner
import XCTest

/// Watch mode in the reducer: what a save starts, queues or restarts, and what the
/// screen says about it.
final class WatchReducerTests: XCTestCase {
  let views = WatchChange(
    paths: ["catalog/views.py"],
    selection: TestSelection(
      labels: ["catalog.tests.test_views", "orders.tests.test_views"],
      explanations: [
        "catalog.tests.test_views": [
          "catalog/views.py (changed)", "catalog/urls.py imports it",
          "catalog/tests/test_views.py uses the test client",
        ],
        "orders.tests.test_views": ["catalog/views.py (changed)", "orders/tests/test_views.py uses the test client"],
      ]))
  let pricing = WatchChange(
    paths: ["catalog/pricing.py"], selection: TestSelection(labels: ["catalog.tests.test_pricing"]))
  let settings = WatchChange(
    paths: ["shopsite/settings.py"],
    selection: TestSelection(
      labels: ["catalog", "notifications", "orders"], isEverything: true,
      broadReasons: ["shopsite/settings.py: settings: every test"]))
  let readme = WatchChange(
    paths: ["README.md"],
    selection: TestSelection(unaffected: ["README.md: outside every app and nothing depends on it"]))

  /// Mid-run: the recording's first events only.
  func runningState(onChange: OnChange = .queue, scope: [String] = []) throws -> DashboardState {
    try Recording.demoState(limit: 20, scope: scope, watching: WatchState(onChange: onChange))
  }

  func testASaveWhileIdleRunsTheSelectedLabels() throws {
    var state = try Recording.demoState(watching: WatchState())
    XCTAssertEqual(
      state.apply(.filesChanged(views)),
      [.startRun(labels: ["catalog.tests.test_views", "orders.tests.test_views"], testNamePatterns: [])])
    XCTAssertEqual(
      state.watchLine, "saved catalog/views.py → catalog.tests.test_views orders.tests.test_views  (w: why)")
    // r reruns what the save ran.
    Recording.finishRun(&state)
    XCTAssertEqual(
      Recording.apply(Recording.keys(.character("r")), to: &state),
      [.startRun(labels: ["catalog.tests.test_views", "orders.tests.test_views"], testNamePatterns: [])])
  }

  func testSavesDuringARunAreQueuedAsOneUnionRunAfterIt() throws {
    var state = try runningState()
    XCTAssertTrue(state.run.isActive)
    XCTAssertEqual(state.apply(.filesChanged(views)), [])
    XCTAssertEqual(state.apply(.filesChanged(pricing)), [])
    XCTAssertEqual(
      state.watching?.pendingLabels,
      ["catalog.tests.test_views", "orders.tests.test_views", "catalog.tests.test_pricing"])
    XCTAssertEqual(
      state.watchLine, "saved catalog/pricing.py → catalog.tests.test_pricing · queued: 3 labels  (w: why)")
    let effects = Recording.finishRun(&state)
    XCTAssertEqual(
      effects,
      [
        .startRun(
          labels: ["catalog.tests.test_views", "orders.tests.test_views", "catalog.tests.test_pricing"],
          testNamePatterns: [])
      ])
    XCTAssertNil(state.watching?.pendingLabels)
    // Nothing more is queued: the next run's end starts nothing.
    XCTAssertEqual(Recording.finishRun(&state), [])
  }

  func testEverythingAbsorbsTheQueue() throws {
    var state = try runningState()
    _ = state.apply(.filesChanged(views))
    _ = state.apply(.filesChanged(settings))
    XCTAssertEqual(state.watching?.pendingLabels, [])
    XCTAssertEqual(state.watchLine, "saved shopsite/settings.py → every test (settings) · queued: every test  (w: why)")
    XCTAssertEqual(Recording.finishRun(&state), [.startRun(labels: [], testNamePatterns: [])])
  }

  func testRestartEndsTheRunGracefullyThenRunsTheSave() throws {
    var state = try runningState(onChange: .restart)
    XCTAssertEqual(state.apply(.filesChanged(views)), [.interruptRun])
    XCTAssertEqual(state.run.phase, .stopping)
    // A second save while it stops asks for no second (hard) stop.
    XCTAssertEqual(state.apply(.filesChanged(pricing)), [])
    XCTAssertEqual(
      Recording.finishRun(&state),
      [
        .startRun(
          labels: ["catalog.tests.test_views", "orders.tests.test_views", "catalog.tests.test_pricing"],
          testNamePatterns: [])
      ])
  }

  func testTheDashboardsLabelsBoundWhatASaveRuns() throws {
    var state = try Recording.demoState(scope: ["catalog"], watching: WatchState())
    XCTAssertEqual(
      state.apply(.filesChanged(views)), [.startRun(labels: ["catalog.tests.test_views"], testNamePatterns: [])])
    _ = Recording.finishRun(&state)
    let orders = WatchChange(
      paths: ["orders/forms.py"], selection: TestSelection(labels: ["orders.tests.test_checkout"]))
    XCTAssertEqual(state.apply(.filesChanged(orders)), [])
    XCTAssertEqual(state.watchLine, "saved orders/forms.py → nothing within catalog  (w: why)")
    XCTAssertEqual(state.apply(.filesChanged(settings)), [.startRun(labels: ["catalog"], testNamePatterns: [])])
  }

  func testAFileNoTestDependsOnStartsNothing() throws {
    var state = try Recording.demoState(watching: WatchState())
    XCTAssertEqual(state.apply(.filesChanged(readme)), [])
    XCTAssertEqual(state.watchLine, "saved README.md → no test depends on it  (w: why)")
  }

  func testTestNamePatternsApplyToWatchRuns() throws {
    var state = try Recording.demoState(watching: WatchState())
    Recording.apply([.key(.character("t"))] + "detail".map { .key(.character($0)) } + [.key(.enter)], to: &state)
    _ = Recording.finishRun(&state)
    XCTAssertEqual(
      state.apply(.filesChanged(pricing)),
      [.startRun(labels: ["catalog.tests.test_pricing"], testNamePatterns: ["detail"])])
  }

  func testWhyExplainsTheLastSaveAndAnyKeyClosesIt() throws {
    var state = try Recording.demoState(watching: WatchState())
    Recording.apply(Recording.keys(.character("w")), to: &state)
    XCTAssertEqual(state.watching?.isWhyShown, true)
    XCTAssertEqual(state.whyLines.map(\.text), ["no file saved yet: djdash is watching"])
    Recording.apply(Recording.keys(.character("j")), to: &state)
    XCTAssertEqual(state.watching?.isWhyShown, false)
    _ = state.apply(.filesChanged(views))
    XCTAssertEqual(
      state.whyLines.map(\.text),
      [
        "saved: catalog/views.py",
        "catalog.tests.test_views",
        "    catalog/views.py (changed)",
        "    catalog/urls.py imports it",
        "    catalog/tests/test_views.py uses the test client",
        "orders.tests.test_views",
        "    catalog/views.py (changed)",
        "    orders/tests/test_views.py uses the test client",
      ])
  }

  func testWithoutWatchingThereIsNoWatchLineAndWSaysWhy() throws {
    var state = try Recording.demoState()
    XCTAssertNil(state.watchLine)
    XCTAssertEqual(state.apply(.filesChanged(views)), [])
    Recording.apply(Recording.keys(.character("w")), to: &state)
    XCTAssertEqual(state.notice, "not watching: djdash was started with --no-watch")
  }

  func testPollingIsShownUntilTheFirstSave() throws {
    var state = try Recording.demoState(watching: WatchState())
    _ = state.apply(.watchModeChanged("polling every 1 s: the inotify watch limit is used up"))
    XCTAssertEqual(state.watchLine, "watching: polling every 1 s: the inotify watch limit is used up")
  }

  func testWatchLineAndWhyOverlaySnapshot() throws {
    var state = try Recording.demoState(width: 100, height: 24, watching: WatchState())
    _ = state.apply(.filesChanged(views))
    _ = Recording.finishRun(&state)
    Recording.apply(Recording.keys(.character("w")), to: &state)
    assertSnapshot(DashboardView.render(state), named: "watch-why")
  }

  func testAColdCheckRunsWhenIdleAndGivesWayToAQueuedSave() throws {
    var state = try Recording.demoState(watching: WatchState())
    XCTAssertEqual(
      state.apply(.runColdCheck(labels: ["catalog.tests.test_views"])),
      [.startRun(labels: ["catalog.tests.test_views"], testNamePatterns: [])])
    Recording.finishRun(&state)
    var busy = try runningState()
    XCTAssertEqual(busy.apply(.runColdCheck(labels: ["catalog.tests.test_views"])), [])
  }
}
