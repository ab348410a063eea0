import Dashboard
import Foundation
import XCTest

final class ThemeTests: XCTestCase {
  let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("themes")

  func testTheBuiltInDefaultIsTheDarkThemeFile() throws {
    let text = try String(contentsOf: themes.appendingPathComponent("dark.toml"), encoding: .utf8)
    XCTAssertEqual(try Theme.parse(text, name: "dark"), Theme.builtInDark)
    XCTAssertEqual(Set(Theme.builtInDark.looks.keys), Set(Role.allCases), "the default gives every role a look")
  }

  func testEveryShippedThemeParsesAndHasItsSnapshot() throws {
    let library = ThemeLibrary(folders: [themes.path])
    XCTAssertTrue(Set(["dark", "light", "high-contrast"]).isSubset(of: Set(library.names)))
    for name in library.names {
      let theme = try library.theme(named: name)
      var lines = ["theme \(name)", "selection: \(describe(theme.selection))"]
      for role in Role.allCases { lines.append("\(role.fileKey): \(describe(theme.look(role)))") }
      assertSnapshot(text: lines.joined(separator: "\n") + "\n", named: "theme-\(name)")
    }
  }

  func testBadThemesAreExplained() {
    XCTAssertThrowsError(try Theme.parse("[roles]\nfailure = \"vermilion\"", name: "x")) { error in
      XCTAssertTrue("\(error)".contains("unknown colour \"vermilion\""), "\(error)")
    }
    XCTAssertThrowsError(try Theme.parse("[roles]\nsparkle = \"red\"", name: "x")) { error in
      XCTAssertTrue("\(error)".contains("unknown role \"sparkle\""), "\(error)")
    }
    XCTAssertThrowsError(try ThemeLibrary(folders: [themes.path]).theme(named: "neon")) { error in
      XCTAssertTrue("\(error)".contains("no theme called \"neon\""), "\(error)")
    }
  }

  func testLooksReadColoursAndAttributes() throws {
    XCTAssertEqual(try Look(parsing: "203 on 52 bold"), Look(foreground: 203, background: 52, bold: true))
    XCTAssertEqual(try Look(parsing: "bright-red underline"), Look(foreground: 9, underline: true))
    XCTAssertEqual(try Look(parsing: "on blue"), Look(background: 4))
    XCTAssertThrowsError(try Look(parsing: "red green"))
  }

  private func describe(_ look: Look) -> String {
    var words = [look.foreground.map(String.init) ?? "default"]
    if let background = look.background { words.append("on \(background)") }
    if look.isBold { words.append("bold") }
    if look.isUnderlined { words.append("underline") }
    if look.isReversed { words.append("reverse") }
    return words.joined(separator: " ")
  }
}
