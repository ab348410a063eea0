import DjangoRunner
import Foundation
import TOMLKit

/// How one role looks: colours as palette numbers (nil for the terminal's default) and
/// attributes.
public struct Look: Equatable, Sendable, Hashable {
  public var foreground: Int?
  public var background: Int?
  public var isBold = false
  public var isUnderlined = false
  public var isReversed = false

  public init(
    foreground: Int? = nil, background: Int? = nil, bold: Bool = false, underline: Bool = false,
    reverse: Bool = false
  ) {
    self.foreground = foreground
    self.background = background
    self.isBold = bold
    self.isUnderlined = underline
    self.isReversed = reverse
  }

  static let colorNames = [
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
  ]

  /// Parses `"FOREGROUND [on BACKGROUND] [bold] [underline] [reverse]"`.
  public init(parsing text: String) throws {
    self.init()
    var words = text.lowercased().split(separator: " ").map(String.init)[...]
    func color(_ word: String) throws -> Int? {
      if word == "default" { return nil }
      if let number = Int(word), (0...255).contains(number) { return number }
      if let index = Self.colorNames.firstIndex(of: word) { return index }
      if word.hasPrefix("bright-"), let index = Self.colorNames.firstIndex(of: String(word.dropFirst(7))) {
        return index + 8
      }
      throw ThemeError("unknown colour \"\(word)\" (names like red or bright-blue, or 0–255)")
    }
    var sawForeground = false
    while let word = words.popFirst() {
      switch word {
      case "bold": isBold = true
      case "underline": isUnderlined = true
      case "reverse": isReversed = true
      case "on":
        guard let next = words.popFirst() else { throw ThemeError("\"on\" needs a background colour") }
        background = try color(next)
      default:
        guard !sawForeground else { throw ThemeError("\"\(word)\" is a second foreground colour") }
        foreground = try color(word)
        sawForeground = true
      }
    }
  }
}

/// A theme file could not be used; says which and why.
public struct ThemeError: Error, CustomStringConvertible, Equatable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Every role's look, plus the background of the selected row.
public struct Theme: Equatable, Sendable {
  public var name: String
  public var looks: [Role: Look]
  public var selection: Look

  public func look(_ role: Role) -> Look { looks[role] ?? Look() }

  /// Reads a theme file's text; roles it leaves out keep `base`'s look.
  public static func parse(_ text: String, name: String, base: Theme? = nil) throws -> Theme {
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch {
      throw ThemeError("theme \(name) is not valid TOML: \(error)")
    }
    var theme = base ?? Theme(name: name, looks: [:], selection: Look(reverse: true))
    theme.name = name
    guard let roles = table["roles"]?.table else { throw ThemeError("theme \(name) has no [roles] table") }
    for (key, value) in roles {
      guard let text = value.string else { throw ThemeError("theme \(name): \(key) should be a string") }
      let look: Look
      do {
        look = try Look(parsing: text)
      } catch let error as ThemeError {
        throw ThemeError("theme \(name): \(key): \(error.description)")
      }
      if key == "selection" {
        theme.selection = look
      } else if let role = Role.allCases.first(where: { $0.fileKey == key }) {
        theme.looks[role] = look
      } else {
        throw ThemeError("theme \(name): unknown role \"\(key)\"")
      }
    }
    return theme
  }

  /// The default theme, built in so djdash always has one; `themes/dark.toml` holds the
  /// same text (a test keeps them equal) for users to copy and change.
  public static let builtInDark: Theme = {
    // The built-in text is valid by construction; a test parses it.
    (try? parse(darkText, name: "dark")) ?? Theme(name: "dark", looks: [:], selection: Look(reverse: true))
  }()

  static let darkText = """
    [roles]
    text = "default"
    muted = "245"
    accent = "75 bold"
    bar = "252 on 236"
    key = "81 on 236 bold"
    success = "71"
    failure = "203 bold"
    warning = "214"
    skipped = "179"
    running = "81 bold"
    border = "240"
    group = "110 bold"
    selection = "on 238"
    sql-keyword = "141 bold"
    sql-string = "150"
    sql-number = "180"
    highlight = "231 on 52 bold"
    """
}

extension Role {
  /// The role's key in theme files: `sql-keyword` for `sqlKeyword`.
  public var fileKey: String {
    rawValue.reduce(into: "") { key, character in
      if character.isUppercase {
        key += "-" + character.lowercased()
      } else {
        key.append(character)
      }
    }
  }
}

/// Finds themes by name: the user's folder, then the folders djdash ships them in.
public struct ThemeLibrary: Sendable {
  public var folders: [String]

  public init(folders: [String]) { self.folders = folders }

  /// `$DJDASH_THEMES`, `$XDG_CONFIG_HOME/djdash/themes` (or `~/.config/…`), then the
  /// themes installed with djdash (`share/djdash/themes`), then the `themes/` folder of
  /// the djdash checkout the binary was built from.
  public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ThemeLibrary {
    var folders: [String] = []
    if let own = environment["DJDASH_THEMES"], !own.isEmpty { folders.append(own) }
    if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
      folders.append(config + "/djdash/themes")
    } else if let home = environment["HOME"], !home.isEmpty {
      folders.append(home + "/.config/djdash/themes")
    }
    // Installed: PREFIX/share/djdash/themes beside PREFIX/bin/djdash.
    folders.append(BundledResources.installedFolder() + "/themes")
    // Sources/Dashboard/Theme.swift → the package root's themes/.
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("themes").path
    folders.append(source)
    return ThemeLibrary(folders: folders)
  }

  /// The names of every theme found, sorted.
  public var names: [String] {
    var found: Set<String> = ["dark"]
    for folder in folders {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      for file in files where file.hasSuffix(".toml") { found.insert(String(file.dropLast(5))) }
    }
    return found.sorted()
  }

  /// The theme called `name`, over the built-in default.
  ///
  /// - Throws: `ThemeError` when no folder has it or its file is not valid.
  public func theme(named name: String) throws -> Theme {
    for folder in folders {
      let path = folder + "/" + name + ".toml"
      if let text = try? String(contentsOfFile: path, encoding: .utf8) {
        return try Theme.parse(text, name: name, base: .builtInDark)
      }
    }
    if name == "dark" { return .builtInDark }
    throw ThemeError("no theme called \"\(name)\"; themes: \(names.joined(separator: ", "))")
  }
}
