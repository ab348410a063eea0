import CShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The private channel between djdash and every process of a run: a Unix socket in
/// a private folder. Each process connects once, so records never interleave; each
/// connection also carries commands back (stop, abort), and its closing tells the
/// process djdash is gone.
public final class EventChannel {
  /// One connected process.
  public final class Connection {
    public let id: Int
    let fd: Int32
    var framer = LineFramer()
    /// Set from the process' `hello`.
    public internal(set) var pid: Int32?
    public internal(set) var isOpen = true
    /// Bytes read from the process so far (the hook's pending file counts from the same start).
    var received = 0

    init(id: Int, fd: Int32) {
      self.id = id
      self.fd = fd
    }

    /// Sends one command line; false if the process is gone.
    @discardableResult
    public func send(command: String) -> Bool {
      send(line: "{\"cmd\":\"\(command)\"}")
    }

    /// Sends one JSON object (without its newline); false if the process is gone.
    @discardableResult
    public func send(line: String) -> Bool {
      guard isOpen else { return false }
      return sendAll(fd, Array((line + "\n").utf8))
    }
  }

  /// What the channel reports to its owner.
  public enum Update {
    case connected(Connection)
    /// An event, with the reactor-clock time its bytes were read (decoding a large
    /// event before it must not make later ones look late).
    case event(Connection, RunEvent, receivedAt: Double)
    case undecodable(Connection, EventDecodingError)
    case closed(Connection)
  }

  public let path: String
  private let listener: Int32
  private let reactor: Reactor
  private let decoder = EventDecoder()
  private let onUpdate: (Update) -> Void
  public private(set) var connections: [Connection] = []
  private var nextID = 0
  private var isClosed = false
  private var isReadingOthers = false

  /// Listens at `path` (which must not exist) and serves connections on `reactor`.
  public init(path: String, reactor: Reactor, onUpdate: @escaping (Update) -> Void) throws {
    self.path = path
    self.reactor = reactor
    self.onUpdate = onUpdate
    listener = djdash_unix_listen(path)
    guard listener >= 0 else {
      throw SpawnError(description: "cannot listen at \(path): \(String(cString: strerror(errno)))")
    }
    reactor.watch(listener) { [unowned self] in self.acceptAll() }
  }

  deinit {
    close()
  }

  /// Sends a command to every connected process; returns how many received it.
  @discardableResult
  public func broadcast(command: String) -> Int {
    broadcast(line: "{\"cmd\":\"\(command)\"}")
  }

  /// Sends one JSON object line to every connected process; returns how many received it.
  @discardableResult
  public func broadcast(line: String) -> Int {
    connections.filter { $0.isOpen }.reduce(0) { $0 + ($1.send(line: line) ? 1 : 0) }
  }

  public var openConnections: [Connection] { connections.filter(\.isOpen) }

  /// Accepts the connections waiting and reads whatever every open connection has now (to
  /// the end of those whose process has gone), without waiting for the reactor's turn.
  public func drainOpenConnections() {
    guard !isClosed else { return }
    acceptAll()
    for connection in connections where connection.isOpen { serve(connection) }
  }

  /// Closes the listener and every connection (processes then see the end of input).
  /// Closing twice does nothing: the descriptor may already belong to someone else.
  public func close() {
    guard !isClosed else { return }
    isClosed = true
    reactor.unwatch(listener)
    Glibc.close(listener)
    for connection in connections where connection.isOpen {
      finish(connection, notify: false)
    }
    unlink(path)
  }

  private func acceptAll() {
    while true {
      let fd = djdash_accept(listener)
      guard fd >= 0 else { return }
      nextID += 1
      let connection = Connection(id: nextID, fd: fd)
      connections.append(connection)
      reactor.watch(fd) { [unowned self, unowned connection] in self.serve(connection) }
      onUpdate(.connected(connection))
    }
  }

