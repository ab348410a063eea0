import DjangoRunner
import XCTest

/// The order djdash chooses an interpreter in, on a fake file system: `--python`, then
/// `$VIRTUAL_ENV`, then the project's `.venv`/`venv`, then the venv djdash is installed in
/// when it has Django, then `python3` on PATH; and why, in words.
final class PythonChoiceTests: XCTestCase {
  /// Executables that exist, and the interpreters among them that have Django.
  private func probe(_ executables: Set<String>, django: Set<String> = []) -> PythonLocator.Probe {
    PythonLocator.Probe(isExecutable: { executables.contains($0) }, canImportDjango: { django.contains($0) })
  }

  private let project = "/home/ada/shop"
  private let toolBinary = "/home/ada/.local/share/uv/tools/djdash/bin/djdash"
  private let toolPython = "/home/ada/.local/share/uv/tools/djdash/bin/python"
  private let path = ["PATH": "/usr/local/bin:/usr/bin"]

  private func choose(
    explicit: String? = nil, environment: [String: String]? = nil, executable: String? = nil,
    _ probe: PythonLocator.Probe
  ) throws -> PythonChoice {
    try PythonLocator.choose(
      explicit: explicit, projectRoots: [project], environment: environment ?? path,
      executable: executable ?? toolBinary, probe: probe)
  }

  func testPythonOptionComesFirst() throws {
    let everything = probe(
      ["/opt/py/bin/python", "/env/bin/python", project + "/.venv/bin/python", toolPython, "/usr/bin/python3"],
      django: [toolPython])
    var environment = path
    environment["VIRTUAL_ENV"] = "/env"
    let choice = try choose(explicit: "/opt/py/bin/python", environment: environment, everything)
    XCTAssertEqual(choice, PythonChoice(path: "/opt/py/bin/python", origin: .option))
    XCTAssertEqual(choice.description, "/opt/py/bin/python (--python)")
  }

  func testConfigurationIsSaidWhenItNamedThePython() throws {
    let choice = try PythonLocator.choose(
      explicit: "python3.13", explicitOrigin: .configuration, projectRoots: [project], environment: path,
      executable: toolBinary, probe: probe(["/usr/bin/python3.13"]))
    XCTAssertEqual(choice.path, "/usr/bin/python3.13")
    XCTAssertEqual(choice.origin.reason(for: choice.path), "python in [tool.djdash]")
  }

  func testActiveVirtualenvComesBeforeTheProjectsVenv() throws {
    var environment = path
    environment["VIRTUAL_ENV"] = "/env"
    let choice = try choose(
      environment: environment, probe(["/env/bin/python", project + "/.venv/bin/python", "/usr/bin/python3"]))
    XCTAssertEqual(choice, PythonChoice(path: "/env/bin/python", origin: .activeVirtualenv))
    XCTAssertEqual(choice.description, "/env/bin/python (the active virtualenv ($VIRTUAL_ENV))")
  }

  func testProjectsDotVenvComesBeforeItsVenvAndDjdashsOwnVenv() throws {
    let files = probe(
      [project + "/.venv/bin/python", project + "/venv/bin/python", toolPython, "/usr/bin/python3"],
      django: [toolPython])
    let choice = try choose(files)
    XCTAssertEqual(choice, PythonChoice(path: project + "/.venv/bin/python", origin: .projectVenv))
    XCTAssertEqual(choice.origin.reason(for: choice.path), "the project's .venv")
    let venv = try choose(probe([project + "/venv/bin/python", toolPython], django: [toolPython]))
    XCTAssertEqual(venv.origin.reason(for: venv.path), "the project's venv")
  }

  func testTheVenvDjdashIsInstalledInIsChosenWhenItHasDjango() throws {
    // `pip install djdash` into a venv that is not activated and not in the project.
    let binary = "/srv/envs/shop/bin/djdash"
    let choice = try choose(
      executable: binary,
      probe(["/srv/envs/shop/bin/python", "/usr/bin/python3"], django: ["/srv/envs/shop/bin/python"]))
    XCTAssertEqual(choice, PythonChoice(path: "/srv/envs/shop/bin/python", origin: .installedVenv))
    XCTAssertEqual(choice.origin.reason(for: choice.path), "the venv djdash is installed in, which has Django")
  }

