import Foundation

/// The command line: `djdash-bench [--python PATH] [--tests N] [--rounds N] [--quick]`.
struct BenchOptions {
  var python: String?
  var tests: Int?
  var rounds: Int?
  var quick = false
  /// Only section 6 (the dashboard), which needs no Python; the full bench runs it this way.
  var dashboardOnly = false
  /// Only section 7 (the run history), which needs no Python either.
  var historyOnly = false
  /// Only section 8 (watch mode on the demo project).
  var watchOnly = false
  /// Only section 9 (the test selection's dependency graph), which needs no Python.
  var selectionOnly = false

  /// Only section 2 (the hook's overhead on the generated suite).
  var suiteOnly = false
  /// More interpreters for section 2c (recording what tests execute), besides `python`.
  var recordingPythons: [String] = []

  static let usage = """
    usage: djdash-bench [--python PATH] [--recording-python PATH]... [--tests N] [--rounds N] [--quick] [--dashboard-only | --history-only | --watch-only | --selection-only | --suite-only]

      --python PATH  the Python with Django to run the generated suites
                     (default: $DJDASH_BENCH_PYTHON, else .build/djdash-venvs/django-5.2/bin/python
                     if it exists, else python3)
      --recording-python PATH  another Python with Django for section 2c (recording what each
                     test executes, with and without DJDASH_RECORD=1), measured after --python's;
                     repeatable. E.g. the Debian 13 root's Python 3.13 wrapper
                     (Tests/Scripts/python313-root prints them)
      --tests N      tests in each generated suite of section 2 (default 3000; 300 with --quick)
      --rounds N     timed rounds of each measurement (default 3; 1 with --quick)
      --quick        small sizes and one repetition, for a smoke test
      --dashboard-only  only section 6: the dashboard with 20,000 tests (no Python needed)
      --history-only    only section 7: the run history of 20,000 tests (no Python needed)
      --watch-only   only section 8: watch mode on the demo, save to first result vs bare Django
      --selection-only  only section 9: the selection's graph of a 3,000-module project (no Python needed)
      --suite-only   only section 2: the generated suite, bare Django vs djdash, and recording (with --tests N)
    """

  /// Parses `arguments` (without the program name); a message for the user on error.
  static func parse(_ arguments: [String]) -> Result<BenchOptions, UsageError> {
    var options = BenchOptions()
    var rest = arguments[...]
    while let argument = rest.popFirst() {
      func value() -> String? {
        if let equals = argument.firstIndex(of: "=") { return String(argument[argument.index(after: equals)...]) }
        return rest.popFirst()
      }
      let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
      switch name {
      case "--python":
        guard let path = value(), !path.isEmpty else { return .failure(UsageError("--python needs a path")) }
        options.python = path
      case "--recording-python":
        guard let path = value(), !path.isEmpty else { return .failure(UsageError("--recording-python needs a path")) }
        options.recordingPythons.append(path)
      case "--tests":
        guard let text = value(), let count = Int(text), count > 0 else {
          return .failure(UsageError("--tests needs a positive number"))
        }
        options.tests = count
      case "--rounds":
        guard let text = value(), let count = Int(text), count > 0 else {
          return .failure(UsageError("--rounds needs a positive number"))
        }
        options.rounds = count
      case "--quick":
        options.quick = true
      case "--dashboard-only":
        options.dashboardOnly = true
      case "--history-only":
        options.historyOnly = true
      case "--watch-only":
        options.watchOnly = true
      case "--selection-only":
        options.selectionOnly = true
      case "--suite-only":
        options.suiteOnly = true
      case "-h", "--help":
        return .failure(UsageError(nil))
      default:
        return .failure(UsageError("unknown argument \(argument)"))
      }
    }
    return .success(options)
  }
}

struct UsageError: Error {
  /// nil for `--help`.
  var message: String?
  init(_ message: String?) { self.message = message }
}

/// Every size the bench uses, full or quick.
struct BenchSizes {
  var decodeEvents: Int
  var mediumDecodeEvents: Int
  /// Tests of each generated suite of section 2 (trivial, and everyday).
  var suiteTests: Int
  var dashboardTests: Int
  var repetitions: Int
  /// Apps of the selection bench's generated project (about 50 modules each).
  var selectionApps: Int
  /// Apps of the generated project of the watch bench (section 8b).
  var watchApps: Int
  var queries: Int
  /// Queries of the run past the hook's per-test cap; nil to skip it.
  var overCapQueries: Int?

  init(_ options: BenchOptions) {
    if options.quick {
      decodeEvents = 20_000
      mediumDecodeEvents = 5_000
      suiteTests = options.tests ?? 300
      dashboardTests = 2_000
      repetitions = options.rounds ?? 1
      selectionApps = 6
      watchApps = 6
      queries = 2_000
      overCapQueries = nil
    } else {
      decodeEvents = 200_000
      mediumDecodeEvents = 20_000
      suiteTests = options.tests ?? 3_000
      dashboardTests = 20_000
      repetitions = options.rounds ?? 3
      selectionApps = 60
      watchApps = 24
      queries = 20_000
      overCapQueries = 60_000
    }
  }
}
