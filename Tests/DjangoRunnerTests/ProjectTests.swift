import Foundation
import XCTest

@testable import DjangoRunner

final class ProjectTests: XCTestCase {
  private var folder: TemporaryFolder!

  override func setUpWithError() throws {
    folder = try TemporaryFolder("djdash-project")
  }

  override func tearDown() {
    folder = nil
  }

  private func configuration(_ toml: String) throws -> RunRequest {
    try folder.write("pyproject.toml", toml)
    return try Project.readConfiguration(in: folder.path)
  }

  private func configurationError(_ toml: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
      _ = try configuration(toml)
      XCTFail("expected a ProjectError", file: file, line: line)
      return ""
    } catch let error as ProjectError {
      return error.description
    } catch {
      XCTFail("expected a ProjectError, got \(error)", file: file, line: line)
      return ""
    }
  }

  // MARK: locate

  func testLocateFindsManagePyInTheFolder() throws {
    try folder.write("manage.py")
    let project = try Project.locate(from: folder.path, command: nil)
    XCTAssertEqual(project.root, folder.path)
  }

  func testLocateFindsManagePyInAParent() throws {
    try folder.write("manage.py")
    let deep = try folder.folder("shop/tests/unit")
    XCTAssertEqual(try Project.locate(from: deep, command: nil).root, folder.path)
  }

  func testLocateTakesTheNearestManagePy() throws {
    try folder.write("manage.py")
    try folder.write("inner/manage.py")
    let deep = try folder.folder("inner/app")
    XCTAssertEqual(try Project.locate(from: deep, command: nil).root, folder.path + "/inner")
  }

  func testLocateStandardizesTheStartingPath() throws {
    try folder.write("manage.py")
    try folder.folder("shop")
    XCTAssertEqual(try Project.locate(from: folder.path + "/shop/../shop/.", command: nil).root, folder.path)
  }

  func testWithoutManagePyOrCommandTheErrorMentionsCommand() throws {
    let start = try folder.folder("app")
    XCTAssertThrowsError(try Project.locate(from: start, command: nil)) { error in
      let message = (error as? ProjectError)?.description ?? "\(error)"
      XCTAssertTrue(message.contains("--command"), message)
      XCTAssertTrue(message.contains(start), "names where it looked: \(message)")
    }
  }

  func testWithACommandNoManagePyIsNeeded() throws {
    let start = try folder.folder("reusable-app")
    let project = try Project.locate(from: start, command: "python runtests.py")
    XCTAssertEqual(project.root, start)
    XCTAssertEqual(project.configuration, RunRequest())
  }

  func testACommandInTheConfigurationIsEnoughToo() throws {
    try folder.write("pyproject.toml", "[tool.djdash]\ncommand = \"python runtests.py\"\n")
    let project = try Project.locate(from: folder.path, command: nil)
    XCTAssertEqual(project.configuration.command, "python runtests.py")
  }

  func testLocateReadsTheProjectsConfiguration() throws {
    try folder.write("manage.py")
    try folder.write("pyproject.toml", "[tool.djdash]\nlabels = [\"shop\"]\nkeepdb = true\n")
    let project = try Project.locate(from: try folder.folder("shop"), command: nil)
    XCTAssertEqual(project.configuration.labels, ["shop"])
    XCTAssertTrue(project.configuration.keepdb)
  }

  // MARK: [tool.djdash]

  func testMissingPyprojectIsAnEmptyConfiguration() throws {
    XCTAssertEqual(try Project.readConfiguration(in: folder.path), RunRequest())
  }

  func testPyprojectWithoutTheSectionIsAnEmptyConfiguration() throws {
    XCTAssertEqual(try configuration("[project]\nname = \"shop\"\n\n[tool.black]\nline-length = 100\n"), RunRequest())
  }

  func testEveryKeyIsRead() throws {
    let config = try configuration(
      """
      [tool.djdash]
      labels = ["shop", "orders"]
      parallel = 2
      shuffle = 7
      k = ["x"]
      tag = "slow"
      exclude_tag = ["db", "net"]
      keepdb = true
      reverse = true
      failfast = true
      command = "python runtests.py"
      python = ".venv/bin/python"
      settings = "shop.settings.test"
      pattern = "check_*.py"
      args = ["--debug-sql", "-v", "2"]
      test-timeout = 30
      on-timeout = "stop"
      theme = "light"
      """)
    XCTAssertEqual(config.labels, ["shop", "orders"])
    XCTAssertEqual(config.parallel, .processes(2))
    XCTAssertEqual(config.shuffle, .seed(7))
    XCTAssertEqual(config.testNamePatterns, ["x"])
    XCTAssertEqual(config.tags, ["slow"])
    XCTAssertEqual(config.excludeTags, ["db", "net"])
    XCTAssertTrue(config.keepdb)
    XCTAssertTrue(config.reverse)
    XCTAssertTrue(config.failfast)
    XCTAssertEqual(config.command, "python runtests.py")
    XCTAssertEqual(config.python, ".venv/bin/python")
    XCTAssertEqual(config.settings, "shop.settings.test")
    XCTAssertEqual(config.pattern, "check_*.py")
    XCTAssertEqual(config.passthrough, ["--debug-sql", "-v", "2"])
    XCTAssertEqual(config.testTimeout, 30)
    XCTAssertEqual(config.stopOnTimeout, true)
    XCTAssertEqual(config.theme, "light")
  }

  func testParallelAuto() throws {
    XCTAssertEqual(try configuration("[tool.djdash]\nparallel = \"auto\"\n").parallel, .auto)
  }

  func testShuffleTrueIsRandom() throws {
    XCTAssertEqual(try configuration("[tool.djdash]\nshuffle = true\n").shuffle, .random)
  }

  func testShuffleFalseIsNoShuffle() throws {
    XCTAssertNil(try configuration("[tool.djdash]\nshuffle = false\n").shuffle)
  }

  func testDashedAndPluralKeyNames() throws {
    let config = try configuration(
      "[tool.djdash]\nexclude-tags = [\"a\"]\ntags = [\"b\"]\ntest_timeout = 1.5\non_timeout = \"continue\"\n")
    XCTAssertEqual(config.excludeTags, ["a"])
    XCTAssertEqual(config.tags, ["b"])
    XCTAssertEqual(config.testTimeout, 1.5)
    XCTAssertEqual(config.stopOnTimeout, false)
  }

  func testDottedKeysFormOfTheSection() throws {
    let config = try configuration("[tool]\ndjdash.labels = \"shop\"\n")
    XCTAssertEqual(config.labels, ["shop"])
  }

  func testUnknownKeyIsNamed() {
    let message = configurationError("[tool.djdash]\nparalel = 2\n")
    XCTAssertTrue(message.contains("unknown key \"paralel\""), message)
    XCTAssertTrue(message.contains(folder.path + "/pyproject.toml"), "names the file: \(message)")
  }

  func testWrongTypeForAFlagNamesTheKey() {
    let message = configurationError("[tool.djdash]\nkeepdb = \"yes\"\n")
    XCTAssertTrue(message.contains("keepdb"), message)
    XCTAssertTrue(message.contains("true or false"), message)
  }

  func testWrongTypeForParallelNamesTheKey() {
    let message = configurationError("[tool.djdash]\nparallel = \"many\"\n")
    XCTAssertTrue(message.contains("parallel"), message)
    XCTAssertTrue(message.contains("\"auto\""), message)
  }

  func testWrongTypeInAListNamesTheKey() {
    let message = configurationError("[tool.djdash]\nlabels = [\"a\", 3]\n")
    XCTAssertTrue(message.contains("labels"), message)
    XCTAssertTrue(message.contains("list of strings"), message)
  }

  func testWrongTypeForAStringNamesTheKey() {
    let message = configurationError("[tool.djdash]\nsettings = 3\n")
    XCTAssertTrue(message.contains("settings should be a string"), message)
  }

  func testWrongTypeForShuffleNamesTheKey() {
    let message = configurationError("[tool.djdash]\nshuffle = \"yes\"\n")
    XCTAssertTrue(message.contains("shuffle"), message)
  }

  func testNonPositiveTimeoutIsRejected() {
    let message = configurationError("[tool.djdash]\ntest-timeout = 0\n")
    XCTAssertTrue(message.contains("test-timeout"), message)
  }

  func testUnknownOnTimeoutValueIsRejected() {
    let message = configurationError("[tool.djdash]\non-timeout = \"later\"\n")
    XCTAssertTrue(message.contains("on-timeout"), message)
  }

  func testInvalidTOMLIsAClearError() {
    let message = configurationError("[tool.djdash\nlabels = \n")
    XCTAssertTrue(message.hasPrefix("cannot read \(folder.path)/pyproject.toml"), message)
  }

  // MARK: PythonLocator

  private func fakePython(_ relative: String) throws -> String {
    try folder.write(relative, "#!/bin/sh\n", executable: true)
  }

  func testExplicitAbsolutePathWins() throws {
    let explicit = try fakePython("elsewhere/bin/python")
    _ = try fakePython("project/.venv/bin/python")
    let found = try PythonLocator.locate(
      explicit: explicit, projectRoot: folder.path + "/project",
      environment: ["VIRTUAL_ENV": folder.path + "/project/.venv"])
    XCTAssertEqual(found, explicit)
  }

  func testExplicitRelativePathIsResolvedAgainstTheProject() throws {
    let python = try fakePython("project/tools/py")
    let found = try PythonLocator.locate(
      explicit: "tools/../tools/py", projectRoot: folder.path + "/project", environment: [:])
    XCTAssertEqual(found, python)
  }

  func testExplicitNameIsLookedUpInPath() throws {
    let python = try fakePython("bin/python3.12")
    let found = try PythonLocator.locate(
      explicit: "python3.12", projectRoot: folder.path, environment: ["PATH": folder.path + "/bin"])
    XCTAssertEqual(found, python)
  }

  func testExplicitPathThatDoesNotExistIsAClearError() {
    let missing = folder.path + "/nope/bin/python"
    XCTAssertThrowsError(try PythonLocator.locate(explicit: missing, projectRoot: folder.path, environment: [:])) {
      error in
      let message = (error as? ProjectError)?.description ?? "\(error)"
      XCTAssertTrue(message.contains("--python"), message)
      XCTAssertTrue(message.contains(missing), message)
    }
  }

  func testExplicitFileThatIsNotExecutableIsAnError() throws {
    let plain = try folder.write("bin/python", "")
    XCTAssertThrowsError(try PythonLocator.locate(explicit: plain, projectRoot: folder.path, environment: [:]))
  }

  func testExplicitNameNotInPathIsAClearError() {
    XCTAssertThrowsError(
      try PythonLocator.locate(explicit: "pythonZZ", projectRoot: folder.path, environment: ["PATH": folder.path])
    ) { error in
      let message = (error as? ProjectError)?.description ?? "\(error)"
      XCTAssertTrue(message.contains("not found in PATH"), message)
    }
  }

  func testVirtualEnvComesBeforeTheProjectsVenvs() throws {
    let active = try fakePython("active-env/bin/python")
    _ = try fakePython("project/.venv/bin/python")
    _ = try fakePython("project/venv/bin/python")
    let found = try PythonLocator.locate(
      explicit: nil, projectRoot: folder.path + "/project", environment: ["VIRTUAL_ENV": folder.path + "/active-env"])
    XCTAssertEqual(found, active)
  }

  func testDotVenvComesBeforeVenv() throws {
    let dotVenv = try fakePython("project/.venv/bin/python")
    _ = try fakePython("project/venv/bin/python")
    XCTAssertEqual(
      try PythonLocator.locate(explicit: nil, projectRoot: folder.path + "/project", environment: [:]), dotVenv)
  }

  func testVenvIsUsedWhenThereIsNoDotVenv() throws {
    let venv = try fakePython("project/venv/bin/python")
    XCTAssertEqual(
      try PythonLocator.locate(explicit: nil, projectRoot: folder.path + "/project", environment: [:]), venv)
  }

  func testVirtualEnvWithoutPythonFallsThroughToTheProject() throws {
    try folder.folder("broken-env/bin")
    let venv = try fakePython("project/venv/bin/python")
    let found = try PythonLocator.locate(
      explicit: nil, projectRoot: folder.path + "/project", environment: ["VIRTUAL_ENV": folder.path + "/broken-env"])
    XCTAssertEqual(found, venv)
  }

  func testPathPython3IsTheLastResort() throws {
    let python3 = try fakePython("bin/python3")
    _ = try fakePython("bin/python")
    let found = try PythonLocator.locate(
      explicit: nil, projectRoot: folder.path + "/project",
      environment: ["PATH": folder.path + "/empty:" + folder.path + "/bin"])
    XCTAssertEqual(found, python3)
  }

  func testNoPythonAnywhereIsAClearError() {
    XCTAssertThrowsError(
      try PythonLocator.locate(explicit: nil, projectRoot: folder.path, environment: ["PATH": folder.path + "/empty"])
    ) { error in
      let message = (error as? ProjectError)?.description ?? "\(error)"
      XCTAssertTrue(message.contains("no Python found"), message)
      XCTAssertTrue(message.contains("--python"), message)
    }
  }
}
