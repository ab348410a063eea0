import Foundation

/// How a run's test labels reach Django's runner.
///
/// Django's `test` command, and the scripts that read their positional arguments (Django's
/// own `tests/runtests.py`, a `runtests.py` passing `sys.argv[1:]` to `run_tests`), take
/// labels on the command line. A `runtests.py` that builds its own runner and parses no
/// arguments would ignore them, and one whose argparse knows only options rejects them
/// ("unrecognized arguments"): such a script gets them inside Django's runner instead
/// (`DJDASH_LABELS`, applied in `DiscoverRunner.run_tests`), as the flags always are.
public enum LabelRoute: String, Sendable, Codable, Equatable {
  case commandLine
  case insideRunner

  /// The route for a command (the words before any label).
  ///
  /// - Parameters:
  ///   - command: e.g. `[python, manage.py, test]` or `[python, runtests.py]`.
  ///   - directory: where the command runs, to find a script named relative to it.
  /// - Returns: `.insideRunner` only for a Python script that, read as text, clearly takes
  ///   no positional arguments; anything unclear keeps the command line.
  public static func route(for command: [String], in directory: String) -> LabelRoute {
    guard let script = command.first(where: { $0.hasSuffix(".py") }) else { return .commandLine }
    let path = script.hasPrefix("/") ? script : directory + "/" + script
    guard let data = FileManager.default.contents(atPath: path), data.count < 1 << 20 else { return .commandLine }
    return route(forScript: String(decoding: data, as: UTF8.self))
  }

  /// The route for a script's source (see `route(for:in:)`).
  public static func route(forScript source: String) -> LabelRoute {
    let code = source.split(separator: "\n", omittingEmptySubsequences: false)
      .map { line in line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
      .joined(separator: "\n")
    // manage.py and its kind hand argv to Django's own `test` command.
    if code.contains("execute_from_command_line") || code.contains("ManagementUtility") { return .commandLine }
    if code.contains("ArgumentParser") {
      let takesPositionals =
        code.contains("parse_known_args")
        || code.range(of: #"add_argument\(\s*['"][^-'"]"#, options: .regularExpression) != nil
      return takesPositionals ? .commandLine : .insideRunner
    }
    if code.contains("OptionParser") || code.contains("getopt") || code.contains("argv") || code.contains("click") {
      return .commandLine
    }
    return .insideRunner
  }
}
