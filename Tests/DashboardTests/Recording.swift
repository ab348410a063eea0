import Dashboard
import DjangoRunner
import Foundation
import XCTest

/// Recorded runs, snapshots and the demo's sources, for headless view tests.
enum Recording {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  /// Where the recorded demo run lived; its frames point here.
  static let projectRoot = "/project"
  /// The demo project's sources in this checkout, standing in for `/project`.
  static let demoSources = folder.deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources/djdash/Demo").path

  /// The events of a recording in `Recordings/`, in order.
  static func events(_ name: String) throws -> [TimedEvent] {
    let text = try String(contentsOf: folder.appendingPathComponent("Recordings/\(name).jsonl"), encoding: .utf8)
    let decoder = EventDecoder()
    return try text.split(separator: "\n").map { line in
      try decoder.decodeTimed(line: Array(line.utf8)).get()
    }
  }

  /// A dashboard state after the recorded demo run (or its first `limit` events).
  static func demoState(
    width: Int = 100, height: Int = 30, limit: Int? = nil, glyphs: Glyphs = .unicode, scope: [String] = [],
    watching: WatchState? = nil
  ) throws -> DashboardState {
    var state = DashboardState(
      projectName: "demo-shop", projectRoot: projectRoot, scopeLabels: scope, glyphs: glyphs, width: width,
      height: height, watching: watching)
    let events = try self.events("demo-run")
    for event in events.prefix(limit ?? events.count) {
      _ = state.apply(.runEvent(event, now: 100 + event.t))
    }
    _ = state.apply(.tick(now: 100 + (events.prefix(limit ?? events.count).last?.t ?? 0) + 0.5))
    return state
  }

  /// Applies actions and carries out `loadSources` from the demo's files, as the runtime would.
  @discardableResult
  static func apply(_ actions: [Action], to state: inout DashboardState) -> [Effect] {
    var all: [Effect] = []
    for action in actions {
      var effects = state.apply(action)
      while let effect = effects.first {
        effects.removeFirst()
        all.append(effect)
        if case .loadSources(let paths) = effect {
          var files: [String: [String]] = [:]
          for path in paths {
            let local = demoSources + path.dropFirst(projectRoot.count)
            files[path] = ((try? String(contentsOfFile: local, encoding: .utf8)) ?? "").lines.map(String.init)
          }
          effects += state.apply(.sourcesLoaded(files))
        }
      }
    }
    state.layoutIfNeeded()
    return all
  }

  static func keys(_ keys: Key...) -> [Action] { keys.map { .key($0) } }

  /// Plays the rest of a run as the runtime would: its start (unless it is going) and
  /// its end. Returns what the reducer asked for at the end.
  @discardableResult
  static func finishRun(_ state: inout DashboardState) -> [Effect] {
    if !state.run.isActive {
      let start = RunStart(
        labels: state.lastLabels, command: ["python", "manage.py", "test"], directory: projectRoot, python: "python",
        options: [:])
      _ = state.apply(.runEvent(TimedEvent(t: 0, event: .runStarted(start)), now: 300))
    }
    let summary = RunSummary(counts: [.pass: 1], duration: 0.5, interrupted: nil, exitCode: 0)
    return state.apply(.runEvent(TimedEvent(t: 0.5, event: .runFinished(summary)), now: 300.5))
  }
}

/// Compares a rendered screen with `Snapshots/<name>.txt`. With `DJDASH_RECORD_SNAPSHOTS=1`
/// the snapshot is written instead, and the test fails so nobody records blindly.
func assertSnapshot(_ buffer: CellBuffer, named name: String, file: StaticString = #filePath, line: UInt = #line) {
  assertSnapshot(text: buffer.snapshot, named: name, file: file, line: line)
}

func assertSnapshot(text: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
  let url = Recording.folder.appendingPathComponent("Snapshots/\(name).txt")
  if ProcessInfo.processInfo.environment["DJDASH_RECORD_SNAPSHOTS"] == "1" {
    try? FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try? text.write(to: url, atomically: true, encoding: .utf8)
    XCTFail("recorded snapshot \(name); unset DJDASH_RECORD_SNAPSHOTS and run again", file: file, line: line)
    return
  }
  guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
    XCTFail("no snapshot \(name): run with DJDASH_RECORD_SNAPSHOTS=1 to record it", file: file, line: line)
    return
  }
  if expected != text {
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let actualLines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
    XCTFail(
      """
      snapshot \(name) differs from line \(first + 1):
      expected: \(first < expectedLines.count ? expectedLines[first] : "")
      actual:   \(first < actualLines.count ? actualLines[first] : "")
      whole screen:
      \(text)
      """, file: file, line: line)
  }
}
