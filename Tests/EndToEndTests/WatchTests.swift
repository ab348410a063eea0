import DjangoRunner
import Foundation
import TestSupport
import XCTest

/// Watch mode in the real dashboard (tmux) on the demo project: a save runs only the
/// tests it affects, a save during a run is queued, and `w` says why.
final class WatchEndToEndTests: XCTestCase {
  private func dashboard(_ arguments: [String], in project: String) throws -> TmuxSession {
    let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": "true"]
    return try TmuxSession([TestPaths.binary] + arguments, in: project, width: 160, height: 40, environment: env)
  }

  func testASaveRunsOnlyTheAffectedTestsAndWhyExplainsThem() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let tmux = try dashboard(["--python", python], in: project)
    defer { tmux.close() }
    try tmux.waitFor("54/54", "failed")

    // A view reached only through the URLconf: the tests that use the test client run.
    let views = project + "/catalog/views.py"
    let source = try String(contentsOfFile: views, encoding: .utf8)
    try TestPaths.saveLikeAnEditor(
      source.replacingOccurrences(of: "\"on_sale\": current < product.price", with: "\"on_sale\": False"), to: views)
    let screen = try tmux.waitFor(
      "saved catalog/views.py → catalog.tests.test_views orders.tests.test_checkout orders.tests.test_views",
      "manage.py test catalog.tests.test_views orders.tests.test_checkout orders.tests.test_views")
    try tmux.waitFor("the run of the selection") { $0.contains("22/22") }
    XCTAssertFalse(screen.contains("manage.py test catalog.tests.test_pricing"), screen)

