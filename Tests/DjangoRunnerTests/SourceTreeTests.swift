import Foundation
import TestSupport
import XCTest

@testable import DjangoRunner

/// Where the project is: the folders the runner imports from, not where djdash started.
final class SourceTreeTests: XCTestCase {
  private func report(_ directory: String, _ folders: [String]) -> ProjectReport {
    ProjectReport(
      directory: directory, sourceFolders: folders, settingsModule: nil, apps: [], rootURLConf: nil, middleware: [],
      templates: [], fixtureDirs: [], authenticationBackends: [], emailBackend: "", storages: [:], modules: [])
  }

  func testAProjectWithManagePyAtItsRootIsThatFolder() throws {
    let folder = try TemporaryFolder()
    try folder.write("site/manage.py", "import os, sys\n")
    let tree = SourceTree.find(commandDirectory: folder.path + "/site", report: nil)
    XCTAssertEqual(tree, SourceTree(root: folder.path + "/site", sourceRoots: [""]))
  }

  func testATestProjectThatPutsTheFolderAboveOnSysPathIsPartOfIt() throws {
    let folder = try TemporaryFolder()
    let manage = "sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), \"..\"))\n"
    try folder.write("repo/tests/manage.py", manage)
    let tree = SourceTree.find(
      commandDirectory: folder.path + "/repo/tests", report: nil, scripts: [(manage, folder.path + "/repo/tests")])
    XCTAssertEqual(tree, SourceTree(root: folder.path + "/repo", sourceRoots: ["tests", ""]))
    XCTAssertEqual(tree.module(of: "tests/testapp/models.py")?.module, "testapp.models")
    XCTAssertEqual(tree.module(of: "shelf/utils.py")?.module, "shelf.utils")
  }

  func testADotDotIsTheScriptsOwnParentNotTheWorkingDirectorys() throws {
    // `python tests/manage.py test` run at the repository's root: tests/manage.py puts the
    // repository (its own folder's parent) on sys.path, not the folder above the root.
    let folder = try TemporaryFolder()
    let manage = "sys.path.insert(0, os.path.join(os.path.dirname(__file__), \"..\"))\n"
    try folder.write("repo/tests/manage.py", manage)
    let tree = SourceTree.find(
      commandDirectory: folder.path + "/repo", report: nil, scripts: [(manage, folder.path + "/repo/tests")])
    XCTAssertEqual(tree, SourceTree(root: folder.path + "/repo", sourceRoots: [""]))
  }

  func testTheScriptPythonRunsPutsItsOwnFolderOnSysPath() throws {
    // django-js-asset's layout, asked from the repository's root as tox runs it:
    // `python tests/manage.py test testapp` imports `testapp` from tests/ (sys.path[0]),
    // so its tests are `testapp.…`, not `tests.testapp.…`.
    let folder = try TemporaryFolder()
    try folder.write("repo/pyproject.toml", "[project]\nname = \"lib\"\n")
    try folder.write("repo/lib/__init__.py")
    try folder.write("repo/lib/js.py", "def render(): return 1\n")
    try folder.write(
      "repo/tests/manage.py",
      "import os, sys\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"testapp.settings\")\n"
        + "sys.path.insert(0, dirname(dirname(abspath(__file__))))\n")
    try folder.write("repo/tests/testapp/__init__.py")
    try folder.write("repo/tests/testapp/settings.py", "INSTALLED_APPS = []\n")
    try folder.write("repo/tests/testapp/test_js.py", "from lib.js import render\n")
    let repo = folder.path + "/repo"
    let project = try Project.locate(from: repo, command: "python tests/manage.py test testapp")
    XCTAssertEqual(project.root, repo)
    XCTAssertEqual(project.sourceRoots, ["", "tests"])
    let selection = TestSelector(graph: project.dependencyGraph(for: RunRequest(), environment: [:]))
      .selection(for: ["lib/js.py"])
    XCTAssertEqual(selection.labels, ["testapp"])
    // `python -m django test` has no script: the working directory is sys.path[0].
    XCTAssertNil(Project.runScript(of: ["python", "-m", "django", "test", "--settings=tests.settings"]))
    XCTAssertEqual(Project.runScript(of: ["python3", "-W", "error", "tests/manage.py", "test"]), "tests/manage.py")
    XCTAssertEqual(Project.runScript(of: ["./runtests.py", "app/tests/test_x.py"]), "./runtests.py")
  }

