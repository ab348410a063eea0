import TestSupport
import XCTest

@testable import DjangoRunner

/// Which entry points take labels on their command line, and which get them inside
/// Django's runner (`DJDASH_LABELS`).
final class LabelRouteTests: XCTestCase {
  func testDjangosTestCommandTakesThemOnTheCommandLine() {
    let folder = NSTemporaryDirectory()
    XCTAssertEqual(LabelRoute.route(for: ["/v/bin/python", "-m", "django", "test"], in: folder), .commandLine)
    XCTAssertEqual(LabelRoute.route(for: ["django-admin", "test"], in: folder), .commandLine)
  }

  func testAManagePyTakesThemOnTheCommandLine() {
    let managePy = """
      import os, sys
      if __name__ == "__main__":
          from django.core.management import execute_from_command_line
          execute_from_command_line(sys.argv)
      """
    XCTAssertEqual(LabelRoute.route(forScript: managePy), .commandLine)
  }

  func testAScriptReadingArgvTakesThemOnTheCommandLine() throws {
    let script = try String(
      contentsOfFile: TestPaths.fixtures + "/reusableapp/runtests.py", encoding: .utf8)
    XCTAssertEqual(LabelRoute.route(forScript: script), .commandLine)
  }

  func testArgparseWithAPositionalOrKnownArgsTakesThem() {
    // Django's own tests/runtests.py: `parser.add_argument("modules", nargs="*", …)`.
    let djangos = """
      parser = argparse.ArgumentParser(description="Run the Django test suite.")
      parser.add_argument(
          "modules", nargs="*", metavar="module",
      )
      parser.add_argument("-v", "--verbosity", default=1, type=int)
      """
    XCTAssertEqual(LabelRoute.route(forScript: djangos), .commandLine)
    let known = """
      parser = argparse.ArgumentParser()
      parser.add_argument("--fast", action="store_true")
      options, labels = parser.parse_known_args()
      """
    XCTAssertEqual(LabelRoute.route(forScript: known), .commandLine)
  }

  func testArgparseWithOptionsOnlyGetsThemInside() throws {
    let script = try String(
      contentsOfFile: TestPaths.fixtures + "/sideeffects/runtests.py", encoding: .utf8)
    XCTAssertEqual(LabelRoute.route(forScript: script), .insideRunner)
  }

  func testAScriptThatReadsNoArgumentsGetsThemInside() {
    let script = """
      import django
      from django.conf import settings
      from django.test.runner import DiscoverRunner
      # sys.argv is never read here: this comment does not count
      settings.configure(INSTALLED_APPS=["app"])
      django.setup()
      raise SystemExit(bool(DiscoverRunner().run_tests(["app"])))
      """
    XCTAssertEqual(LabelRoute.route(forScript: script), .insideRunner)
  }

  func testAScriptThatCannotBeReadKeepsTheCommandLine() {
    XCTAssertEqual(LabelRoute.route(for: ["python", "missing-runtests.py"], in: "/nonexistent"), .commandLine)
  }

  func testAPlanWithLabelsInsideKeepsThemOffTheCommandLineAndCanBePrepared() throws {
    var request = RunRequest()
    request.command = "python runtests.py"
    request.labels = ["app.tests.A"]
    let arguments = try request.arguments(python: "/p/python", labelRoute: .insideRunner)
    XCTAssertEqual(arguments, ["/p/python", "runtests.py"])
    func plan(_ labels: [String], awaiting: Bool) -> RunPlan {
      var plan = RunPlan(
        arguments: arguments, directory: "/p", environment: [:], labels: labels, python: "/p/python",
        options: [:], hookDirectory: "/h", projectRoot: "/p")
      plan.labelRoute = .insideRunner
      plan.awaitsLabels = awaiting
      return plan
    }
    XCTAssertTrue(plan([], awaiting: true).canBePrepared(for: plan(["app.tests.A"], awaiting: false)))
  }
}