  /// Reads everything available, so one process' burst is handled in one go.
  func serve(_ connection: Connection) {
    while connection.isOpen {
      switch readAvailable(connection.fd) {
      case .bytes(let bytes):
        let receivedAt = reactor.clock.now()
        connection.received += bytes.count
        for piece in connection.framer.append(bytes) { deliver(piece, from: connection, receivedAt: receivedAt) }
      case .wouldBlock:
        return
      case .end:
        // What the other processes sent before this one ended comes first: a parallel
        // parent says it terminates its pool before its workers die, and both may be
        // waiting in the same turn of the reactor.
        readOthers(than: connection)
        // Lines the process held for its next send when it died: its last results and
        // the test it was running.
        if let pid = connection.pid {
          let unsent = Self.unsentBytes(
            inPendingFile: (path as NSString).deletingLastPathComponent + "/pending-\(pid)",
            received: connection.received)
          let receivedAt = reactor.clock.now()
          connection.received += unsent.count
          for piece in connection.framer.append(unsent) { deliver(piece, from: connection, receivedAt: receivedAt) }
        }
        if let last = connection.framer.finish() {
          switch last {
          case .line(let bytes):
            // A record cut off by the process dying: say so rather than guess.
            if case .success(let event) = decoder.decode(line: bytes) {
              onUpdate(.event(connection, event, receivedAt: reactor.clock.now()))
            } else {
              let snippet = String(decoding: bytes.prefix(120), as: UTF8.self)
              onUpdate(.undecodable(connection, .truncated(snippet: snippet)))
            }
          case .oversized:
            deliver(last, from: connection, receivedAt: reactor.clock.now())
          }
        }
        finish(connection, notify: true)
      }
    }
  }

  /// Reads what every other open connection has now (not recursively: an end found there
  /// does not read the rest again).
  private func readOthers(than connection: Connection) {
    guard !isReadingOthers else { return }
    isReadingOthers = true
    defer { isReadingOthers = false }
    for other in connections where other.isOpen && other !== connection { serve(other) }
  }

  /// The part of a hook's pending file (`pending-<pid>` next to the socket) that never
  /// reached djdash. The file starts with a 32-byte ASCII header, `<base:20> <capacity:10>\n`:
  /// the bytes the process had sent before the file's first line, and the room for lines.
  /// The lines follow (sent ones too, until the room is cleared) and end at the first zero
  /// byte; a last line without its newline (the process died while copying it) is not taken.
  ///
  /// - Parameter received: bytes read from that process's connection.
  /// - Returns: the held bytes past `received`; empty without a file or with nothing unsent.
  static func unsentBytes(inPendingFile path: String, received: Int) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
    defer { try? handle.close() }
    guard let header = try? handle.read(upToCount: 32), header.count == 32,
      let text = String(data: header, encoding: .ascii)
    else { return [] }
    let fields = text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    guard fields.count == 2, let base = Int(fields[0]), let capacity = Int(fields[1]), base >= 0, capacity >= 0,
      received >= base
    else { return [] }
    guard let room = try? handle.read(upToCount: capacity) else { return [] }
    let written = room.prefix { $0 != 0 }
    guard let lastNewline = written.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
    let held = written[...lastNewline]
    guard received - base < held.count else { return [] }
    return Array(held.dropFirst(received - base))
  }

  private func deliver(_ piece: LineFramer.Piece, from connection: Connection, receivedAt: Double) {
    switch decoder.decode(piece) {
    case .success(let event):
      if case .hello(let hello) = event { connection.pid = hello.pid }
      onUpdate(.event(connection, event, receivedAt: receivedAt))
    case .failure(let error):
      onUpdate(.undecodable(connection, error))
    }
  }

  private func finish(_ connection: Connection, notify: Bool) {
    connection.isOpen = false
    reactor.unwatch(connection.fd)
    Glibc.close(connection.fd)
    if notify { onUpdate(.closed(connection)) }
  }
}
