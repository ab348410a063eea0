import CShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A Unix-socket connection that carries one JSON object per line both ways: between
/// `djdash run --warm` and the project's warm service.
public final class LineConnection {
  private let fd: Int32
  private let reactor: Reactor
  private var framer = LineFramer(maximumLineLength: 64 << 20)
  public private(set) var isOpen = true
  /// Each object received, on the reactor's thread; lines that are not JSON objects are
  /// skipped.
  public var onObject: (([String: JSONValue]) -> Void)?
  /// Called once when the other end has gone (or `close()` was called).
  public var onClose: (() -> Void)?

  init(fd: Int32, reactor: Reactor) {
    self.fd = fd
    self.reactor = reactor
    reactor.watch(fd) { [weak self] in self?.readAll() }
  }

  deinit { close() }

  /// Connects to whoever listens at `path`.
  ///
  /// - Throws: `SpawnError` when nobody does.
  public static func connect(to path: String, reactor: Reactor) throws -> LineConnection {
    let fd = djdash_unix_connect(path)
    guard fd >= 0 else {
      throw SpawnError(description: "cannot connect to \(path): \(String(cString: strerror(errno)))")
    }
    return LineConnection(fd: fd, reactor: reactor)
  }

  /// Sends one object; false if the other end is gone.
  @discardableResult
  public func send(_ object: [String: JSONValue]) -> Bool {
    guard isOpen else { return false }
    return sendAll(fd, Array((JSONText.of(object) + "\n").utf8))
  }

  public func close() {
    guard isOpen else { return }
    isOpen = false
    reactor.unwatch(fd)
    Glibc.close(fd)
    onClose?()
  }

  private func readAll() {
    while isOpen {
      switch readAvailable(fd) {
      case .bytes(let bytes):
        for case .line(let line) in framer.append(bytes) {
          if let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(line)) {
            onObject?(object)
          }
        }
      case .wouldBlock:
        return
      case .end:
        close()
      }
    }
  }
}

/// Listens at a Unix socket path for `LineConnection`s.
public final class LineListener {
  public let path: String
  private let fd: Int32
  private let reactor: Reactor
  private var isClosed = false

  /// Listens at `path`, which must not exist.
  ///
  /// - Throws: `SpawnError` when it cannot.
  public init(path: String, reactor: Reactor, onConnection: @escaping (LineConnection) -> Void) throws {
    self.path = path
    self.reactor = reactor
    fd = djdash_unix_listen(path)
    guard fd >= 0 else {
      throw SpawnError(description: "cannot listen at \(path): \(String(cString: strerror(errno)))")
    }
    reactor.watch(fd) { [fd, reactor] in
      while case let connection = djdash_accept(fd), connection >= 0 {
        onConnection(LineConnection(fd: connection, reactor: reactor))
      }
    }
  }

  deinit { close() }

  public func close() {
    guard !isClosed else { return }
    isClosed = true
    reactor.unwatch(fd)
    Glibc.close(fd)
    unlink(path)
  }
}
