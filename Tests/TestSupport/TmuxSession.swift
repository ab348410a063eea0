import Foundation
import XCTest

/// A real terminal for end-to-end tests: a detached tmux session on a private server,
/// driven key by key and read back with capture-pane.
public final class TmuxSession {
  public let name: String
  private let socket: String
  /// How tmux is run: `tmux`, or a wrapper that runs the root's own tmux inside it.
  private let tmux: [String]

  /// Starts `command` in a fresh tmux server at a fixed size. When the command ends the
  /// pane prints `EXIT:<status>` and stays open, so tests can read what was left behind.
  ///
  /// - Parameter tmux: the tmux command, e.g. `[in-root, "tmux"]` for a terminal inside
  ///   another root (its server, and so the program, run there).
  public init(
    _ command: [String], in directory: String, width: Int = 120, height: Int = 40,
    environment: [String: String] = [:], tmux: [String] = ["tmux"]
  ) throws {
    name = "djdash"
    self.tmux = tmux
    socket = "djdash-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let exports = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }
    let line =
      "cd \(Self.quote(directory)) && env \(exports.joined(separator: " ")) "
      + command.map(Self.quote).joined(separator: " ") + "; echo EXIT:$?; sleep 600"
    let result = try Shell.run(
      tmux + [
        "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
        "sh", "-c", line,
      ])
    guard result.status == 0 else { throw TestSetupError("tmux new-session failed: \(result.output)") }
  }

  deinit { close() }

  public func close() {
    _ = try? Shell.run(tmux + ["-L", socket, "kill-server"])
  }

  /// The screen's text now.
  public func screen() throws -> String {
    try Shell.run(tmux + ["-L", socket, "capture-pane", "-p", "-t", name]).stdout
  }

  /// Presses keys as tmux names them: `Enter`, `Tab`, `BTab`, `Escape`, `C-c`, `q`.
  public func press(_ keys: String...) throws {
    for key in keys {
      let result = try Shell.run(tmux + ["-L", socket, "send-keys", "-t", name, key])
      guard result.status == 0 else { throw TestSetupError("tmux send-keys \(key) failed: \(result.output)") }
    }
  }

  /// Types text literally.
  public func type(_ text: String) throws {
    _ = try Shell.run(tmux + ["-L", socket, "send-keys", "-t", name, "-l", text])
  }

  public func resize(width: Int, height: Int) throws {
    _ = try Shell.run(tmux + ["-L", socket, "resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
  }

  /// Waits until the screen satisfies `condition`; fails the test with the screen if it
  /// never does. Returns the screen.
  @discardableResult
  public func waitFor(
    _ description: String, timeout: Double = 30, file: StaticString = #filePath, line: UInt = #line,
    _ condition: (String) -> Bool
  ) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    var last = ""
    while Date() < deadline {
      last = try screen()
      if condition(last) { return last }
      usleep(50_000)
    }
    XCTFail("timed out waiting for \(description); the screen:\n\(last)", file: file, line: line)
    throw TestSetupError("timed out waiting for \(description)")
  }

  /// Waits until the screen shows every one of `texts`.
  @discardableResult
  public func waitFor(
    _ texts: String..., timeout: Double = 30, file: StaticString = #filePath, line: UInt = #line
  ) throws -> String {
    try waitFor(texts.joined(separator: " and "), timeout: timeout, file: file, line: line) { screen in
      texts.allSatisfy { screen.contains($0) }
    }
  }

  static func quote(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
