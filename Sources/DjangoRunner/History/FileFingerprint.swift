import Foundation

/// The identity of a test's module file as it was when the test ran (modification time
/// and size), so a verdict change can be told apart from an edit. Cheap: one `stat` per
/// module per run, cached by the caller.
public enum FileFingerprint {
  /// The module of a dotted test id: `app.tests.test_x.Class.test_y` → `app.tests.test_x`,
  /// tried from the longest prefix that names a file under `root`.
  ///
  /// - Returns: the file's path, or nil when no prefix of the id is a module file there.
  public static func moduleFile(of testID: String, root: String) -> String? {
    let dotted = TestID.suiteError(testID)?.owner ?? testID
    var parts = dotted.split(separator: ".").map(String.init)
    while !parts.isEmpty {
      let base = root + "/" + parts.joined(separator: "/")
      for candidate in [base + ".py", base + "/__init__.py"] where FileManager.default.fileExists(atPath: candidate) {
        return candidate
      }
      parts.removeLast()
    }
    return nil
  }

  /// `mtime-size` of the file, or nil when it cannot be read.
  public static func of(path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)-\(info.st_size)"
  }
}
