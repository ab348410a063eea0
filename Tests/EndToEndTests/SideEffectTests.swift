import DjangoRunner
import TestSupport
import XCTest

/// The hook observes and never changes what a test does: the `sideeffects` fixture's
/// tests turn red if anything but the test runs their values' code (a subtest parameter's
/// repr, a QuerySet evaluated again, a lazy object set up), if settings are read before
/// its runtests.py configures them, or if a label is put on the command line of a script
/// that takes none. Every verdict, count and exit code must be Django's own.
final class SideEffectTests: XCTestCase {
  static let fixture = TestPaths.fixtures + "/sideeffects"

  /// A second project's settings, importable, as a DJANGO_SETTINGS_MODULE left in the
  /// shell from other work: nothing may load them before runtests.py's settings.configure().
  private func otherProjectsSettings() throws -> [String: String] {
    let folder = try TestPaths.temporaryFolder("djdash-other-project")
    try FileManager.default.createDirectory(atPath: folder + "/otherproject", withIntermediateDirectories: true)
    try "".write(toFile: folder + "/otherproject/__init__.py", atomically: true, encoding: .utf8)
    try """
    SECRET_KEY = "another-project"
    INSTALLED_APPS = ["django.contrib.contenttypes"]
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent/other.sqlite3"}}
    """.write(toFile: folder + "/otherproject/settings.py", atomically: true, encoding: .utf8)
    return ["DJANGO_SETTINGS_MODULE": "otherproject.settings", "PYTHONPATH": folder]
  }

  private func assertNoHookTrouble(
    _ run: RecordedRun, _ context: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    let warnings = run.events.compactMap { if case .warning(let text) = $0.event { return text } else { return nil } }
    XCTAssertEqual(warnings, [], context, file: file, line: line)
    for trace in ["djdash_hook", "djdash's hook"] {
      XCTAssertFalse(
        run.runnerOutput.contains(trace), "\(context): \(run.runnerOutput.suffix(2000))", file: file, line: line)
    }
  }

  func testVerdictsEqualDjangosThroughAScriptThatConfiguresSettingsAfterImportingTheRunner() throws {
    for version in DjangoVersion.supported {
      let python = try version.python()
      let project = try TestPaths.copy(Self.fixture)
      for environment in [[:], try otherProjectsSettings()] {
        let context = "Django \(version.rawValue), environment \(environment)"
        let expected = try DjangoOracle.verdicts(
          ofScript: "runtests.py", project: project, python: python, environment: environment)
        XCTAssertEqual(expected.count, 12, context)
        XCTAssertEqual(expected.values.filter { $0 == .fail }.count, 2, context)
        var request = RunRequest()
        request.command = "python runtests.py"
        let run = try TestRun.run(project: project, python: python, request: request, environment: environment)
        XCTAssertEqual(run.outcomes, expected, context)
        XCTAssertEqual(run.summary.exitCode, 1, context)
        assertNoHookTrouble(run, context)

        let subtests = try XCTUnwrap(
          run.report("sideeffects.tests.FailingSubtestTests.test_a_failing_subtest_is_reported_with_its_parameters")
        )
        .subtests
        XCTAssertEqual(
          subtests.map(\.description),
          [
            "(number=1, watched=<sideeffects.tests.Watched object>)",
            "(number=2, watched=<sideeffects.tests.Watched object>)",
          ],
          context)
        let queryset = try XCTUnwrap(
          run.report("sideeffects.tests.SubtestParameterTests.test_a_queryset_parameter_is_not_evaluated_again"))
        XCTAssertEqual(queryset.subtests.first?.description, "(items=<QuerySet of Item, not evaluated>)", context)
      }
    }
  }

  func testLabelsReachAScriptThatTakesNoneOnItsCommandLine() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(Self.fixture)
    var request = RunRequest()
    request.command = "python runtests.py"
    request.labels = ["sideeffects.tests.OutputTests"]
    let run = try TestRun.run(project: project, python: python, request: request)
    XCTAssertEqual(
      run.outcomes,
      [
        "sideeffects.tests.OutputTests.test_huge_output": .pass,
        "sideeffects.tests.OutputTests.test_output_that_is_not_utf8": .pass,
      ], run.runnerOutput)
    XCTAssertEqual(run.summary.exitCode, 0)
    guard case .runStarted(let start)? = run.events(named: "run_started").first?.event else {
      return XCTFail("no run_started")
    }
    XCTAssertEqual(start.labelsInsideRunner, true)
    XCTAssertFalse(start.command.contains("sideeffects.tests.OutputTests"), "\(start.command)")

    // Headless, djdash says which way the labels went.
    let shown = try Shell.djdash(
      ["run", "--python", python, "--command", "python runtests.py", "sideeffects.tests.OutputTests"], in: project)
    XCTAssertEqual(shown.status, 0, shown.output)
    XCTAssertTrue(shown.stderr.contains("given to Django's runner inside"), shown.stderr)
    XCTAssertTrue(shown.stdout.contains("2 passed, 0 failed"), shown.stdout)
  }

  func testDjangosOwnOutputFlagsKeepDjangosVerdicts() throws {
    for version in DjangoVersion.supported {
      let python = try version.python()
      let project = try TestPaths.copy(Self.fixture)
      // --durations needs Python 3.12 (Django 6's root has 3.13).
      let flags =
        ["--buffer", "--timing", "--debug-sql"] + ([.v60, .v61].contains(version) ? ["--durations", "3"] : [])
      let expected = try DjangoOracle.verdicts(project: project, python: python, arguments: flags)
      XCTAssertEqual(expected.count, 12)
      var request = RunRequest()
      request.passthrough = flags
      let run = try TestRun.run(project: project, python: python, request: request)
      XCTAssertEqual(run.outcomes, expected, "Django \(version.rawValue)")
      XCTAssertEqual(run.summary.exitCode, 1)
      assertNoHookTrouble(run, "Django \(version.rawValue) \(flags)")
    }
  }
}