  func testAToolInstallsVenvWithoutDjangoIsPassedOverForPython3() throws {
    // `uv tool install djdash`, `pipx install djdash`: djdash's own venv has no Django.
    let choice = try choose(probe([toolPython, "/usr/bin/python3"]))
    XCTAssertEqual(choice, PythonChoice(path: "/usr/bin/python3", origin: .path))
    XCTAssertEqual(choice.description, "/usr/bin/python3 (python3 on PATH: no virtualenv found)")
  }

  func testAToolInstallStillTakesTheProjectsVenv() throws {
    let choice = try choose(probe([toolPython, project + "/.venv/bin/python", "/usr/bin/python3"]))
    XCTAssertEqual(choice.origin, .projectVenv)
  }

  func testABinaryOutsideAnyVenvFallsBackToPath() throws {
    let choice = try choose(executable: "/work/djdash/.build/release/djdash", probe(["/usr/bin/python3"]))
    XCTAssertEqual(choice.origin, .path)
  }

  func testDjangoIsAskedOnlyWhenNothingBeforeDecided() throws {
    let asked = LockedList()
    let counting = PythonLocator.Probe(
      isExecutable: { [project = self.project] in $0 == project + "/.venv/bin/python" || $0 == "/usr/bin/python3" },
      canImportDjango: {
        asked.append($0)
        return true
      })
    XCTAssertEqual(try choose(counting).origin, .projectVenv)
    XCTAssertEqual(asked.items, [], "no interpreter is started when the project's venv decides")
  }

  func testNothingFoundIsAClearError() {
    XCTAssertThrowsError(try choose(environment: [:], probe([]))) { error in
      let message = (error as? ProjectError)?.description ?? "\(error)"
      XCTAssertTrue(message.contains("no Python found"), message)
      XCTAssertTrue(message.contains("--python"), message)
    }
  }

  func testRequestsSayWhetherTheUserOrTheConfigurationNamedThePython() {
    var configuration = RunRequest()
    configuration.python = "python3.13"
    XCTAssertEqual(RunRequest().filling(from: configuration).pythonOrigin, .configuration)
    var request = RunRequest()
    request.python = "/opt/py/bin/python"
    XCTAssertEqual(request.filling(from: configuration).pythonOrigin, .option)
    request.pythonOrigin = .demoVenv
    XCTAssertEqual(request.filling(from: configuration).pythonOrigin, .demoVenv)
    XCTAssertNil(RunRequest().filling(from: RunRequest()).pythonOrigin)
  }

  func testRunStartedCarriesTheOriginAsPythonOrigin() throws {
    let start = RunStart(
      labels: [], command: ["python", "manage.py", "test"], directory: "/p", python: "/p/.venv/bin/python",
      options: [:], pythonOrigin: .projectVenv)
    let json = String(decoding: try JSONEncoder().encode(start), as: UTF8.self)
    XCTAssertTrue(json.contains("\"python_origin\":\"project_venv\""), json)
    XCTAssertEqual(try JSONDecoder().decode(RunStart.self, from: Data(json.utf8)), start)
  }

  // MARK: shipped folders

  func testInstalledShareFolderIsLookedAtFirstThenTheBundleThenTheSources() {
    let candidates = BundledResources.candidates(
      "Hook", bundle: "djdash_DjangoRunner", installedName: "hook", executables: ["/venv/bin/djdash"],
      sourceFolder: "/src/Sources/DjangoRunner/Hook")
    XCTAssertEqual(
      candidates,
      [
        "/venv/share/djdash/hook",
        "/venv/bin/djdash_DjangoRunner.resources/Hook",
        "/venv/bin/djdash_DjangoRunner.bundle/Hook",
        "/venv/bin/../share/djdash/djdash_DjangoRunner.resources/Hook",
        "/src/Sources/DjangoRunner/Hook",
      ])
    XCTAssertEqual(
      BundledResources.installedFolder(executable: "/home/ada/.local/bin/djdash"), "/home/ada/.local/share/djdash")
  }
}

private final class LockedList: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []
  func append(_ item: String) {
    lock.lock()
    list.append(item)
    lock.unlock()
  }
  var items: [String] {
    lock.lock()
    defer { lock.unlock() }
    return list
  }
}
