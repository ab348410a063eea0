import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// `pip install djdash` on a machine with Python and Django and no Swift: the wheel
/// built by `Sources/Packaging/build-wheel`, installed into venvs of the Debian 13 root
/// (Python 3.13, Django 6.0 and 6.1), must judge the fixtures as Django does, run the
/// demo, drive the dashboard, choose the right interpreter, and need nothing but what a
/// manylinux system has.
final class WheelTests: XCTestCase {
  private func installed() throws -> InstalledWheel { try InstalledWheel.shared.get() }

  /// The venvs go when the tests are done (the wheel stays in .build/wheels).
  override class func tearDown() {
    if let installed = try? InstalledWheel.shared.get() {
      try? FileManager.default.removeItem(atPath: installed.folder)
    }
    super.tearDown()
  }

  func testTheWheelIsManylinuxAndTheInstalledBinaryNeedsNoSwift() throws {
    let wheel = try installed()
    XCTAssertTrue(wheel.platform.hasPrefix("manylinux_2_"), wheel.platform)

    // auditwheel, from PyPI into a venv of its own, reads the wheel as PyPI would.
    let tools = TestPaths.packageRoot + "/.build/wheel-tools"
    if !FileManager.default.isExecutableFile(atPath: tools + "/bin/auditwheel") {
      XCTAssertEqual(try Shell.run(["python3", "-m", "venv", tools]).status, 0)
      let pip = try Shell.run([tools + "/bin/pip", "install", "-q", "--disable-pip-version-check", "auditwheel"])
      XCTAssertEqual(pip.status, 0, pip.output)
    }
    let audit = try Shell.run([tools + "/bin/auditwheel", "show", wheel.wheel])
    XCTAssertEqual(audit.status, 0, audit.output)
    let said = audit.output.replacingOccurrences(of: "\n", with: " ")
    XCTAssertTrue(said.contains("\"\(wheel.platform)\""), "auditwheel names the wheel's own tag: \(audit.output)")

    // RECORD lists every file with its hash and size (PEP 427), and the layout is
    // maturin's: the binary a script, the Python package, the data under share/djdash.
    let record = try Shell.run(["python3", "-c", Self.recordCheck, wheel.wheel])
    XCTAssertEqual(record.status, 0, record.output)
    for name in [
      "djdash/__init__.py", "djdash/__main__.py", "djdash-\(wheel.version).data/scripts/djdash",
      "djdash-\(wheel.version).data/data/share/djdash/hook/sitecustomize.py",
      "djdash-\(wheel.version).data/data/share/djdash/demo/manage.py",
      "djdash-\(wheel.version).data/data/share/djdash/themes/light.toml",
      "djdash-\(wheel.version).dist-info/WHEEL",
    ] {
      XCTAssertTrue(record.stdout.split(separator: "\n").contains(Substring(name)), "\(name) in \(record.stdout)")
    }

    // In the root: the binary's libraries are glibc's and libgcc_s, no more.
    let binary = wheel.venv("6.1") + "/bin/djdash"
    let ldd = try wheel.run(["ldd", binary], in: wheel.folder)
    XCTAssertEqual(ldd.status, 0, ldd.output)
    let libraries = ldd.stdout.split(separator: "\n").compactMap {
      $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)
    }
    XCTAssertFalse(libraries.isEmpty, ldd.output)
    for library in libraries {
      XCTAssertFalse(library.lowercased().contains("swift"), "a Swift library: \(ldd.stdout)")
      XCTAssertTrue(
        ["linux-vdso.so.1", "libc.so.6", "libm.so.6", "libgcc_s.so.1"].contains(library)
          || library.hasPrefix("/lib64/ld-linux"),
        "\(library) is not on every manylinux system: \(ldd.stdout)")
    }
    XCTAssertFalse(ldd.output.contains("not found"), ldd.output)

