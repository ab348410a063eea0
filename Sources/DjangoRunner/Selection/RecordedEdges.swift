import Foundation

/// What runs recorded that no source shows: the templates each test class rendered, the
/// project files it was the first to import, and the views its requests resolved to. Kept in `.djdash/recorded-edges.json`,
/// so `djdash affected` and the dashboard build the same graph; always added to the
/// static graph, never in place of it.
public struct RecordedEdges: Codable, Sendable, Equatable {
  /// `module.Class` → template names.
  public var renders: [String: Set<String>] = [:]
  /// `module.Class` → project files, relative to the project root.
  public var imports: [String: Set<String>] = [:]
  /// `module.Class` → files of the views its requests resolved to.
  public var resolved: [String: Set<String>] = [:]

  public init() {}

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    renders = try c.decodeIfPresent([String: Set<String>].self, forKey: .renders) ?? [:]
    imports = try c.decodeIfPresent([String: Set<String>].self, forKey: .imports) ?? [:]
    resolved = try c.decodeIfPresent([String: Set<String>].self, forKey: .resolved) ?? [:]
  }

  /// Adds a finished test's records; returns whether anything was new.
  @discardableResult
  public mutating func add(_ report: TestReport) -> Bool {
    guard !report.templates.isEmpty || !report.imported.isEmpty || !report.resolved.isEmpty else { return false }
    let owner = report.id.split(separator: ".").dropLast().joined(separator: ".")
    guard !owner.isEmpty else { return false }
    func counts() -> [Int] { [renders[owner]?.count ?? 0, imports[owner]?.count ?? 0, resolved[owner]?.count ?? 0] }
    let before = counts()
    if !report.templates.isEmpty { renders[owner, default: []].formUnion(report.templates) }
    if !report.imported.isEmpty { imports[owner, default: []].formUnion(report.imported) }
    if !report.resolved.isEmpty { resolved[owner, default: []].formUnion(report.resolved) }
    return before != counts()
  }

  public var isEmpty: Bool { renders.isEmpty && imports.isEmpty && resolved.isEmpty }

  public static func path(projectRoot: String) -> String { projectRoot + "/.djdash/recorded-edges.json" }

  /// The project's records; empty when there are none or they cannot be read.
  public static func load(projectRoot: String) -> RecordedEdges {
    guard let data = FileManager.default.contents(atPath: path(projectRoot: projectRoot)),
      let edges = try? JSONDecoder().decode(RecordedEdges.self, from: data)
    else { return RecordedEdges() }
    return edges
  }

  /// Merges `new` into the project's file (read, merged, written whole and renamed).
  public static func merge(_ new: RecordedEdges, projectRoot: String) {
    guard !new.isEmpty else { return }
    var merged = load(projectRoot: projectRoot)
    for (owner, names) in new.renders { merged.renders[owner, default: []].formUnion(names) }
    for (owner, files) in new.imports { merged.imports[owner, default: []].formUnion(files) }
    for (owner, files) in new.resolved { merged.resolved[owner, default: []].formUnion(files) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    guard let data = try? encoder.encode(merged) else { return }
    DjdashFolder.replace("recorded-edges.json", with: data, projectRoot: projectRoot)
  }
}
