import ArgumentParser
import DjangoRunner
import Foundation
import RunHistory

/// `djdash history [TEST_ID]`: the recorded runs, or one test's record.
struct HistoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "Show recent runs, the slowest tests, or one test's record, from .djdash/history.sqlite.",
    discussion: """
      Every run of djdash (run, dashboard, hunt) is recorded as it streams. Without an id: \
      the recent runs. With a test id (module.Class.method): its last verdict, whether it \
      has been flipping (its verdict changed with no change to its file), its verdicts \
      run by run and what hunts (and the dashboard's safety net) found about it. Exit code 1 when the test was never recorded.
      """
  )

  @Argument(help: "A test id, as Django names it (module.Class.method).")
  var testID: String?

  @Flag(help: "The slowest tests, with their durations over recent runs.")
  var slowest = false

  @Flag(help: "The selection misses: tests a save's selection left out that the rest of the suite found failing.")
  var misses = false

  @Option(help: "How many runs, tests or results to show.")
  var limit = 20

  func run() throws {
    let directory = FileManager.default.currentDirectoryPath
    let project = try Console.exitingOnProjectError { try Project.locate(from: directory, command: nil) }
    guard FileManager.default.fileExists(atPath: HistoryStore.path(projectRoot: project.root)) else {
      Console.out("no run history yet in \(project.root)/.djdash: run djdash first\n")
      return
    }
    guard let store = HistoryAccess.open(projectRoot: project.root, tell: Console.error) else { throw ExitCode(2) }
    let text: String?
    do {
      if let testID {
        text = try HistoryText.test(testID, store: store, limit: limit)
      } else if misses {
        text = HistoryText.selectionMisses(try store.selectionMisses(limit: limit))
      } else if slowest {
        text = HistoryText.slowest(try store.slowest(limit: limit))
      } else {
        text = HistoryText.runs(try store.recentRuns(limit: limit))
      }
    } catch {
      Console.error("cannot read the run history: \(error)")
      throw ExitCode(2)
    }
    guard let text else {
      Console.error("no recorded result for \(testID ?? "")")
      throw ExitCode(1)
    }
    Console.out(text)
  }
}
