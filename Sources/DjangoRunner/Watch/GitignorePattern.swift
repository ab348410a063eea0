#if canImport(Glibc)
  import Glibc
#endif

/// One line of a `.gitignore` file, parsed: what it matches and whether it ignores or
/// re-includes. Matching follows git's rules for the common syntax: `*`, `?` and `[…]`
/// never cross a `/`; a pattern with no inner slash matches a name at any depth below
/// its folder; a leading or inner slash anchors it to its folder; `**/`, `/**/` and
/// `/**` span folders; a trailing `/` matches folders only.
public struct GitignorePattern: Equatable, Sendable {
  /// The folder of the `.gitignore` that holds the pattern, relative to the project
  /// root ("" for the root); the pattern applies only below it.
  public let folder: String
  /// True for a `!` pattern, which re-includes what an earlier one ignored.
  public let isNegated: Bool
  /// True when the pattern ended with `/` and so matches folders only.
  public let isDirectoryOnly: Bool
  /// True when the pattern matches the path below `folder` rather than a name at any depth.
  public let isAnchored: Bool
  /// The pattern's segments, split at `/`; `**` stands for any number of folders.
  let segments: [String]

  /// Parses one line of a `.gitignore`; nil for blank lines and comments.
  ///
  /// - Parameters:
  ///   - line: The line as written, without its newline.
  ///   - folder: The folder holding the `.gitignore`, relative to the project root.
  public init?(_ line: String, folder: String = "") {
    var text = Substring(line)
    if text.hasSuffix("\r") { text = text.dropLast() }
    text = Self.trimmingUnescapedTrailingSpaces(text)
    if text.isEmpty || text.hasPrefix("#") { return nil }
    var negated = false
    if text.hasPrefix("!") {
      negated = true
      text = text.dropFirst()
    } else if text.hasPrefix("\\!") || text.hasPrefix("\\#") {
      text = text.dropFirst()
    }
    var directoryOnly = false
    while text.hasSuffix("/") {
      directoryOnly = true
      text = text.dropLast()
    }
    if text.isEmpty { return nil }
    // A slash anywhere but at the end anchors the pattern to its folder.
    let anchored = text.contains("/")
    while text.hasPrefix("/") { text = text.dropFirst() }
    if text.isEmpty { return nil }
    self.folder = folder
    isNegated = negated
    isDirectoryOnly = directoryOnly
    isAnchored = anchored
    segments = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
  }

  /// Whether the pattern matches `path` (relative to the project root, `/`-separated).
  ///
  /// Only the path itself is matched: a file inside a matched folder is ignored because
  /// its folder is, which `IgnoreRules` checks folder by folder.
  public func matches(_ path: String, isDirectory: Bool) -> Bool {
    if isDirectoryOnly && !isDirectory { return false }
    let below: Substring
    if folder.isEmpty {
      below = Substring(path)
    } else {
      guard path.count > folder.count + 1, path.hasPrefix(folder + "/") else { return false }
      below = path.dropFirst(folder.count + 1)
    }
    let parts = below.split(separator: "/", omittingEmptySubsequences: true)
    guard let name = parts.last else { return false }
    if !isAnchored {
      return segments.count == 1 && Self.segment(segments[0], matches: name)
    }
    return Self.match(segments[...], parts[...])
  }

  /// Matches pattern segments against path segments; `**` takes any number of them
  /// (at least one when it ends the pattern: `abc/**` is what is inside `abc`).
  private static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<Substring>) -> Bool {
    guard let first = pattern.first else { return path.isEmpty }
    if first == "**" {
      let rest = pattern.dropFirst()
      if rest.isEmpty { return !path.isEmpty }
      for skipped in 0...path.count where match(rest, path.dropFirst(skipped)) {
        return true
      }
      return false
    }
    guard let name = path.first, segment(first, matches: name) else { return false }
    return match(pattern.dropFirst(), path.dropFirst())
  }

  /// One segment against one name: `*`, `?`, `[abc]`, `[!a-z]` and `\` escapes, as
  /// fnmatch(3) does them (a name holds no `/`, so `*` cannot cross folders).
  private static func segment(_ pattern: String, matches name: Substring) -> Bool {
    if !pattern.contains(where: { "*?[\\".contains($0) }) { return pattern == name }
    return fnmatch(pattern, String(name), 0) == 0
  }

  /// Git drops trailing spaces unless the last one is escaped with a backslash.
  private static func trimmingUnescapedTrailingSpaces(_ text: Substring) -> Substring {
    var result = text
    while result.hasSuffix(" ") {
      let withoutSpace = result.dropLast()
      if withoutSpace.hasSuffix("\\") {
        return Substring(withoutSpace.dropLast() + " ")
      }
      result = withoutSpace
    }
    return result
  }
}
