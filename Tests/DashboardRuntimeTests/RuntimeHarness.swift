import Dashboard
import DashboardRuntime
import DjangoRunner
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// The dashboard runtime on a `MemoryTerminal`, on a copy of a fixture project, with
/// real runs (Django 5.2). The test turns the reactor: it feeds a key, then waits for the
/// screen to show what it should, as the tmux tests do with a real terminal.
final class RuntimeHarness {
  let terminal: MemoryTerminal
  let app: DashboardApp
  let project: String

  /// Starts the dashboard on `labels` of a copy of `fixture` (a folder of
  /// Tests/Fixtures): the first run starts at once.
  ///
  /// - Parameters:
  ///   - watch: whether it watches the project (off: no watcher, no warm runner).
  ///   - environment: variables added to the runs' environment (and `$EDITOR`'s).
  init(
    _ labels: [String], of fixture: String = "kitchen", width: Int = 100, height: Int = 30, isUnicode: Bool = true,
    watch: Bool = false, environment extra: [String: String] = [:]
  ) throws {
    let python = try DjangoVersion.v52.python()
    project = try TestPaths.copy(TestPaths.fixtures + "/" + fixture)
    var request = RunRequest()
    request.labels = labels
    request.python = python
    if !watch { request.watch = false }
    var environment = ProcessInfo.processInfo.environment
    environment.merge(extra) { $1 }
    app = DashboardApp(
      project: try Project.locate(from: project, command: nil), request: request, directory: project,
      environment: environment)
    terminal = try MemoryTerminal(width: width, height: height, isUnicode: isUnicode)
    app.start(on: terminal)
  }

  /// Turns the reactor until the screen shows every one of `texts`; fails the test
  /// (with the screen) after `timeout` seconds or when the dashboard quit first.
  @discardableResult
  func waitFor(
    _ texts: String..., timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line
  ) throws -> String {
    try waitFor(texts.joined(separator: ", "), timeout: timeout, file: file, line: line) { screen in
      texts.allSatisfy(screen.contains)
    }
  }

  /// Turns the reactor until `condition` holds for the screen's text.
  @discardableResult
  func waitFor(
    _ what: String, timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line,
    _ condition: (String) -> Bool
  ) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      let screen = terminal.text
      if condition(screen) { return screen }
      guard app.isRunning, Date() < deadline else {
        let why = app.isRunning ? "after \(timeout) s" : "the dashboard quit"
        XCTFail("never saw \(what) (\(why)):\n\(screen)", file: file, line: line)
        throw HarnessError.gaveUp
      }
      app.runOnce(timeout: 0.05)
    }
  }

  /// Resizes the window, then turns the reactor until a frame of the new size is painted.
  func resize(width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) throws {
    terminal.resize(width: width, height: height)
    try waitFor("a \(width) × \(height) frame", file: file, line: line) { _ in
      terminal.lastFrame?.width == width && terminal.lastFrame?.height == height
    }
  }

  /// Turns the reactor until the dashboard quits; returns the seconds it took, or fails
  /// after `timeout`.
  @discardableResult
  func waitUntilQuit(timeout: Double = 30, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
    let start = Date()
    while app.isRunning {
      guard Date().timeIntervalSince(start) < timeout else {
        XCTFail("still running after \(timeout) s:\n\(terminal.text)", file: file, line: line)
        throw HarnessError.gaveUp
      }
      app.runOnce(timeout: 0.05)
    }
    return Date().timeIntervalSince(start)
  }

  /// Turns the reactor for `seconds`, whatever happens.
  func idle(_ seconds: Double) {
    let deadline = Date().addingTimeInterval(seconds)
    while app.isRunning, Date() < deadline { app.runOnce(timeout: 0.05) }
  }

  /// Ends the dashboard however the test left it: a run still going is stopped at once.
  func close() {
    if app.isRunning {
      app.signalled(SIGTERM)
      _ = try? waitUntilQuit()
    }
    app.finish()
    terminal.close()
  }

  enum HarnessError: Error {
    case gaveUp
  }
}