  func testAPackageRepositoryAboveTheTestProjectIsTheProject() throws {
    let folder = try TemporaryFolder()
    try folder.write("repo/pyproject.toml", "[project]\nname = \"x\"\n")
    try folder.write("repo/src/shelf/__init__.py")
    try folder.write("repo/tests/manage.py")
    let tree = SourceTree.find(commandDirectory: folder.path + "/repo/tests", report: nil)
    XCTAssertEqual(tree, SourceTree(root: folder.path + "/repo", sourceRoots: ["tests", "", "src"]))
    XCTAssertEqual(tree.module(of: "src/shelf/__init__.py")?.module, "shelf")
  }

  func testAPyprojectWithoutAPackageIsNotALibraryAbove() throws {
    let folder = try TemporaryFolder()
    try folder.write("tools/pyproject.toml", "[tool.ruff]\n")
    try folder.write("tools/site/manage.py")
    let tree = SourceTree.find(commandDirectory: folder.path + "/tools/site", report: nil)
    XCTAssertEqual(tree.root, folder.path + "/tools/site")
  }

  func testTheRunnersReportWinsOverTheGuess() throws {
    let folder = try TemporaryFolder()
    try folder.write("repo/tests/manage.py")  // nothing in it names the folder above
    let tests = folder.path + "/repo/tests"
    let tree = SourceTree.find(
      commandDirectory: tests, report: report(tests, [folder.path + "/repo", tests, "/usr/lib/elsewhere"]))
    XCTAssertEqual(tree, SourceTree(root: folder.path + "/repo", sourceRoots: ["tests", ""]))
  }

  func testNeverAboveARepositorysRoot() throws {
    let folder = try TemporaryFolder()
    try folder.write("mono/pyproject.toml", "[project]\nname = \"mono\"\n")
    try folder.write("mono/lib/__init__.py")
    try folder.write("mono/site/.git/HEAD")
    try folder.write("mono/site/manage.py")
    let site = folder.path + "/mono/site"
    XCTAssertEqual(SourceTree.find(commandDirectory: site, report: nil).root, site)
    XCTAssertEqual(
      SourceTree.find(commandDirectory: site, report: report(site, [folder.path + "/mono", site])).root, site)
  }

  func testTheLastReportIsFoundAboveTheTestProjectAndKeptWhole() throws {
    let folder = try TemporaryFolder()
    try folder.write("repo/tests/manage.py")
    let tests = folder.path + "/repo/tests"
    let saved = report(tests, [folder.path + "/repo", tests])
    saved.save(projectRoot: folder.path + "/repo")
    XCTAssertEqual(Project.lastReport(commandDirectory: tests), saved)
    let project = try Project.locate(from: tests, command: nil)
    XCTAssertEqual(project.root, folder.path + "/repo")
    XCTAssertEqual(project.commandDirectory, tests)
    XCTAssertEqual(project.sourceRoots, ["tests", ""])
    let plan = try project.plan(for: RunRequest(), environment: ["PATH": "/usr/bin:/bin"])
    XCTAssertEqual(plan.directory, tests, "manage.py runs where it is")
    XCTAssertEqual(plan.projectRoot, folder.path + "/repo")
  }

  func testModulesAreNamedFromTheirSourceRootAndAlsoAnswerToTheirFullName() throws {
    let folder = try TemporaryFolder()
    try folder.write("shelf/__init__.py")
    try folder.write("shelf/labels.py", "def label(): pass\n")
    try folder.write("tests/testapp/__init__.py")
    try folder.write("tests/testapp/tests/__init__.py")
    try folder.write("tests/testapp/tests/test_labels.py", "from shelf.labels import label\n")
    try folder.write("tests/testapp/tests/test_other.py", "from tests.testapp import models\n")
    try folder.write("tests/testapp/models.py")
    let graph = ProjectGraph(root: folder.path, sourceRoots: ["tests", ""])
    XCTAssertEqual(graph.testModules["tests/testapp/tests/test_labels.py"], "testapp.tests.test_labels")
    let selector = TestSelector(graph: graph)
    XCTAssertEqual(selector.selection(for: ["shelf/labels.py"]).labels, ["testapp.tests.test_labels"])
    XCTAssertTrue(
      selector.selection(for: ["tests/testapp/models.py"]).labels.contains("testapp.tests.test_other")
        || selector.selection(for: ["tests/testapp/models.py"]).isEverything)
  }
}