    // w: the chain from the saved file to each label.
    try tmux.press("w")
    try tmux.waitFor(
      "why these tests", "catalog/views.py (changed)", "catalog/urls.py imports it", "uses the test client")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }

    // A pure helper: only what imports it, and its app's tests.
    let promotions = project + "/catalog/promotions.py"
    try TestPaths.saveLikeAnEditor(
      try String(contentsOfFile: promotions, encoding: .utf8) + "\n# saved\n", to: promotions)
    try tmux.waitFor("saved catalog/promotions.py →")

    // A file no test depends on: nothing runs, and the screen says so.
    try TestPaths.saveLikeAnEditor("notes\n", to: project + "/NOTES.md")
    try tmux.waitFor("saved NOTES.md → no test depends on it")

    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }

  func testSavesDuringARunAreQueuedIntoOneRunAfterIt() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    // A slow test keeps the first run going while the files are saved.
    let slow = project + "/catalog/tests/test_slow.py"
    try """
    import time
    from django.test import SimpleTestCase


    class SlowTests(SimpleTestCase):
        def test_takes_a_while(self):
            time.sleep(3)
    """.write(toFile: slow, atomically: true, encoding: .utf8)
    let tmux = try dashboard(["--python", python, "catalog.tests.test_slow", "orders", "notifications"], in: project)
    defer { tmux.close() }
    try tmux.waitFor("running", "test_takes_a_while")
    let forms = project + "/orders/forms.py"
    try TestPaths.saveLikeAnEditor(try String(contentsOfFile: forms, encoding: .utf8) + "\n# saved\n", to: forms)
    try tmux.waitFor("saved orders/forms.py → ", "queued: ")
    // The queued run starts when the first ends, with only what the save affected.
    try tmux.waitFor("the queued run") { screen in
      screen.contains("manage.py test orders.tests.test_checkout") && !screen.contains("test_slow ")
    }
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }

  func testASaveThatNoLongerCompilesShowsACodeFrameAndEOpensIt() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let (editor, editorLog) = try TestPaths.fakeEditor(in: project)
    let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": editor]
    let tmux = try TmuxSession(
      [TestPaths.binary, "--python", python], in: project, width: 160, height: 40, environment: env)
    defer { tmux.close() }
    try tmux.waitFor("54/54", "failed")

    let money = project + "/catalog/tests/test_pricing.py"
    let good = try String(contentsOfFile: money, encoding: .utf8)
    let lines = good.split(separator: "\n", omittingEmptySubsequences: false)
    let target = try XCTUnwrap(lines.firstIndex { $0.contains("def test_line_total") })
    var broken = lines
    broken[target + 1] = broken[target + 1] + " (("
    try TestPaths.saveLikeAnEditor(broken.joined(separator: "\n"), to: money)
    let screen = try tmux.waitFor(
      "SyntaxError", "catalog/tests/test_pricing.py:\(target + 2)  (e: edit there)", "│", "^",
      "a file does not compile: the run stopped before its tests")
    // Its tests are not shown passing from the earlier run; the hook is not in sight.
    XCTAssertFalse(screen.contains("✓ test_line_total"), screen)
    XCTAssertFalse(screen.contains("djdash_hook"), screen)
    try tmux.press("e")
    try tmux.waitFor("the editor") { _ in FileManager.default.fileExists(atPath: editorLog) }
    let opened = try String(contentsOfFile: editorLog, encoding: .utf8)
    XCTAssertEqual(opened, "+\(target + 2) \(money)\n")

    // Fixed: the frame goes with the next run.
    try TestPaths.saveLikeAnEditor(good, to: money)
    try tmux.waitFor("the run after the fix") { !$0.contains("SyntaxError") && $0.contains("✓ test_line_total") }
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }

  func testThenRestRunsTheRestBehindAGreenSelectionAndNamesTheMissedLink() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    // A helper only one test imports where the source shows it; another test imports it by
    // a name it computes, which no graph can follow.
    try "def cost(weight):\n    return weight * 5\n".write(
      toFile: project + "/catalog/shipping.py", atomically: true, encoding: .utf8)
    try """
    from django.test import SimpleTestCase

    from catalog.shipping import cost


    class ShippingTests(SimpleTestCase):
        def test_nothing_costs_nothing(self):
            self.assertEqual(cost(0), 0)
    """.write(toFile: project + "/catalog/tests/test_shipping.py", atomically: true, encoding: .utf8)
    try """
    import importlib

    from django.test import SimpleTestCase


    class DynamicTests(SimpleTestCase):
        def test_two_kilos(self):
            module = importlib.import_module("catalog." + "ship" + "ping")
            self.assertEqual(module.cost(2), 10)
    """.write(toFile: project + "/catalog/tests/test_dynamic.py", atomically: true, encoding: .utf8)
    let tmux = try dashboard(["--python", python, "--then-rest"], in: project)
    defer { tmux.close() }
    try tmux.waitFor("56/56", "failed")

    let shipping = project + "/catalog/shipping.py"
    try TestPaths.saveLikeAnEditor("def cost(weight):\n    return weight * 6\n", to: shipping)
    // The selection passes; the rest follows at once and finds the test it missed.
    try tmux.waitFor(
      "test_two_kilos missed by selection",
      "the selection missed catalog.tests.test_dynamic.DynamicTests.test_two_kilos: w tells which link")
    try tmux.press("w")
    try tmux.waitFor(
      "saved: catalog/shipping.py", "catalog.tests.test_shipping",
      "missed by the selection (failed in the rest of the suite):",
      "catalog.tests.test_dynamic imports catalog/shipping.py only while the test runs")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }

    // What the run recorded is a link now: the next save selects the missed test too.
    try TestPaths.saveLikeAnEditor("def cost(weight):\n    return weight * 5\n", to: shipping)
    try tmux.waitFor("the second save's selection") { screen in
      screen.contains("saved catalog/shipping.py →") && screen.contains("catalog.tests.test_dynamic")
    }
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")

    // The history keeps the miss.
    let history = try Shell.djdash(["history", "--misses"], in: project)
    XCTAssertTrue(history.output.contains("catalog.tests.test_dynamic.DynamicTests.test_two_kilos"), history.output)
    XCTAssertTrue(history.output.contains("failed after saving catalog/shipping.py"), history.output)
  }

  func testTheDashboardAppendsEveryRunsEventsAndWritesTheLastRunsJUnit() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let events = project + "/events.jsonl"
    let junit = project + "/junit.xml"
    let tmux = try dashboard(["--python", python, "--events", events, "--junit-xml", junit], in: project)
    defer { tmux.close() }
    // The dashboard stays open (no headless run), and the first run is in both files.
    try tmux.waitFor("54/54", "failed")
    try tmux.waitFor("the first run's JUnit") { _ in
      ((try? String(contentsOfFile: junit, encoding: .utf8)) ?? "").contains("tests=\"54\"")
    }

    let promotions = project + "/catalog/promotions.py"
    try TestPaths.saveLikeAnEditor(
      try String(contentsOfFile: promotions, encoding: .utf8) + "\n# saved\n", to: promotions)
    try tmux.waitFor("saved catalog/promotions.py →")
    try tmux.waitFor("the second run's end") { _ in
      let text = (try? String(contentsOfFile: events, encoding: .utf8)) ?? ""
      return text.components(separatedBy: "\"event\":\"run_finished\"").count == 3
    }
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")

    // Two runs, each framed by its run_started and run_finished, one after the other.
    let kinds = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").compactMap { line in
      (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event"] as? String
    }
    let frames = kinds.filter { $0 == "run_started" || $0 == "run_finished" }
    XCTAssertEqual(frames, ["run_started", "run_finished", "run_started", "run_finished"])
    XCTAssertEqual(kinds.first, "run_started")
    XCTAssertEqual(kinds.last, "run_finished")
    let secondRun = kinds.split(separator: "run_finished").dropFirst().first ?? []
    let finishedInSecond = secondRun.filter { $0 == "test_finished" }.count
    XCTAssertGreaterThan(finishedInSecond, 0)
    XCTAssertLessThan(finishedInSecond, 54)
    // JUnit describes the last run only.
    let xml = try String(contentsOfFile: junit, encoding: .utf8)
    XCTAssertTrue(xml.contains("tests=\"\(finishedInSecond)\""), xml.prefix(300).description)
  }

  /// The dashboard on a copy of the demo, after its first run, once the warm server has
  /// set Django and the test database up (`w` says so).
  private func dashboardWithWarmRunnerReady(_ flags: [String] = []) throws -> (TmuxSession, String) {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let tmux = try dashboard(["--python", python] + flags, in: project)
    try tmux.waitFor("54/54", "failed")
    try tmux.press("w")
    try tmux.waitFor("warm runner: ready")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }
    return (tmux, project)
  }

  func testQuitGivesTheShellBackAtOnceAndTheWarmRunnerStillTearsDown() throws {
    let python = try DjangoVersion.v52.python()
    let project = try TestPaths.copy(TestPaths.demo)
    let quitAt = project + "/quit-at"
    // The shell writes the clock the moment djdash has returned.
    let line =
      ([TestPaths.binary, "--python", python].map { "'\($0)'" }.joined(separator: " "))
      + "; date +%s.%N > '\(quitAt)'"
    let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "", "EDITOR": "true"]
    let tmux = try TmuxSession(["sh", "-c", line], in: project, width: 160, height: 40, environment: env)
    defer { tmux.close() }
    try tmux.waitFor("54/54", "failed")
    try tmux.press("w")
    try tmux.waitFor("warm runner: ready")
    try tmux.press("Escape")
    try tmux.waitFor("the list") { !$0.contains("why these tests") }
    let server = try XCTUnwrap(Self.processes(in: project).first, "the warm runner's process")
    let pressed = Date().timeIntervalSince1970
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
    let returned = try XCTUnwrap(Double(try String(contentsOfFile: quitAt, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    let latency = returned - pressed
    print("quit latency with a warm runner: \(Int(latency * 1000)) ms")
    // 100 ms is the goal; the margin is for tmux delivering the key on a busy machine.
    XCTAssertLessThan(latency, 0.5, "q took \(latency) s to give the shell back")
    // The warm runner ends on its own, detached, after tearing its databases down.
    // Ended: gone, or a zombie (this test process may be a subreaper that never reaps it).
    func isRunning() -> Bool {
      guard let status = try? String(contentsOfFile: "/proc/\(server)/status", encoding: .utf8) else { return false }
      return !status.contains("State:\tZ")
    }
    let deadline = Date().addingTimeInterval(30)
    while isRunning() && Date() < deadline { usleep(50_000) }
    XCTAssertFalse(isRunning(), "the warm runner \(server) is still running")
  }

  /// Pids of the processes whose working directory is `folder`, djdash's runners.
  static func processes(in folder: String) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
      guard let pid = pid_t(entry),
        let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd"), cwd == folder,
        let command = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8), command.contains("manage.py")
      else { return nil }
      return pid
    }
  }

  func testSavesRunWarmUnlessTheServerLoadedTheSavedFile() throws {
    let (tmux, project) = try dashboardWithWarmRunnerReady()
    defer { tmux.close() }

    // A view: not loaded by the server, so a fork of it runs the tests.
    let views = project + "/catalog/views.py"
    try TestPaths.saveLikeAnEditor(try String(contentsOfFile: views, encoding: .utf8) + "\n# saved\n", to: views)
    try tmux.waitFor("saved catalog/views.py →", "22/22", "warm")

    // A helper the models import: loaded at start-up, so this run is cold and the server
    // restarts with the new code.
    let pricing = project + "/catalog/pricing.py"
    try TestPaths.saveLikeAnEditor(try String(contentsOfFile: pricing, encoding: .utf8) + "\n# saved\n", to: pricing)
    try tmux.waitFor("the cold run") {
      $0.contains("saved catalog/pricing.py → every test") && $0.contains("54/54") && !$0.contains(" warm")
    }
    try tmux.press("w")
    try tmux.waitFor("warm runner:")
    try tmux.press("Escape")
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }

  func testWarmCheckFollowsAWarmRunWithAColdOneAndComparesThem() throws {
    let (tmux, project) = try dashboardWithWarmRunnerReady(["--warm-check"])
    defer { tmux.close() }
    let views = project + "/catalog/views.py"
    try TestPaths.saveLikeAnEditor(try String(contentsOfFile: views, encoding: .utf8) + "\n# saved\n", to: views)
    // The warm run, then the cold run of the same labels, then the verdict of the check.
    try tmux.waitFor("saved catalog/views.py →", "22/22")
    try tmux.press("w")
    try tmux.waitFor("warm runner: ready · checked: warm and cold agree on 22 tests", timeout: 60)
    try tmux.press("Escape")
    try tmux.press("q")
    try tmux.waitFor("EXIT:0")
  }
}
