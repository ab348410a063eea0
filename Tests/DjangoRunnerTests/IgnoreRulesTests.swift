import XCTest

@testable import DjangoRunner

final class IgnoreRulesTests: XCTestCase {
  private func ignored(_ rules: IgnoreRules, _ path: String, directory: Bool = false) -> Bool {
    rules.isIgnored(path, isDirectory: directory)
  }

  func testBuiltInFoldersAreIgnoredAtAnyDepthWithTheirContents() {
    let rules = IgnoreRules()
    for folder in [
      ".git", ".hg", ".svn", "__pycache__", "node_modules", ".djdash", ".tox", ".nox", ".mypy_cache",
      ".pytest_cache", ".ruff_cache", "htmlcov", ".idea", ".vscode", "build", "dist", "media", "staticfiles",
      "static_root", "mysite.egg-info",
    ] {
      XCTAssertTrue(ignored(rules, folder, directory: true), folder)
      XCTAssertTrue(ignored(rules, "app/" + folder, directory: true), folder)
      XCTAssertTrue(ignored(rules, folder + "/inner/file.py"), folder)
    }
    XCTAssertTrue(ignored(rules, ".git/index"))
    XCTAssertTrue(ignored(rules, "polls/__pycache__/models.cpython-311.pyc"))
  }

  func testSourceFoldersAndFilesAreWatched() {
    let rules = IgnoreRules()
    XCTAssertFalse(ignored(rules, "polls", directory: true))
    XCTAssertFalse(ignored(rules, "polls/static", directory: true))
    XCTAssertFalse(ignored(rules, "polls/static/polls/style.css"))
    XCTAssertFalse(ignored(rules, "polls/templates/polls/index.html"))
    XCTAssertFalse(ignored(rules, "polls/tests.py"))
    XCTAssertFalse(ignored(rules, "manage.py"))
    XCTAssertFalse(ignored(rules, ".coveragerc"))
    XCTAssertFalse(ignored(rules, "./polls/models.py"))
    XCTAssertFalse(ignored(rules, "", directory: true))
    // A file named like an ignored folder is a file.
    XCTAssertFalse(ignored(rules, "docs/build"))
  }

  func testBuiltInFileRules() {
    let rules = IgnoreRules()
    for file in [
      "a.pyc", "a.pyo", ".a.py.swp", ".a.py.swx", ".a.py.swo", "a.py~", ".#a.py", "#a.py#", "4913", "a.py.tmp",
      "db.sqlite3", "db.sqlite3-journal", "db.sqlite3-wal", "db.sqlite3-shm", ".coverage", ".coverage.host.123.456",
    ] {
      XCTAssertTrue(ignored(rules, file), file)
      XCTAssertTrue(ignored(rules, "polls/" + file), file)
    }
    XCTAssertFalse(ignored(rules, "#"))
    XCTAssertFalse(ignored(rules, "polls/4913.py"))
  }

  func testAFolderHoldingPyvenvCfgIsAVirtualenvWhateverItsName() throws {
    let project = try TemporaryFolder()
    try project.write("env-3.11/pyvenv.cfg", "home = /usr/bin\n")
    try project.write("env-3.11/lib/python3.11/site-packages/django/__init__.py")
    try project.write("polls/models.py")
    let rules = IgnoreRules(root: project.path)
    XCTAssertTrue(ignored(rules, "env-3.11", directory: true))
    XCTAssertTrue(ignored(rules, "env-3.11/lib/python3.11/site-packages/django/__init__.py"))
    XCTAssertFalse(ignored(rules, "polls", directory: true))
    XCTAssertFalse(ignored(rules, "polls/models.py"))
    // Rules read without a root cannot look for pyvenv.cfg.
    XCTAssertFalse(ignored(IgnoreRules(), "env-3.11", directory: true))
  }

  func testBlankLinesCommentsAndTrailingSpaces() {
    let rules = IgnoreRules(gitignore: "\n# secrets.py\n   \nlocal.py   \n\\#notes.txt\nspace\\ \n")
    XCTAssertEqual(rules.patterns.count, 3)
    XCTAssertFalse(ignored(rules, "secrets.py"))
    XCTAssertTrue(ignored(rules, "local.py"))
    XCTAssertTrue(ignored(rules, "#notes.txt"))
    XCTAssertTrue(ignored(rules, "space "))
    XCTAssertFalse(ignored(rules, "space"))
  }

  func testANameWithoutSlashMatchesAtAnyDepth() {
    let rules = IgnoreRules(gitignore: "*.log\nlocal_settings.py\n")
    XCTAssertTrue(ignored(rules, "debug.log"))
    XCTAssertTrue(ignored(rules, "a/b/debug.log"))
    XCTAssertTrue(ignored(rules, "mysite/local_settings.py"))
    XCTAssertFalse(ignored(rules, "mysite/settings.py"))
    // Matching a folder ignores what is inside it.
    XCTAssertTrue(ignored(rules, "logs.log/today.txt"))
  }

