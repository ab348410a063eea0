import Foundation

/// The project's Python files and templates as a run executed them, read once each, for
/// `ExecutionRecords.record(_:definitions:)`.
///
/// A file modified after the run started may not be what its tests executed: it reads as
/// nil, so its functions are recorded as never fresh and their tests rerun on the next save
/// that touches it (a missed save can only select more).
public struct RunDefinitions {
  public let projectRoot: String
  /// When the run started (its runner was spawned, or its warm child forked).
  public let runStart: Date
  private let read: (String) -> (text: String, modified: Date)?
  private var cache: [String: PythonDefinitions?] = [:]

  /// - Parameter read: the text and modification time of an absolute path (the file
  ///   system's by default; tests give their own).
  public init(
    projectRoot: String, runStart: Date,
    read: @escaping (String) -> (text: String, modified: Date)? = RunDefinitions.readFile
  ) {
    self.projectRoot = projectRoot
    self.runStart = runStart
    self.read = read
  }

  /// The definitions of `path` (relative to the project root), or nil when it cannot be
  /// read or changed after the run started.
  public mutating func definitions(of path: String) -> PythonDefinitions? {
    if let known = cache[path] { return known }
    var result: PythonDefinitions?
    if let file = read(projectRoot + "/" + path), file.modified <= runStart {
      result = PythonDefinitions(path: path, text: file.text)
    }
    cache[path] = result
    return result
  }

  /// A file's UTF-8 text (invalid bytes replaced) and modification time.
  public static func readFile(_ path: String) -> (text: String, modified: Date)? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      let modified = attributes[.modificationDate] as? Date,
      let data = FileManager.default.contents(atPath: path)
    else { return nil }
    return (String(decoding: data, as: UTF8.self), modified)
  }
}
