import Dashboard
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A terminal in memory, for tests of the runtime: keys and resizes are fed in, frames
/// are painted into a screen that is built only from the differences painted
/// (`BufferDiff`), as a real terminal's is, so a wrong diff shows on it.
///
/// Fed input wakes the reactor through a pipe, so a runtime waiting in its reactor sees
/// it as it would a key on stdin. Use it from the runtime's thread only.
public final class MemoryTerminal: TerminalBackend {
  public private(set) var width: Int
  public private(set) var height: Int
  public let isUnicode: Bool
  /// What the terminal shows now.
  public private(set) var screen: CellBuffer
  /// The buffer painted last, nil before the first frame.
  public private(set) var lastFrame: CellBuffer?
  /// Frames painted so far.
  public private(set) var frameCount = 0
  /// Cells painted so far, over every frame: an unchanged frame adds none.
  public private(set) var paintedCells = 0
  /// Frames whose size was not the terminal's when they were painted.
  public private(set) var misfitFrames = 0
  /// Frames painted while the terminal was lent out (`suspend()`) or closed.
  public private(set) var strayFrames = 0
  /// Whether the terminal is lent to another program (the editor).
  public private(set) var isSuspended = false
  public private(set) var isClosed = false

  private var previous: CellBuffer?
  private var waiting: [TerminalInput] = []
  private var newSize: (width: Int, height: Int)?
  private let wakeRead: Int32
  private let wakeWrite: Int32

  /// - Parameters:
  ///   - width: columns.
  ///   - height: rows.
  ///   - isUnicode: whether it shows Unicode (else the dashboard draws ASCII).
  /// - Throws: the system's error when no pipe can be made.
  public init(width: Int, height: Int, isUnicode: Bool = true) throws {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
    for fd in fds {
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    wakeRead = fds[0]
    wakeWrite = fds[1]
    self.width = width
    self.height = height
    self.isUnicode = isUnicode
    screen = CellBuffer(width: width, height: height)
  }

  deinit {
    Glibc.close(wakeRead)
    Glibc.close(wakeWrite)
  }

  // MARK: feeding it

  /// Types `keys`, in order.
  public func press(_ keys: Key...) {
    feed(keys.map(TerminalInput.key))
  }

  /// Types each character of `text`.
  public func type(_ text: String) {
    feed(text.map { .key(.character($0)) })
  }

  /// The window becomes `width` × `height`: the runtime is told, and the size is taken
  /// when it calls `followResize()`, as curses takes the kernel's.
  public func resize(width: Int, height: Int) {
    newSize = (width, height)
    feed([.resized])
  }

  private func feed(_ inputs: [TerminalInput]) {
    waiting += inputs
    var byte: UInt8 = 1
    _ = Glibc.write(wakeWrite, &byte, 1)
  }

  // MARK: reading it

  /// The screen as text, one string per row.
  public var lines: [String] { screen.textLines }

  /// The screen as text, rows joined by newlines.
  public var text: String { lines.joined(separator: "\n") }

  // MARK: TerminalBackend

  public var inputDescriptor: Int32 { wakeRead }

  public func readInputs() -> [TerminalInput] {
    var bytes = [UInt8](repeating: 0, count: 256)
    while Glibc.read(wakeRead, &bytes, bytes.count) > 0 {}
    defer { waiting = [] }
    return waiting
  }

  public func followResize() {
    if let newSize {
      width = newSize.width
      height = newSize.height
      self.newSize = nil
    }
    screen = CellBuffer(width: width, height: height)
    previous = nil
  }

  public func paint(_ buffer: CellBuffer) {
    if isSuspended || isClosed { strayFrames += 1 }
    if buffer.width != width || buffer.height != height { misfitFrames += 1 }
    let diff = BufferDiff(from: previous, to: buffer)
    screen = screen.painting(diff, from: buffer)
    paintedCells += diff.cellCount
    frameCount += 1
    previous = buffer
    lastFrame = buffer
  }

  public func suspend() {
    isSuspended = true
  }

  public func resume() {
    isSuspended = false
    previous = nil
  }

  public func close() {
    isClosed = true
  }
}
