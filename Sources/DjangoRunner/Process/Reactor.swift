import CShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A monotonic clock, in seconds. Logic that reads time takes one, so tests can
/// drive it by hand.
public protocol Clock: Sendable {
  func now() -> Double
}

/// The system's monotonic clock.
public struct MonotonicClock: Clock {
  public init() {}
  public func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }
}

/// A single-threaded event loop over `poll(2)`: descriptors that became readable and
/// timers that came due. Everything of a run (sockets, pipes, the runner's exit,
/// signals, keys) is served here, so no state is ever shared between threads.
public final class Reactor {
  public typealias Handler = () -> Void

  private struct Timer {
    var id: Int
    var due: Double
    var action: Handler
  }

  private var handlers: [Int32: Handler] = [:]
  private var timers: [Timer] = []
  private var nextTimer = 0
  private var isStopped = false
  public let clock: any Clock

  public init(clock: any Clock = MonotonicClock()) {
    self.clock = clock
  }

  /// Calls `handler` whenever `fd` is readable (or hung up) until `unwatch`.
  public func watch(_ fd: Int32, _ handler: @escaping Handler) {
    handlers[fd] = handler
  }

  public func unwatch(_ fd: Int32) {
    handlers[fd] = nil
  }

  /// Runs `action` once, `seconds` from now. Returns an id for `cancel`.
  @discardableResult
  public func after(_ seconds: Double, _ action: @escaping Handler) -> Int {
    nextTimer += 1
    timers.append(Timer(id: nextTimer, due: clock.now() + seconds, action: action))
    return nextTimer
  }

  public func cancel(_ timer: Int) {
    timers.removeAll { $0.id == timer }
  }

  /// Ends `run` after the current callback.
  public func stop() {
    isStopped = true
  }

  /// Serves descriptors and timers until `stop` is called.
  public func run() {
    isStopped = false
    while !isStopped {
      runOnce(timeout: nil)
    }
  }

  /// Waits at most `timeout` seconds (or until the next timer) and serves what is ready.
  public func runOnce(timeout: Double?) {
    fireDueTimers()
    if isStopped { return }
    var wait = timeout.map { max(0, $0) }
    if let next = timers.map(\.due).min() {
      let untilNext = max(0, next - clock.now())
      wait = min(wait ?? untilNext, untilNext)
    }
    var fds = handlers.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let milliseconds = wait.map { Int32(min($0 * 1000, 3_600_000).rounded(.up)) } ?? -1
    let count = poll(&fds, nfds_t(fds.count), milliseconds)
    if count > 0 {
      for entry in fds where entry.revents != 0 {
        handlers[entry.fd]?()
        if isStopped { return }
      }
    }
    fireDueTimers()
  }

  /// Runs due timers earliest first, one at a time, so a timer cancelled by an earlier
  /// one in the same turn does not fire.
  private func fireDueTimers() {
    let now = clock.now()
    while let next = timers.indices.filter({ timers[$0].due <= now }).min(by: { timers[$0].due < timers[$1].due }) {
      let timer = timers.remove(at: next)
      timer.action()
    }
  }
}

/// Reads what is available on a non-blocking descriptor: bytes, nothing yet, or the end.
enum ReadResult {
  case bytes([UInt8])
  case wouldBlock
  case end
}

func readAvailable(_ fd: Int32, chunk: Int = 65_536) -> ReadResult {
  var buffer = [UInt8](repeating: 0, count: chunk)
  while true {
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunk) }
    if n > 0 { return .bytes(Array(buffer[..<n])) }
    if n == 0 { return .end }
    if errno == EINTR { continue }
    if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
    return .end
  }
}

/// Reads everything a non-blocking pipe has now, handing each chunk to `onBytes`;
/// returns true when the pipe has ended.
func drainPipe(_ fd: Int32, onBytes: ([UInt8]) -> Void) -> Bool {
  while true {
    switch readAvailable(fd) {
    case .bytes(let bytes): onBytes(bytes)
    case .wouldBlock: return false
    case .end: return true
    }
  }
}

/// Sends all of `bytes` on a socket, waiting briefly when it is full. Returns false if
/// the other end is gone. MSG_NOSIGNAL: a process that just exited must not kill
/// djdash with SIGPIPE.
@discardableResult
func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
  var offset = 0
  while offset < bytes.count {
    let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    if n > 0 {
      offset += n
    } else if n < 0 && (errno == EINTR || errno == EAGAIN) {
      var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
      _ = poll(&entry, 1, 100)
    } else {
      return false
    }
  }
  return true
}
