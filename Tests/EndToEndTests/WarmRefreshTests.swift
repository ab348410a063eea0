import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// Issue #19, "warm where it can be", in the real dashboard: a save confined to function
/// bodies of a module the warm runner loaded at start-up (a reusable app's models, in
/// INSTALLED_APPS) reruns only the tests that ran the function, in a child of the same
/// warm runner, which runs the new body. What the warm runner cannot refresh safely (a
/// body that ran while it started, a change at module level) goes cold and replaces it.
final class WarmRefreshTests: XCTestCase {
  private let models = """
    from django.db import models


    def default_label():
        return "tick"


    DEFAULT_LABEL = default_label()


    class Tick(models.Model):
        label = models.CharField(max_length=50)
        count = models.IntegerField(default=0)

        def shout(self):
            return self.label.upper()

        def whisper(self):
            return self.label.lower()

    """

  func testASaveOfOneLoadedFunctionBodyRerunsOnlyItsTestsWarmWithTheNewBody() throws {
    let python = try DjangoVersion.v60.python()  // Python 3.13: the server records its start-up
    let project = try TestPaths.copy(TestPaths.fixtures + "/reusableapp")
    try models.write(toFile: project + "/ticker/models.py", atomically: true, encoding: .utf8)
    try """
    from django.test import SimpleTestCase

    from ticker.models import DEFAULT_LABEL, Tick


    class ShoutTests(SimpleTestCase):
        def test_shout(self):
            self.assertEqual(Tick(label="a").shout(), "A")

        def test_shout_twice(self):
            self.assertEqual(Tick(label=Tick(label="a").shout()).shout(), "A")


    class WhisperTests(SimpleTestCase):
        def test_whisper(self):
            self.assertEqual(Tick(label="A").whisper(), "a")


    class DefaultTests(SimpleTestCase):
        def test_default_label(self):
            self.assertEqual(DEFAULT_LABEL, "tick")

    """.write(toFile: project + "/ticker/tests/test_formatting.py", atomically: true, encoding: .utf8)
    let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": "true"]
    let tmux = try TmuxSession(
      [TestPaths.binary, "--python", python, "--command", "python runtests.py"], in: project, width: 180,
      height: 40, environment: env)
    defer { tmux.close() }
    try tmux.waitFor("8/8", "failed")
    try tmux.waitFor("the first run's records") { _ in
      FileManager.default.fileExists(atPath: ExecutionRecords.path(projectRoot: project))
    }
    try tmux.press("w")
    try tmux.waitFor("warm runner: ready")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }

