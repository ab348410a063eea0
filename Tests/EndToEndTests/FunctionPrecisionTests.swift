import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// Function precision in the real dashboard (issue #19): on Python 3.13 the hook records
/// what each test executed, and a save of one function body reruns only the tests that ran
/// it, warm.
final class FunctionPrecisionTests: XCTestCase {
  func testASaveOfOneFunctionBodyRerunsOnlyTheTestsThatRanItWarm() throws {
    let python = try DjangoVersion.v60.python()
    let project = try TestPaths.copy(TestPaths.fixtures + "/reusableapp")
    // A helper module the app's code does not load at start-up, two functions, two classes.
    try "def shout(text):\n    return text.upper()\n\n\ndef whisper(text):\n    return text.lower()\n".write(
      toFile: project + "/ticker/formatting.py", atomically: true, encoding: .utf8)
    try """
    from django.test import SimpleTestCase

    from ticker.formatting import shout, whisper


    class ShoutTests(SimpleTestCase):
        def test_shout(self):
            self.assertEqual(shout("a"), "A")

        def test_shout_twice(self):
            self.assertEqual(shout(shout("a")), "A")


    class WhisperTests(SimpleTestCase):
        def test_whisper(self):
            self.assertEqual(whisper("A"), "a")

    """.write(toFile: project + "/ticker/tests/test_formatting.py", atomically: true, encoding: .utf8)
    let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": "true"]
    let tmux = try TmuxSession(
      [TestPaths.binary, "--python", python, "--command", "python runtests.py"], in: project, width: 160,
      height: 40, environment: env)
    defer { tmux.close() }
    try tmux.waitFor("7/7", "failed")
    try tmux.waitFor("the first run's records") { _ in
      FileManager.default.fileExists(atPath: ExecutionRecords.path(projectRoot: project))
    }
    try tmux.press("w")
    try tmux.waitFor("warm runner: ready")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }

    // whisper's body only: the one test that ran it, in a child of the warm runner.
    try TestPaths.saveLikeAnEditor(
      "def shout(text):\n    return text.upper()\n\n\ndef whisper(text):\n    return text.lower().strip()\n",
      to: project + "/ticker/formatting.py")
    let screen = try tmux.waitFor(
      "saved ticker/formatting.py → ticker.tests.test_formatting.WhisperTests.test_whisper", "1/1", "warm")
    XCTAssertFalse(screen.contains("runtests.py ticker.tests.test_formatting "), screen)
    try tmux.press("w")
    try tmux.waitFor(
      "rule: function precision: functions changed since recorded in ticker/formatting.py (whisper); 1 of 3 recorded tests executed one"
    )
    try tmux.press("Escape")

    // A change at module level: the graph's selection, the whole module.
    try TestPaths.saveLikeAnEditor(
      "import string\n\n\ndef shout(text):\n    return text.upper()\n\n\ndef whisper(text):\n    return text.lower().strip()\n",
      to: project + "/ticker/formatting.py")
    try tmux.waitFor("runtests.py ticker.tests.test_formatting  │", "3/3")
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }
}
