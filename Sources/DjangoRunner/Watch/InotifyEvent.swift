#if canImport(Glibc)
  import Glibc
#endif

/// One record read from an inotify descriptor: `struct inotify_event` and the name
/// that follows it.
struct InotifyEvent: Equatable {
  var watch: Int32
  var mask: UInt32
  var cookie: UInt32
  /// The entry's name within the watched folder; "" for events on the folder itself.
  var name: String

  func has(_ flag: Int32) -> Bool { mask & UInt32(bitPattern: flag) != 0 }

  /// The records in `bytes`, as one `read(2)` returns them (whole records only, the name
  /// NUL-padded to the record's `len`). A truncated tail is dropped.
  static func parse(_ bytes: UnsafeRawBufferPointer) -> [InotifyEvent] {
    let header = MemoryLayout<inotify_event>.size
    var events: [InotifyEvent] = []
    var offset = 0
    while offset + header <= bytes.count {
      let watch = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
      let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
      let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
      let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
      let start = offset + header
      guard start + length <= bytes.count else { break }
      let name = String(decoding: bytes[start..<start + length].prefix { $0 != 0 }, as: UTF8.self)
      events.append(InotifyEvent(watch: watch, mask: mask, cookie: cookie, name: name))
      offset = start + length
    }
    return events
  }
}
