import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What a file of the project is to the selection, told by its path alone.
public enum ProjectFileKind: Equatable, Sendable {
  /// A Python module importable from the project root (`isPackage`: an `__init__.py`).
  case python(module: String, isPackage: Bool)
  /// A Python module under a `migrations` folder: it shapes the test database.
  case migration
  /// A file under a `templates` (or `jinja2`) folder, by its template name.
  case template(name: String)
  /// A fixture file under a `fixtures` folder, by its file name.
  case fixture(name: String)
  /// Anything else.
  case other
}

extension ProjectFileKind {
  /// Classifies `path` (relative to the project root, `/`-separated).
  public static func of(_ path: String) -> ProjectFileKind {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    guard let last = parts.last else { return .other }
    let folders = parts.dropLast()
    if let templates = folders.firstIndex(where: { $0 == "templates" || $0 == "jinja2" }) {
      return .template(name: parts[(templates + 1)...].joined(separator: "/"))
    }
    if folders.contains("fixtures"), !last.hasSuffix(".py") {
      return .fixture(name: String(last))
    }
    guard last.hasSuffix(".py") else { return .other }
    if folders.contains("migrations") && last != "__init__.py" { return .migration }
    let stem = last.dropLast(3)
    var components = folders.map(String.init)
    guard components.allSatisfy(isIdentifier) else { return .other }
    if stem == "__init__" {
      guard !components.isEmpty else { return .other }
      return .python(module: components.joined(separator: "."), isPackage: true)
    }
    guard isIdentifier(stem) else { return .other }
    components.append(String(stem))
    return .python(module: components.joined(separator: "."), isPackage: false)
  }

  static func isIdentifier(_ text: some StringProtocol) -> Bool {
    guard let first = text.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
    return text.utf8.allSatisfy {
      ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 >= 0x80
    }
  }
}

extension ProjectTree {
  /// Every file of the project, leaving out what `isIgnored` says (asked of folders
  /// before descending, so a virtualenv or node_modules is never read). Paths are
  /// relative to `root`.
  static func files(root: String, isIgnored: (String, Bool) -> Bool) -> [String] {
    var result: [String] = []
    var pending = [""]
    while let folder = pending.popLast() {
      for entry in entries(of: folder.isEmpty ? root : root + "/" + folder) {
        let path = join(folder, entry.name)
        if isIgnored(path, entry.isDirectory) { continue }
        if entry.isDirectory { pending.append(path) } else { result.append(path) }
      }
    }
    return result
  }

  /// Reads a whole file; nil when it cannot be read.
  static func read(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    var bytes = [UInt8](repeating: 0, count: max(0, Int(info.st_size)))
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      offset += n
    }
    return offset == bytes.count ? bytes : Array(bytes[..<offset])
  }
}
