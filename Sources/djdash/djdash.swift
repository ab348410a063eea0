import ArgumentParser
import CShims
import DjangoRunner

#if canImport(Glibc)
  import Glibc
#endif

@main
struct Djdash: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "djdash",
    abstract: "Run a Django project's tests through Django's own runner, live.",
    discussion: """
      Exit codes: 0 every test passed, 1 a test failed or errored, 2 usage or \
      configuration error, 130 interrupted.
      """,
    version: djdashVersion,
    subcommands: [
      DashboardCommand.self, RunCommand.self, HuntCommand.self, AffectedCommand.self, HistoryCommand.self,
      DemoCommand.self, WarmCommand.self,
    ],
    defaultSubcommand: DashboardCommand.self
  )

  /// Signals djdash reads through a signalfd; blocked before any thread exists, so every
  /// thread inherits the mask, and unblocked again in the test runner by the spawn.
  static let handledSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGWINCH, 0]

  static func main() {
    // Before anything can start a thread: signals are read from a signalfd, never delivered.
    handledSignals.withUnsafeBufferPointer { djdash_block($0.baseAddress) }
    // Workers orphaned by a dying runner become djdash's children, so they can be reaped.
    _ = djdash_become_subreaper()
    let arguments = CommandLineShape.normalize(Array(CommandLine.arguments.dropFirst()))
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .success || error is ExitCode {
        exit(withError: error)
      }
      // ArgumentParser's usage errors exit 64; djdash promises 2 for those.
      let message = fullMessage(for: error)
      if !message.isEmpty { Console.write(message + "\n", to: 2) }
      Glibc.exit(2)
    }
  }
}

/// Reshapes the command line into what ArgumentParser can parse, before it does:
/// - `--shuffle` takes an optional seed, like Django's (`--shuffle`, `--shuffle=7`,
///   `--shuffle 7`), and ArgumentParser has no optional option values;
/// - everything after `--` goes to the test command untouched, and ArgumentParser allows
///   only one list of positionals (the labels), so each becomes a hidden option.
enum CommandLineShape {
  static let randomShuffle = "random"
  static let passthroughOption = "--passthrough-argument"

  static func normalize(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if argument == "--" {
        for passed in arguments[(index + 1)...] { result += [passthroughOption, passed] }
        break
      }
      if argument == "--shuffle" {
        let next: String? = index + 1 < arguments.count ? arguments[index + 1] : nil
        if let seed = next.flatMap({ Int($0) }) {
          result.append("--shuffle=\(seed)")
          index += 2
          continue
        }
        result.append("--shuffle=\(randomShuffle)")
      } else {
        result.append(argument)
      }
      index += 1
    }
    return result
  }
}
