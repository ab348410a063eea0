import XCTest

@testable import DjangoRunner

final class RunRequestTests: XCTestCase {
  // MARK: runnerOptions

  func testEmptyRequestHasNoOptions() {
    XCTAssertEqual(RunRequest().runnerOptions, [:])
  }

  func testBooleanFlags() {
    var request = RunRequest()
    request.reverse = true
    request.failfast = true
    request.keepdb = true
    XCTAssertEqual(request.runnerOptions, ["reverse": .bool(true), "failfast": .bool(true), "keepdb": .bool(true)])
  }

  func testRandomShuffleIsNull() {
    var request = RunRequest()
    request.shuffle = .random
    XCTAssertEqual(request.runnerOptions, ["shuffle": .null])
  }

  func testShuffleSeedIsANumber() {
    var request = RunRequest()
    request.shuffle = .seed(1234)
    XCTAssertEqual(request.runnerOptions, ["shuffle": .number(1234)])
  }

  func testParallelAutoIsTheStringAuto() {
    var request = RunRequest()
    request.parallel = .auto
    XCTAssertEqual(request.runnerOptions, ["parallel": .string("auto")])
  }

  func testParallelCountIsANumber() {
    var request = RunRequest()
    request.parallel = .processes(4)
    XCTAssertEqual(request.runnerOptions, ["parallel": .number(4)])
  }

  func testListOptionsAndPattern() {
    var request = RunRequest()
    request.testNamePatterns = ["checkout", "*cart*"]
    request.tags = ["slow"]
    request.excludeTags = ["db", "net"]
    request.pattern = "check_*.py"
    XCTAssertEqual(
      request.runnerOptions,
      [
        "test_name_patterns": .array([.string("checkout"), .string("*cart*")]), "tags": .array([.string("slow")]),
        "exclude_tags": .array([.string("db"), .string("net")]), "pattern": .string("check_*.py"),
      ])
  }

  func testLabelsSettingsAndCommandAreNotRunnerOptions() {
    var request = RunRequest()
    request.labels = ["shop"]
    request.settings = "shop.settings"
    request.command = "python runtests.py"
    request.passthrough = ["--debug-sql"]
    request.testTimeout = 3
    XCTAssertEqual(request.runnerOptions, [:])
  }

