import ArgumentParser
import DjangoRunner
import RunHistory

/// `--failed`, `--failed-first` and `--no-history`: what `djdash run` takes from the
/// run history, and whether it keeps one.
struct HistoryArguments: ParsableArguments {
  @Flag(help: "Run only the tests that failed last time (all of the selection when none did).")
  var failed = false

  @Flag(
    name: .customLong("failed-first"),
    help: "Run the tests that failed last time first, then the whole selection (two runs).")
  var failedFirst = false

  @Flag(name: .customLong("no-history"), help: "Neither read nor record the run history (.djdash/history.sqlite).")
  var noHistory = false

  func validate() throws {
    if failed && failedFirst { throw ValidationError("--failed and --failed-first cannot go together") }
    if noHistory && (failed || failedFirst) {
      throw ValidationError("--failed and --failed-first need the run history; drop --no-history")
    }
  }

  /// The runs to make for `request`, in order: one normally; the failed tests then the
  /// whole selection for `--failed-first`.
  ///
  /// Two ordinary Django runs rather than one reordered run: Django orders tests by
  /// type (TestCase before TransactionTestCase) and groups them by class for
  /// `--parallel`, and a failed test moved to the front of one run would break both.
  /// When nothing failed last time, `--failed` runs the whole selection (like pytest's
  /// `--lf`) and `--failed-first` has nothing to put first; both say so.
  func phases(of request: RunRequest, project: Project, store: HistoryStore?) -> [RunRequest] {
    guard failed || failedFirst else { return [request] }
    let scope = request.filling(from: project.configuration).labels
    let records = (try? store?.lastState()) ?? []
    let selection = FailedSelection(records: records, scope: scope)
    guard !selection.isEmpty else {
      Console.error(
        records.isEmpty
          ? "no run history yet: running the whole selection"
          : "no test failed last time\(scope.isEmpty ? "" : " in \(scope.joined(separator: " "))"): running the whole selection"
      )
      return [request]
    }
    var first = request
    first.labels = selection.labels
    let count = selection.labels.count
    Console.error(
      "running the \(count) test\(count == 1 ? "" : "s") that failed last time\(failedFirst ? ", then the whole selection" : "")"
    )
    return failedFirst ? [first, request] : [first]
  }
}
