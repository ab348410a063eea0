import Foundation
import DjangoRunner

/// The command that opens a file at a line in the user's editor, in the form each
/// editor understands (`vim +12 f`, `code --goto f:12`, `hx f:12`).
public enum EditorCommand {
  /// `$VISUAL`, then `$EDITOR`, then `vi`.
  public static func editor(environment: [String: String]) -> String {
    for key in ["VISUAL", "EDITOR"] {
      if let value = environment[key], !value.trimmingCharacters(in: .whitespaces).isEmpty { return value }
    }
    return "vi"
  }

  /// The argument list for `editor` (a shell-quoted command, possibly with flags).
  ///
  /// - Throws: `ProjectError` when the editor setting cannot be split into words.
  public static func arguments(editor: String, file: String, line: Int) throws -> [String] {
    var words = try ShellWords.split(editor)
    guard let program = words.first else { throw ProjectError("the editor setting is empty") }
    let name = program.split(separator: "/").last.map(String.init) ?? program
    switch name {
    case "code", "code-insiders", "codium", "cursor", "windsurf":
      words += ["--goto", "\(file):\(line)"]
    case "subl", "sublime_text", "hx", "helix", "zed", "mate":
      words.append("\(file):\(line)")
    default:
      // vi, vim, nvim, nano, emacs, micro, kak, joe, mg, ne and most others.
      words += ["+\(line)", file]
    }
    return words
  }
}