    // `djdash --version` and `python -m djdash --version` print the wheel's version.
    let direct = try wheel.run([binary, "--version"], in: wheel.folder)
    XCTAssertEqual(direct.stdout, wheel.version + "\n", direct.output)
    let module = try wheel.run([wheel.venv("6.1") + "/bin/python", "-m", "djdash", "--version"], in: wheel.folder)
    XCTAssertEqual(module.stdout, wheel.version + "\n", module.output)
  }

  /// Checks a wheel's RECORD against its files (hash and size of each, every file
  /// listed), then prints the file names.
  static let recordCheck = """
    import base64, hashlib, sys, zipfile
    wheel = zipfile.ZipFile(sys.argv[1])
    names = [n for n in wheel.namelist() if not n.endswith("/")]
    record = next(n for n in names if n.endswith(".dist-info/RECORD"))
    listed = {}
    for line in wheel.read(record).decode().splitlines():
        name, digest, size = line.rsplit(",", 2)
        listed[name] = (digest, size)
    assert sorted(listed) == sorted(names), (sorted(set(names) ^ set(listed)))
    for name in names:
        if name == record:
            continue
        data = wheel.read(name)
        digest = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert listed[name] == (digest, str(len(data))), name
    print("\\n".join(names))
    """

  /// The fixture suites through the installed `djdash run`, serial and `--parallel 2`,
  /// test by test as Django's own runner judges them, on Django 6.0, 6.1 and 5.2 LTS.
  func testInstalledDjdashJudgesTheFixturesAsDjangoDoesOnDjango60And61And52() throws {
    let wheel = try installed()
    for version in InstalledWheel.versions {
      let venv = wheel.venv(version)
      let python = try wheel.pythonWrapper(venv)
      let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
      for parallel in [[], ["--parallel", "2"]] {
        let labels = parallel.isEmpty ? VerdictTests.labels : ["verdicts", "capture", "broken"]
        let what = "Django \(version) \(parallel.joined(separator: " "))"
        let expected = try DjangoOracle.verdicts(project: project, python: python, arguments: labels + parallel)
        XCTAssertGreaterThan(expected.count, 20, "the oracle saw the suite (\(what))")
        let events = project + "/events.jsonl"
        let result = try wheel.run(
          [venv + "/bin/djdash", "run"] + labels + parallel + ["--events", events], in: project)
        XCTAssertEqual(result.status, 1, "\(what): \(result.output)")
        XCTAssertEqual(
          result.stderr.split(separator: "\n").first.map(String.init),
          "djdash: python: \(venv)/bin/python (the venv djdash is installed in, which has Django)", what)
        XCTAssertEqual(try InstalledWheel.outcomes(inEvents: events), expected, what)
      }
    }
  }

  func testInstalledDemoRunsHeadless() throws {
    let wheel = try installed()
    let venv = wheel.venv("6.0")
    let demo = wheel.folder + "/demo-shop"
    let result = try wheel.run([venv + "/bin/djdash", "demo", "--directory", demo], in: wheel.folder)
    XCTAssertEqual(result.status, 1, "a few of the demo's tests fail on purpose: \(result.output)")
    XCTAssertTrue(result.stderr.contains("not a terminal: running headless"), result.stderr)
    XCTAssertTrue(
      result.stderr.contains("python: \(venv)/bin/python (the venv djdash is installed in, which has Django)"),
      result.stderr)
    XCTAssertFalse(result.stderr.contains("installing it into"), "Django was found, not installed: \(result.stderr)")
    let closing = try XCTUnwrap(result.stdout.split(separator: "\n").last.map(String.init))
    XCTAssertTrue(closing.hasPrefix("46 passed, 6 failed, 1 skipped, 1 expected failure, 1 error"), closing)
  }

  /// The dashboard in a terminal inside the root (the root's own tmux): run, open a
  /// failure, back, quit.
  func testInstalledDashboardRunsOpensAFailureAndQuitsInTheRoot() throws {
    let wheel = try installed()
    let venv = wheel.venv("6.1")
    let project = try TestPaths.copy(TestPaths.demo)
    var environment = InstalledWheel.shellEnvironment
    environment.merge(["TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": "true", "VIRTUAL_ENV": ""]) { $1 }
    let tmux = try TmuxSession(
      [venv + "/bin/djdash"], in: project, width: 200, height: 40, environment: environment,
      tmux: [wheel.inRoot, "tmux"])
    defer { tmux.close() }
    try tmux.waitFor("54/54", "failed", "✗ 5", "the venv djdash is installed in", timeout: 120)
    try tmux.press("n", "Enter")
    try tmux.waitFor("Traceback (most recent call last)")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { $0.contains("j/k move") }
    try tmux.press("q")
    let after = try tmux.waitFor("EXIT:0")
    XCTAssertFalse(after.contains("Traceback"), after)
  }

  /// A tool install (`uv tool install djdash`, `pipx install djdash`): djdash's venv has
  /// no Django, the binary is reached through a symlink; in a project with its own
  /// `.venv`, that is the interpreter, and without one djdash's own venv is passed over.
  func testAToolInstallRunsTheProjectsOwnVenv() throws {
    let wheel = try installed()
    let bin = wheel.folder + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    if !FileManager.default.fileExists(atPath: bin + "/djdash") {
      try FileManager.default.createSymbolicLink(
        atPath: bin + "/djdash", withDestinationPath: wheel.venv("tool") + "/bin/djdash")
    }
    let path = ["PATH": bin + ":/usr/local/bin:/usr/bin:/bin"]

    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    try wheel.makeVenv(project + "/.venv", installing: [InstalledWheel.requirements["6.1"] ?? "Django"])
    let result = try wheel.run(["djdash", "run", "verdicts.tests.PlainUnittestTests"], in: project, environment: path)
    XCTAssertEqual(result.status, 0, result.output)
    XCTAssertEqual(
      result.stderr.split(separator: "\n").first.map(String.init),
      "djdash: python: \(project)/.venv/bin/python (the project's .venv)")
    XCTAssertTrue(result.stdout.contains(" passed, 0 failed"), result.stdout)

    let bare = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    let passedOver = try wheel.run(["djdash", "run", "verdicts.tests.PlainUnittestTests"], in: bare, environment: path)
    XCTAssertEqual(passedOver.status, 2, "python3 of the root has no Django: \(passedOver.output)")
    XCTAssertEqual(
      passedOver.stderr.split(separator: "\n").first.map(String.init),
      "djdash: python: /usr/bin/python3 (python3 on PATH: no virtualenv found)", passedOver.output)
  }
}
