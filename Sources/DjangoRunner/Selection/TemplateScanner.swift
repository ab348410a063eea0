/// What a Django template refers to: templates it extends or includes, and the tag
/// libraries it loads.
public struct TemplateSummary: Equatable, Sendable {
  public var templates: [String] = []
  public var libraries: [String] = []
  public init() {}
}

/// Reads `{% extends "…" %}`, `{% include "…" %}`, `{% load a b %}` (and
/// `{% load x from a %}`) from template text. Names given by variables are skipped.
public enum TemplateScanner {
  public static func scan(_ text: String) -> TemplateSummary {
    var summary = TemplateSummary()
    var rest = Substring(text)
    while let open = rest.range(of: "{%") {
      guard let close = rest[open.upperBound...].range(of: "%}") else { break }
      let words = rest[open.upperBound..<close.lowerBound].split(whereSeparator: {
        $0 == " " || $0 == "\n" || $0 == "\t"
      })
      rest = rest[close.upperBound...]
      guard let tag = words.first else { continue }
      switch tag {
      case "extends", "include":
        guard words.count > 1, let name = quoted(words[1]) else { continue }
        summary.templates.append(name)
      case "load":
        if let from = words.firstIndex(of: "from"), from + 1 < words.count {
          summary.libraries.append(String(words[from + 1]))
        } else {
          summary.libraries += words.dropFirst().map(String.init)
        }
      default:
        continue
      }
    }
    return summary
  }

  private static func quoted(_ word: Substring) -> String? {
    guard word.count >= 2, let first = word.first, first == "\"" || first == "'", word.last == first else { return nil }
    return String(word.dropFirst().dropLast())
  }
}