  func testOptionsEncodeAsTheHookExpects() throws {
    var request = RunRequest()
    request.shuffle = .random
    request.parallel = .auto
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = String(decoding: try encoder.encode(request.runnerOptions), as: UTF8.self)
    XCTAssertEqual(json, #"{"parallel":"auto","shuffle":null}"#)
  }

  // MARK: arguments(python:)

  func testDefaultCommandIsManagePyTest() throws {
    var request = RunRequest()
    request.labels = ["shop", "orders.tests"]
    XCTAssertEqual(
      try request.arguments(python: "/venv/bin/python"),
      ["/venv/bin/python", "manage.py", "test", "shop", "orders.tests"])
  }

  func testCustomCommandStartingWithPythonUsesTheInterpreter() throws {
    var request = RunRequest()
    request.command = "python runtests.py --settings=test_sqlite"
    request.labels = ["basic"]
    request.passthrough = ["--debug-sql", "-v", "2"]
    XCTAssertEqual(
      try request.arguments(python: "/venv/bin/python"),
      ["/venv/bin/python", "runtests.py", "--settings=test_sqlite", "basic", "--debug-sql", "-v", "2"])
  }

  func testCustomCommandStartingWithPython3UsesTheInterpreter() throws {
    var request = RunRequest()
    request.command = "python3 -m django test"
    XCTAssertEqual(try request.arguments(python: "/p/python"), ["/p/python", "-m", "django", "test"])
  }

  func testOtherProgramsAreKept() throws {
    var request = RunRequest()
    request.command = "django-admin test --settings 'my settings'"
    request.labels = ["app"]
    XCTAssertEqual(
      try request.arguments(python: "/p/python"), ["django-admin", "test", "--settings", "my settings", "app"])
    request.command = "python3.12 manage.py test"
    XCTAssertEqual(try request.arguments(python: "/p/python"), ["python3.12", "manage.py", "test", "app"])
    request.command = "/usr/bin/python manage.py test"
    XCTAssertEqual(try request.arguments(python: "/p/python").first, "/usr/bin/python")
  }

  func testOnlyTheFirstWordIsReplaced() throws {
    var request = RunRequest()
    request.command = "python run.py python"
    XCTAssertEqual(try request.arguments(python: "/p/python"), ["/p/python", "run.py", "python"])
  }

  func testDefaultCommandAppendsPassthroughAfterLabels() throws {
    var request = RunRequest()
    request.labels = ["a"]
    request.passthrough = ["--timing"]
    XCTAssertEqual(try request.arguments(python: "py"), ["py", "manage.py", "test", "a", "--timing"])
  }

  func testEmptyCommandIsAnError() {
    var request = RunRequest()
    request.command = "   "
    XCTAssertThrowsError(try request.arguments(python: "py")) { error in
      XCTAssertEqual((error as? ProjectError)?.description, "--command is empty")
    }
  }

  func testBadlyQuotedCommandIsAnError() {
    var request = RunRequest()
    request.command = "python 'runtests.py"
    XCTAssertThrowsError(try request.arguments(python: "py")) { error in
      XCTAssertTrue(error is ProjectError, "\(error)")
    }
  }

  // MARK: filling(from:)

  private func configuration() -> RunRequest {
    var config = RunRequest()
    config.labels = ["config-label"]
    config.reverse = true
    config.shuffle = .seed(5)
    config.failfast = true
    config.keepdb = true
    config.parallel = .processes(2)
    config.testNamePatterns = ["cfg"]
    config.tags = ["cfg-tag"]
    config.excludeTags = ["cfg-ex"]
    config.settings = "cfg.settings"
    config.pattern = "cfg_*.py"
    config.passthrough = ["--cfg"]
    config.command = "python cfg.py"
    config.python = "/cfg/python"
    config.testTimeout = 30
    config.stopOnTimeout = true
    return config
  }

  func testConfigFillsEveryGap() {
    var expected = configuration()
    expected.pythonOrigin = .configuration  // the interpreter says where it came from
    XCTAssertEqual(RunRequest().filling(from: configuration()), expected)
  }

  func testCommandLineWinsOverConfig() {
    var line = RunRequest()
    line.labels = ["cli"]
    line.shuffle = .random
    line.parallel = .auto
    line.testNamePatterns = ["cli-k"]
    line.tags = ["cli-tag"]
    line.excludeTags = ["cli-ex"]
    line.settings = "cli.settings"
    line.pattern = "cli_*.py"
    line.passthrough = ["--cli"]
    line.command = "python cli.py"
    line.python = "/cli/python"
    line.testTimeout = 1
    let merged = line.filling(from: configuration())
    XCTAssertEqual(merged.labels, ["cli"])
    XCTAssertEqual(merged.shuffle, .random)
    XCTAssertEqual(merged.parallel, .auto)
    XCTAssertEqual(merged.testNamePatterns, ["cli-k"])
    XCTAssertEqual(merged.tags, ["cli-tag"])
    XCTAssertEqual(merged.excludeTags, ["cli-ex"])
    XCTAssertEqual(merged.settings, "cli.settings")
    XCTAssertEqual(merged.pattern, "cli_*.py")
    XCTAssertEqual(merged.passthrough, ["--cli"])
    XCTAssertEqual(merged.command, "python cli.py")
    XCTAssertEqual(merged.python, "/cli/python")
    XCTAssertEqual(merged.testTimeout, 1)
  }

  func testFlagsFromEitherSideAreOn() {
    var line = RunRequest()
    line.failfast = true
    var config = RunRequest()
    config.keepdb = true
    let merged = line.filling(from: config)
    XCTAssertTrue(merged.failfast)
    XCTAssertTrue(merged.keepdb)
    XCTAssertFalse(merged.reverse)
  }

  func testUnsetOnBothSidesStaysUnset() {
    var line = RunRequest()
    line.labels = ["x"]
    let merged = line.filling(from: RunRequest())
    XCTAssertEqual(merged, line)
    XCTAssertNil(merged.shuffle)
    XCTAssertNil(merged.parallel)
    XCTAssertNil(merged.command)
  }
}
