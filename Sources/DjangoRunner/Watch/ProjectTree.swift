#if canImport(Glibc)
  import Glibc
#endif

/// Lists folders of the project tree without following symbolic links, so a link to
/// a folder (or a loop of them) is seen as one entry, never walked into.
enum ProjectTree {
  /// One entry of a folder.
  struct Entry: Equatable {
    var name: String
    /// A real folder; a symbolic link to one is not.
    var isDirectory: Bool
  }

  /// The entries of the folder at `path` (absolute), without `.` and `..`; empty when
  /// it cannot be read (gone, no permission).
  static func entries(of path: String) -> [Entry] {
    guard let folder = opendir(path) else { return [] }
    defer { closedir(folder) }
    var result: [Entry] = []
    while let entry = readdir(folder) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name == "." || name == ".." { continue }
      let type = Int(entry.pointee.d_type)
      let isDirectory: Bool
      if type == DT_UNKNOWN {
        isDirectory = kind(of: path + "/" + name) == .directory
      } else {
        isDirectory = type == DT_DIR
      }
      result.append(Entry(name: name, isDirectory: isDirectory))
    }
    return result
  }

  enum Kind {
    case missing
    case directory
    case symbolicLink
    case other
  }

  /// What is at `path` (absolute), not following a final symbolic link.
  static func kind(of path: String) -> Kind {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFDIR: return .directory
    case S_IFLNK: return .symbolicLink
    default: return .other
    }
  }

  /// Joins a folder relative to the root and a name: "" + "a" is "a".
  static func join(_ folder: String, _ name: String) -> String {
    folder.isEmpty ? name : folder + "/" + name
  }
}
