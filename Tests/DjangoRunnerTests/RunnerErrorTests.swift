import XCTest

@testable import DjangoRunner

/// What a run shows of a runner that ended before finishing: its own last error output.
final class RunnerErrorTests: XCTestCase {
  func testTheLastTracebackIsTakenWithWhatLedToIt() {
    let stderr = """
      ..F
      Traceback (most recent call last):
        File "a.py", line 1, in <module>
      KeyError: 'old'

      During handling of the above exception, another exception occurred:

      Traceback (most recent call last):
        File "b.py", line 2, in run
      TypeError: cannot pickle 'module' object

      """
    XCTAssertEqual(
      RunSession.lastError(in: stderr),
      """
      Traceback (most recent call last):
        File "a.py", line 1, in <module>
      KeyError: 'old'

      During handling of the above exception, another exception occurred:

      Traceback (most recent call last):
        File "b.py", line 2, in run
      TypeError: cannot pickle 'module' object
      """)
  }

  func testATracebackRightAfterProgressMarksIsFound() {
    // Django's parent printed a test's "." (no newline) just before it crashed.
    let stderr = ".Traceback (most recent call last):\n  File \"pool.py\", line 873, in next\nTypeError: cannot pickle\n"
    XCTAssertEqual(
      RunSession.lastError(in: stderr),
      "Traceback (most recent call last):\n  File \"pool.py\", line 873, in next\nTypeError: cannot pickle")
  }

  func testAnEarlierUnrelatedTracebackIsLeftOut() {
    let stderr =
      "Traceback (most recent call last):\n  x\nValueError: earlier\nsome line\n"
      + "Traceback (most recent call last):\n  y\nTypeError: last\n"
    XCTAssertEqual(RunSession.lastError(in: stderr), "Traceback (most recent call last):\n  y\nTypeError: last")
  }

  func testWithoutATracebackTheLastLinesAreTaken() {
    let stderr = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n\n"
    XCTAssertEqual(RunSession.lastError(in: stderr), (9...20).map { "line \($0)" }.joined(separator: "\n"))
  }

  func testALongTracebackKeepsItsEnd() {
    let stderr =
      "Traceback (most recent call last):\n" + (1...100).map { "  frame \($0)" }.joined(separator: "\n")
      + "\nRecursionError: too deep\n"
    let error = RunSession.lastError(in: stderr, maxLines: 10)
    XCTAssertEqual(error?.split(separator: "\n").count, 10)
    XCTAssertEqual(error?.split(separator: "\n").last, "RecursionError: too deep")
  }

  func testNothingWrittenIsNoError() {
    XCTAssertNil(RunSession.lastError(in: ""))
    XCTAssertNil(RunSession.lastError(in: "\n  \n"))
    XCTAssertNil(RunSession.lastError(in: "..F.\ns\n"), "unittest's progress marks say nothing")
    XCTAssertEqual(RunSession.lastError(in: "..\nFatal: gone\n.\n"), "Fatal: gone")
  }
}

/// A file that does not compile, read off a traceback's end.
final class SyntaxFrameTests: XCTestCase {
  let crash = """
    Traceback (most recent call last):
      File "/p/manage.py", line 15, in <module>
        main()
      File "/x/Hook/djdash_hook/patches.py", line 244, in run_tests
        failures = original_run_tests(self, test_labels, *args, **kwargs)
                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      File "/usr/lib/python3.11/unittest/loader.py", line 162, in loadTestsFromName
        module = __import__(module_name)
                 ^^^^^^^^^^^^^^^^^^^^^^^
      File "/p/catalog/tests/test_broken.py", line 7
        self.assertTrue(True
                       ^
    SyntaxError: '(' was never closed
    """

  func testTheFileLineTextAndCaretOfASyntaxError() {
    XCTAssertEqual(
      SyntaxFrame.parse(crash),
      SyntaxFrame(
        file: "/p/catalog/tests/test_broken.py", line: 7, text: "self.assertTrue(True", column: 15,
        message: "SyntaxError: '(' was never closed"))
    let indentation = """
      Traceback (most recent call last):
        File "/p/a.py", line 3
          return 1
      IndentationError: unexpected indent
      """
    XCTAssertEqual(SyntaxFrame.parse(indentation)?.message, "IndentationError: unexpected indent")
    XCTAssertEqual(SyntaxFrame.parse(indentation)?.column, nil)
    XCTAssertNil(SyntaxFrame.parse("Traceback (most recent call last):\n  File \"/p/a.py\", line 3, in f\n    x()\nValueError: no"))
  }

  func testTheHooksFramesLeaveTheRunnersTraceback() {
    let text = RunSession.withoutHookFrames(crash)
    XCTAssertFalse(text.contains("djdash_hook"), text)
    XCTAssertFalse(text.contains("original_run_tests"), text)
    XCTAssertTrue(text.contains("loadTestsFromName"), text)
    XCTAssertTrue(text.hasSuffix("SyntaxError: '(' was never closed"), text)
  }
}
