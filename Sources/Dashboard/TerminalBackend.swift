/// What the terminal said: a key, or that its size changed.
public enum TerminalInput: Equatable, Sendable {
  case key(Key)
  /// The window changed size: call `followResize()`, then read the new size.
  case resized
}

/// A screen the dashboard runtime draws on and reads keys from: `CursesTerminal` on a
/// real terminal, `MemoryTerminal` in tests (keys fed in, frames recorded). The runtime
/// talks to nothing else of the terminal, so most of its behaviour is tested in memory.
///
/// Every method is called on the runtime's reactor thread.
public protocol TerminalBackend: AnyObject {
  /// Columns, as of the last `followResize()`.
  var width: Int { get }
  /// Rows, as of the last `followResize()`.
  var height: Int { get }
  /// Whether the terminal shows Unicode; otherwise the dashboard draws ASCII glyphs.
  var isUnicode: Bool { get }
  /// A descriptor that becomes readable when input may be waiting: the runtime watches
  /// it on its reactor and then calls `readInputs()`.
  var inputDescriptor: Int32 { get }

  /// Every input waiting, in order, without blocking.
  func readInputs() -> [TerminalInput]
  /// The window changed (an input said so, or SIGWINCH): takes the new size; the next
  /// paint repaints everything.
  func followResize()
  /// Shows `buffer`, painting only what differs from the last frame (`BufferDiff`).
  func paint(_ buffer: CellBuffer)
  /// Lends the terminal to another program (the editor) until `resume()`.
  func suspend()
  /// Takes the terminal back after `suspend()`; the next paint repaints everything.
  func resume()
  /// Gives the terminal back as it was. Idempotent.
  func close()
}