  func testNegationReincludesButNotInsideAnIgnoredFolder() {
    let rules = IgnoreRules(gitignore: "*.json\n!fixtures.json\nsecret/\n!secret/keep.py\n")
    XCTAssertTrue(ignored(rules, "data.json"))
    XCTAssertFalse(ignored(rules, "polls/fixtures.json"))
    XCTAssertTrue(ignored(rules, "secret/keep.py"))
    // The last matching pattern decides.
    let reversed = IgnoreRules(gitignore: "!fixtures.json\n*.json\n")
    XCTAssertTrue(ignored(reversed, "fixtures.json"))
    // Everything at the root but one folder.
    let only = IgnoreRules(gitignore: "/*\n!/polls\n")
    XCTAssertTrue(ignored(only, "manage.py"))
    XCTAssertTrue(ignored(only, "mysite", directory: true))
    XCTAssertFalse(ignored(only, "polls", directory: true))
    XCTAssertFalse(ignored(only, "polls/models.py"))
  }

  func testTrailingSlashMatchesFoldersOnly() {
    let rules = IgnoreRules(gitignore: "cache/\n")
    XCTAssertTrue(ignored(rules, "cache", directory: true))
    XCTAssertTrue(ignored(rules, "polls/cache", directory: true))
    XCTAssertTrue(ignored(rules, "polls/cache/x.py"))
    XCTAssertFalse(ignored(rules, "cache"))
    XCTAssertFalse(ignored(rules, "polls/cache"))
  }

  func testLeadingOrInnerSlashAnchorsToTheFolder() {
    let rules = IgnoreRules(gitignore: "/config.py\ndocs/generated\n")
    XCTAssertTrue(ignored(rules, "config.py"))
    XCTAssertFalse(ignored(rules, "polls/config.py"))
    XCTAssertTrue(ignored(rules, "docs/generated", directory: true))
    XCTAssertTrue(ignored(rules, "docs/generated/api.html"))
    XCTAssertFalse(ignored(rules, "polls/docs/generated", directory: true))
  }

  func testWildcardsStayWithinOneFolder() {
    let rules = IgnoreRules(gitignore: "polls/*.txt\nnote?.md\nfile[0-9].py\nother[!a].py\n")
    XCTAssertTrue(ignored(rules, "polls/a.txt"))
    XCTAssertFalse(ignored(rules, "polls/sub/a.txt"))
    XCTAssertTrue(ignored(rules, "note1.md"))
    XCTAssertFalse(ignored(rules, "note12.md"))
    XCTAssertTrue(ignored(rules, "x/file7.py"))
    XCTAssertFalse(ignored(rules, "x/filex.py"))
    XCTAssertTrue(ignored(rules, "otherb.py"))
    XCTAssertFalse(ignored(rules, "othera.py"))
  }

  func testDoubleStars() {
    let leading = IgnoreRules(gitignore: "**/migrations/0*.py\n")
    XCTAssertTrue(ignored(leading, "migrations/0001_initial.py"))
    XCTAssertTrue(ignored(leading, "apps/polls/migrations/0002_choice.py"))
    XCTAssertFalse(ignored(leading, "apps/polls/migrations/__init__.py"))

    let inner = IgnoreRules(gitignore: "a/**/b.py\n")
    XCTAssertTrue(ignored(inner, "a/b.py"))
    XCTAssertTrue(ignored(inner, "a/x/y/b.py"))
    XCTAssertFalse(ignored(inner, "c/a/b.py"))

    let trailing = IgnoreRules(gitignore: "generated/**\n!generated/keep.py\n")
    XCTAssertFalse(ignored(trailing, "generated", directory: true))
    XCTAssertTrue(ignored(trailing, "generated/x.py"))
    XCTAssertTrue(ignored(trailing, "generated/sub", directory: true))
    XCTAssertFalse(ignored(trailing, "generated/keep.py"))
  }

  func testNestedGitignoresApplyBelowTheirFolder() {
    let rules = IgnoreRules(gitignoreFiles: [
      "": "*.csv\n",
      "polls": "/local.py\n!keep.csv\n",
    ])
    XCTAssertTrue(ignored(rules, "polls/local.py"))
    XCTAssertFalse(ignored(rules, "local.py"))
    XCTAssertFalse(ignored(rules, "polls/sub/local.py"))
    XCTAssertFalse(ignored(rules, "polls/keep.csv"))
    XCTAssertTrue(ignored(rules, "keep.csv"))
    XCTAssertTrue(ignored(rules, "polls/other.csv"))
  }

  func testReadsTheGitignoreFilesOfAProject() throws {
    let project = try TemporaryFolder()
    try project.write(".gitignore", "*.csv\nhidden/\n")
    try project.write("polls/.gitignore", "generated.py\n")
    try project.write("hidden/.gitignore", "!*.csv\n")
    let rules = IgnoreRules(root: project.path)
    XCTAssertTrue(ignored(rules, "data.csv"))
    XCTAssertTrue(ignored(rules, "polls/generated.py"))
    XCTAssertFalse(ignored(rules, "generated.py"))
    // The .gitignore of an ignored folder is not read.
    XCTAssertFalse(rules.patterns.contains { $0.folder == "hidden" })
    XCTAssertTrue(ignored(rules.reloaded(), "polls/generated.py"))
  }
}
