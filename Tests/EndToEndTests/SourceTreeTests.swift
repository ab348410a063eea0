import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// The commonest layout of a reusable app (`shelfrepo`): the library at the repository's
/// root, the test project with its manage.py in `tests/`. djdash started beside manage.py
/// treats the repository as the project: it watches the library and selects its tests.
final class SourceTreeEndToEndTests: XCTestCase {
  func testAffectedFromTheTestProjectSelectsTheLibrarysTestsBeforeAndAfterARun() throws {
    let python = try DjangoVersion.v52.python()
    let repository = try TestPaths.copy(TestPaths.fixtures + "/shelfrepo")
    let tests = repository + "/tests"
    let before = try Shell.djdash(["affected", "--why", "../shelf/labels.py"], in: tests)
    XCTAssertEqual(before.status, 0, before.output)
    XCTAssertEqual(before.stdout.split(separator: "\n").first, "testapp.tests.test_labels", before.output)
    XCTAssertTrue(before.stdout.contains("tests/testapp/tests/test_labels.py imports it"), before.stdout)

    let run = try Shell.djdash(["run", "--python", python], in: tests)
    XCTAssertEqual(run.status, 0, run.output)
    XCTAssertTrue(run.stdout.contains("3 passed, 0 failed"), run.stdout)
    let report = try XCTUnwrap(ProjectReport.load(projectRoot: repository), "the runner's report is kept")
    XCTAssertEqual(Set(report.sourceFolders), [repository, tests])
    XCTAssertEqual(report.settingsModule, "testproject.settings")
    XCTAssertTrue(report.modules.contains(repository + "/shelf/models.py"), "\(report.modules)")

    for (file, label) in [
      ("../shelf/isbn.py", "testapp.tests.test_isbn"), ("../shelf/models.py", "testapp.tests.test_models"),
      ("testapp/tests/test_labels.py", "testapp.tests.test_labels"),
    ] {
      let after = try Shell.djdash(["affected", file], in: tests)
      XCTAssertEqual(after.stdout, label + "\n", "\(file): \(after.output)")
    }
  }

  func testAModuleATestImportsByNameIsSelectedOnceARunRecordedIt() throws {
    let python = try DjangoVersion.v52.python()
    let repository = try TestPaths.copy(TestPaths.fixtures + "/shelfrepo")
    let tests = repository + "/tests"
    try "EXTRA = True\n".write(toFile: repository + "/shelf/extra.py", atomically: true, encoding: .utf8)
    try """
    import importlib

    from django.test import SimpleTestCase


    class DynamicTests(SimpleTestCase):
        def test_loads_a_module_by_name(self):
            self.assertTrue(importlib.import_module("shelf." + "extra").EXTRA)
    """.write(toFile: tests + "/testapp/tests/test_dynamic.py", atomically: true, encoding: .utf8)
    let before = try Shell.djdash(["affected", "../shelf/extra.py"], in: tests)
    XCTAssertFalse(before.stdout.contains("test_dynamic"), "no source shows the import: \(before.output)")
    let run = try Shell.djdash(["run", "--python", python], in: tests)
    XCTAssertTrue(run.stdout.contains("4 passed, 0 failed"), run.output)
    let after = try Shell.djdash(["affected", "--why", "../shelf/extra.py"], in: tests)
    XCTAssertEqual(after.stdout.split(separator: "\n").first, "testapp.tests.test_dynamic", after.output)
    XCTAssertTrue(after.stdout.contains("imported it in an earlier run"), after.stdout)
  }

  func testTheDashboardBesideManagePyRerunsTheTestsOfASavedLibraryFile() throws {
    let python = try DjangoVersion.v52.python()
    let repository = try TestPaths.copy(TestPaths.fixtures + "/shelfrepo")
    let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": "true"]
    let tmux = try TmuxSession(
      [TestPaths.binary, "--python", python], in: repository + "/tests", width: 160, height: 40,
      environment: env)
    defer { tmux.close() }
    try tmux.waitFor("3/3", "passed")

    let labels = repository + "/shelf/labels.py"
    let source = try String(contentsOfFile: labels, encoding: .utf8)
    try TestPaths.saveLikeAnEditor(source.replacingOccurrences(of: "%d pages", with: "%d pp."), to: labels)
    // Exactly the library file's tests run (the header shows the command), and fail.
    try tmux.waitFor("the run of the saved library file's tests") { screen in
      screen.contains("saved shelf/labels.py → testapp.tests.test_labels")
        && screen.contains("manage.py test testapp.tests.test_labels ") && screen.contains("1/1")
        && screen.contains("failed")
    }
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }
}