    // whisper's body only, now wrong: the one test that ran it fails, warm, the same runner.
    try TestPaths.saveLikeAnEditor(
      models.replacingOccurrences(of: "return self.label.lower()", with: "return self.label.lower() + \"!\""),
      to: project + "/ticker/models.py")
    var screen = try tmux.waitFor(
      "saved ticker/models.py → ticker.tests.test_formatting.WhisperTests.test_whisper", "1/1  ✓ 0  ✗ 1", "warm",
      "AssertionError: 'a!' != 'a'")
    try tmux.press("w")
    screen = try tmux.waitFor("warm runner: ready · runs refresh function bodies saved in ticker/models.py")
    XCTAssertFalse(screen.contains("restarting"), screen)
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }

    // Fixed again, still warm: the child starts from the loaded code and refreshes anew.
    try TestPaths.saveLikeAnEditor(
      models.replacingOccurrences(of: "return self.label.lower()", with: "return self.label.lower().strip()"),
      to: project + "/ticker/models.py")
    let again = "saved ticker/models.py → ticker.tests.test_formatting.WhisperTests.test_whisper"
    try tmux.waitFor(again, "1/1  ✓ 1  ✗ 0", "warm")

    // default_label ran while the server started (DEFAULT_LABEL holds its result): the
    // server refuses, the run goes cold and sees the new value, the server is replaced.
    try TestPaths.saveLikeAnEditor(
      models.replacingOccurrences(of: "return \"tick\"", with: "return \"tock\"")
        .replacingOccurrences(of: "return self.label.lower()", with: "return self.label.lower().strip()"),
      to: project + "/ticker/models.py")
    screen = try tmux.waitFor(
      "running cold: the warm runner could not refresh the saved function bodies", "default_label",
      "ran while the warm runner started", "AssertionError: 'tock' != 'tick'")
    let refusedHeader = screen.split(separator: "\n").first { $0.contains("✓") && $0.contains("✗") } ?? ""
    XCTAssertFalse(refusedHeader.contains("warm"), screen)
    try tmux.press("w")
    screen = try tmux.waitFor("warm runner: ready")
    XCTAssertFalse(screen.contains("runs refresh"), "a new warm runner loaded the saved text: \(screen)")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }

    // A change at module level (default_label back as it was): cold, and the warm runner
    // is replaced, as it loaded the old module.
    try TestPaths.saveLikeAnEditor(
      "import string\n"
        + models.replacingOccurrences(of: "return self.label.lower()", with: "return self.label.lower().strip()"),
      to: project + "/ticker/models.py")
    screen = try tmux.waitFor("saved ticker/models.py → every test", "8/8  ✓ 7  ✗ 1")
    let header = screen.split(separator: "\n").first { $0.contains("8/8") } ?? ""
    XCTAssertFalse(header.contains("warm"), screen)
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }

  /// The same through the warm service (`djdash run --warm`): its own watcher sees the
  /// save, its runner's children refresh it, and a refusal reaches the client, which
  /// runs the labels cold.
  func testTheWarmServiceRefreshesBodiesAndARefusalRunsCold() throws {
    let python = try DjangoVersion.v60.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/reusableapp")
    defer { _ = try? Shell.djdash(["warm", "stop", "--command", "python runtests.py"], in: project) }
    try models.write(toFile: project + "/ticker/models.py", atomically: true, encoding: .utf8)
    try """
    from django.test import SimpleTestCase

    from ticker.models import DEFAULT_LABEL, Tick


    class FormattingTests(SimpleTestCase):
        def test_whisper(self):
            self.assertEqual(Tick(label="A").whisper(), "a")

        def test_default_label(self):
            self.assertEqual(DEFAULT_LABEL, "tick")

    """.write(toFile: project + "/ticker/tests/test_formatting.py", atomically: true, encoding: .utf8)
    let label = "ticker.tests.test_formatting"
    func run(warm: Bool) throws -> Shell.Result {
      try Shell.djdash(
        ["run", "--python", python, "--command", "python runtests.py"] + (warm ? ["--warm"] : []) + [label],
        in: project)
    }
    func waitForStatus(_ text: String) throws -> String {
      var last = ""
      for _ in 0..<200 {
        last = try Shell.djdash(["warm", "status", "--command", "python runtests.py"], in: project).output
        if last.contains(text) { return last }
        usleep(100_000)
      }
      XCTFail("the warm service never said \(text): \(last)")
      return last
    }
    func verdicts(_ output: String) -> [String] {
      output.split(separator: "\n").compactMap { line in
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3, ["PASS", "FAIL", "ERROR"].contains(words[0]) else { return nil }
        return "\(words[0]) \(words[2])"
      }.sorted()
    }
    let first = try run(warm: true)
    XCTAssertEqual(first.status, 0, first.output)
    _ = try waitForStatus("ready")

    try TestPaths.saveLikeAnEditor(
      models.replacingOccurrences(of: "return self.label.lower()", with: "return self.label.lower() + \"!\""),
      to: project + "/ticker/models.py")
    _ = try waitForStatus("ready · runs refresh function bodies saved in ticker/models.py")
    let refreshed = try run(warm: true)
    XCTAssertTrue(refreshed.stderr.contains("running warm (a child of the warm service)"), refreshed.stderr)
    XCTAssertFalse(refreshed.stderr.contains("could not refresh"), refreshed.stderr)
    let cold = try run(warm: false)
    XCTAssertEqual(verdicts(refreshed.stdout), verdicts(cold.stdout))
    XCTAssertEqual(
      verdicts(cold.stdout),
      [
        "FAIL ticker.tests.test_formatting.FormattingTests.test_whisper",
        "PASS ticker.tests.test_formatting.FormattingTests.test_default_label",
      ].sorted())

    // default_label ran while the runner started: refused, cold, and the runner replaced.
    try TestPaths.saveLikeAnEditor(
      models.replacingOccurrences(of: "return \"tick\"", with: "return \"tock\""), to: project + "/ticker/models.py")
    usleep(500_000)  // the service's watcher settles the save
    let refused = try run(warm: true)
    XCTAssertTrue(
      refused.stderr.contains(
        "running cold instead: the warm runner could not refresh the saved function bodies (default_label"),
      refused.stderr)
    XCTAssertTrue(refused.stderr.contains("ran while the warm runner started)"), refused.stderr)
    XCTAssertEqual(
      verdicts(refused.stdout),
      [
        "FAIL ticker.tests.test_formatting.FormattingTests.test_default_label",
        "PASS ticker.tests.test_formatting.FormattingTests.test_whisper",
      ].sorted())
    XCTAssertEqual(verdicts(refused.stdout), verdicts(try run(warm: false).stdout))
    let status = try waitForStatus("ready")
    XCTAssertFalse(status.contains("runs refresh"), "a new runner loaded the saved text: \(status)")
  }
}
