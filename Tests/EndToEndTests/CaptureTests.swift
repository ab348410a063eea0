import DjangoRunner
import TestSupport
import XCTest

/// What one test's report holds: SQL, mail, output and subtests, from real runs of the
/// kitchen fixture on every supported Django version.
final class CaptureTests: XCTestCase {
  private func runCapture(_ version: DjangoVersion) throws -> RecordedRun {
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    var request = RunRequest()
    request.labels = ["capture", "verdicts"]
    return try TestRun.run(project: project, python: try version.python(), request: request)
  }

  private func report(_ run: RecordedRun, _ id: String, file: StaticString = #filePath, line: UInt = #line) throws
    -> TestReport
  {
    try XCTUnwrap(run.report(id), "no report for \(id)", file: file, line: line)
  }

  func testQueriesOnEveryAliasAndThreadWithSetupKeptApart() throws {
    for version in DjangoVersion.local {
      let run = try runCapture(version)
      let twoAliases = try report(run, "capture.tests.SqlTests.test_queries_on_two_aliases")
      let own = twoAliases.queries.filter { !$0.sql.contains("SAVEPOINT") }
      XCTAssertEqual(own.filter { $0.alias == "default" }.count, 3, "Django \(version.rawValue)")
      XCTAssertEqual(own.filter { $0.alias == "other" }.count, 1)
      XCTAssertEqual(own.filter { !$0.sql.contains("capture_") }.map(\.sql), [])
      XCTAssertTrue(own.contains { $0.params == .array([.number(1), .string("apple")]) }, "\(own.map(\.params))")
      let origin = try XCTUnwrap(own.first?.origin)
      XCTAssertTrue(origin.file.hasSuffix("capture/tests.py"))
      XCTAssertEqual(origin.function, "test_queries_on_two_aliases")

      // setUpTestData's two INSERTs are setup, not the test's own, wherever they land.
      let setup = run.tally.reports.filter { $0.id.hasPrefix("capture.tests.SqlTests.") }
        .flatMap(\.setupQueries).filter { $0.sql.hasPrefix("INSERT INTO") }
      XCTAssertEqual(setup.count, 2)
      XCTAssertFalse(twoAliases.queries.contains { $0.sql.hasPrefix("INSERT INTO") })

      let thread = try report(run, "capture.tests.SqlTests.test_query_in_thread")
      XCTAssertTrue(thread.queries.contains { $0.thread == "fixture-worker" && $0.alias == "other" })

      let many = try report(run, "capture.tests.SqlTests.test_executemany")
      let insert = try XCTUnwrap(many.queries.first { $0.many == true })
      XCTAssertEqual(insert.rows, 3)
      XCTAssertEqual(insert.params, .array([.string("a"), .number(1)]))

      let bulk = try report(run, "capture.tests.SqlTests.test_many_queries")
      XCTAssertEqual(bulk.queries.filter { $0.sql == "SELECT %s" }.count, 12_000)
      XCTAssertEqual(bulk.queriesDropped, 0)
    }
  }

  func testDjangosOwnIsolationStatementsAreNotRecordedOnPostgreSQL() throws {
    let server = try PostgresServer.shared()
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    var request = RunRequest()
    request.settings = "kitchen.settings_pg"
    request.labels = ["capture.tests.SqlTests"]
    let run = try TestRun.run(
      project: project, python: try DjangoVersion.v52.python(), request: request, environment: server.environment)
    let reports = run.tally.reports.filter { $0.id.hasPrefix("capture.tests.SqlTests.") }
    XCTAssertGreaterThan(reports.count, 3, run.runnerOutput)
    // Between tests Django checks deferred constraints (SET CONSTRAINTS ALL IMMEDIATE, then
    // DEFERRED): its test isolation, not any test's setup.
    let recorded = reports.flatMap { $0.queries + $0.setupQueries }
    XCTAssertEqual(recorded.filter { $0.sql.hasPrefix("SET CONSTRAINTS") }.map(\.sql), [])
    let setup = reports.flatMap(\.setupQueries).filter { $0.sql.hasPrefix("INSERT INTO") }
    XCTAssertEqual(setup.count, 2, "setUpTestData's INSERTs are still setup")
  }

  func testMailWithEveryFieldAndNoAccumulationAcrossTests() throws {
    for version in DjangoVersion.local {
      let run = try runCapture(version)
      let rich = try report(run, "capture.tests.MailTests.test_rich_mail_fails")
      XCTAssertEqual(rich.outcome, .fail)
      let mail = try XCTUnwrap(rich.mails.first)
      XCTAssertEqual(rich.mails.count, 1, "Django \(version.rawValue)")
      XCTAssertEqual(mail.subject, "Order shipped")
      XCTAssertEqual(mail.from, "shop@example.com")
      XCTAssertEqual(mail.to, ["ann@example.com"])
      XCTAssertEqual(mail.cc, ["cc@example.com"])
      XCTAssertEqual(mail.bcc, ["audit@example.com"])
      XCTAssertEqual(mail.replyTo, ["help@example.com"])
      XCTAssertEqual(mail.headers["X-Order"], "42")
      XCTAssertEqual(mail.body, "Your order shipped.")
      XCTAssertEqual(mail.alternatives.map(\.mimetype), ["text/html"])
      XCTAssertTrue(mail.alternatives.first?.content.contains("<b>order</b>") == true)
      XCTAssertEqual(mail.attachments.map(\.name), ["note.txt", "logo.png"])
      XCTAssertEqual(mail.attachments.map(\.size), [5, 1024])
      XCTAssertEqual(mail.attachments.map(\.mimetype), ["text/plain", "image/png"])

      XCTAssertEqual(try report(run, "capture.tests.MailTests.test_two_mails_pass").mails.count, 2)
      // Plain unittest never resets the outbox; each test still shows only its own mail.
      XCTAssertEqual(try report(run, "capture.tests.PlainMailTests.test_plain_mail_one").mails.count, 1)
      XCTAssertEqual(try report(run, "capture.tests.PlainMailTests.test_plain_mail_two").mails.count, 1)
    }
  }

  /// Django 6.0 and 6.1: the same mail as on 5.2, attachments in the shapes 6.0 added
  /// (an email.message.MIMEPart, a message object as message/rfc822 content), and 6.1's
  /// mailer alias per message.
  func testMailOnDjango6HasEveryAttachmentShapeAndTheMailer() throws {
    for version in [DjangoVersion.v60, .v61] {
      let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
      var request = RunRequest()
      request.labels = ["capture.tests.MailTests", "capture.tests.PlainMailTests"]
      let run = try TestRun.run(project: project, python: try version.python(), request: request)
      let rich = try XCTUnwrap(try report(run, "capture.tests.MailTests.test_rich_mail_fails").mails.first)
      XCTAssertEqual(rich.subject, "Order shipped", "Django \(version.rawValue)")
      XCTAssertEqual(rich.bcc, ["audit@example.com"])
      XCTAssertEqual(rich.headers["X-Order"], "42")
      XCTAssertEqual(rich.alternatives.map(\.mimetype), ["text/html"])
      XCTAssertEqual(rich.attachments.map(\.size), [5, 1024])
      XCTAssertEqual(try report(run, "capture.tests.PlainMailTests.test_plain_mail_two").mails.count, 1)

      let shapes = try report(run, "capture.tests.MailTests.test_attachments_of_every_shape")
      XCTAssertEqual(shapes.outcome, .pass, "Django \(version.rawValue)")
      let mail = try XCTUnwrap(shapes.mails.first)
      XCTAssertEqual(mail.attachments.map(\.name), ["report.pdf", "array.bin", "forwarded.eml"])
      XCTAssertEqual(
        mail.attachments.map(\.mimetype), ["application/pdf", "application/octet-stream", "message/rfc822"])
      // A message's size is only known by serialising it, which would run its code.
      XCTAssertEqual(mail.attachments.map(\.size), [13, 3, nil])

      // Django 6.1's MAILERS (in the kitchen's settings): each mail names its mailer.
      let mailers = try report(run, "capture.tests.MailTests.test_mail_through_two_mailers")
      if version == .v61 {
        XCTAssertEqual(mailers.outcome, .pass)
        XCTAssertEqual(mailers.mails.map(\.sentUsing), ["default", "notifications"])
        XCTAssertEqual(rich.sentUsing, "default")
      } else {
        XCTAssertEqual(mailers.outcome, .skip)
        XCTAssertNil(rich.sentUsing)
      }
    }
  }

  func testOutputIsKeptPerTestWhateverTheTestPrints() throws {
    let run = try runCapture(.v52)
    let printed = try report(run, "capture.tests.OutputTests.test_prints_and_fails")
    XCTAssertEqual(printed.stdout, "to stdout\n")
    XCTAssertEqual(printed.stderr, "to stderr\n")

    let binary = try report(run, "capture.tests.OutputTests.test_binary_output")
    XCTAssertEqual(binary.outcome, .pass)
    XCTAssertTrue(binary.stdout.contains("\u{FFFD}"), "invalid UTF-8 is replaced, not lost")
    XCTAssertTrue(binary.stdout.contains("bad"))

    let huge = try report(run, "capture.tests.OutputTests.test_huge_output")
    XCTAssertEqual(huge.outcome, .pass)
    XCTAssertLessThan(huge.stdout.utf8.count, 1_100_000)
    XCTAssertGreaterThan(huge.stdout.utf8.count, 1_000_000)
    XCTAssertTrue(huge.stdout.contains("bytes cut by djdash"))

    let fake = try report(run, "capture.tests.OutputTests.test_fake_protocol_output")
    XCTAssertEqual(fake.outcome, .pass)
    XCTAssertTrue(fake.stdout.contains("\"event\": \"test_finished\""))
    XCTAssertNil(run.report("fake"), "printed JSON never becomes an event")
    XCTAssertTrue(run.events(named: "warning").isEmpty, "no unreadable lines on the channel")
  }

  /// A query that fails goes through the hook's execute wrapper, and a timed-out test
  /// through its signal handler: neither frame is the user's, so neither is reported.
  func testTheHooksOwnFramesAreNeverInAReportedTraceback() throws {
    let project = try TestPaths.copy(TestPaths.fixtures + "/kitchen")
    try """
    import time

    from django.db import connection
    from django.test import TestCase


    class HookFrameTests(TestCase):
        def test_a_query_that_fails(self):
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM djdash_no_such_table")

        def test_a_query_that_fails_inside_another_error(self):
            try:
                self.test_a_query_that_fails()
            except Exception as exc:
                raise RuntimeError("while querying") from exc

        def test_too_slow(self):
            time.sleep(30)

    """.write(toFile: project + "/verdicts/test_hook_frames.py", atomically: true, encoding: .utf8)
    var request = RunRequest()
    request.labels = ["verdicts.test_hook_frames"]
    request.testTimeout = 1
    let run = try TestRun.run(project: project, python: try DjangoVersion.v52.python(), request: request)
    let prefix = "verdicts.test_hook_frames.HookFrameTests."
    for name in ["test_a_query_that_fails", "test_a_query_that_fails_inside_another_error", "test_too_slow"] {
      let failed = try report(run, prefix + name)
      XCTAssertEqual(failed.outcome, .error, name)
      let files = failed.problems.flatMap(\.traceback).map(\.file)
      XCTAssertEqual(files.filter { $0.contains("/djdash_hook/") }, [], name)
      XCTAssertTrue(failed.traceback.contains { $0.function == name }, "\(name): \(failed.traceback)")
      XCTAssertFalse(failed.tracebackText.contains("/djdash_hook/"), failed.tracebackText)
    }
    let query = try report(run, prefix + "test_a_query_that_fails")
    XCTAssertEqual(query.exception, "OperationalError")
    XCTAssertTrue(query.traceback.contains { $0.file.hasSuffix("django/db/backends/utils.py") }, "Django's frames stay")
    let chained = try report(run, prefix + "test_a_query_that_fails_inside_another_error")
    XCTAssertTrue(chained.tracebackText.contains("djdash_no_such_table"), chained.tracebackText)
    XCTAssertEqual(try report(run, prefix + "test_too_slow").exception, "TestTimeout")
  }

  func testSubtestsTracebacksAndSeveralProblemsPerTest() throws {
    let run = try runCapture(.v52)
    let subtests = try report(run, "verdicts.tests.VerdictTests.test_subtests")
    XCTAssertEqual(subtests.outcome, .error)
    XCTAssertEqual(subtests.subtests.map(\.outcome), [.pass, .fail, .error, .pass])
    XCTAssertEqual(subtests.subtests[1].params["i"], .number(1))
    XCTAssertEqual(subtests.subtests[1].params["kind"], .string("x"))
    XCTAssertEqual(subtests.subtests[1].message, "1 != 0 : subtest 1 fails")
    XCTAssertEqual(subtests.subtests[2].exception, "KeyError")
    XCTAssertEqual(subtests.problems.compactMap(\.subtest).count, 2)

    let allPass = try report(run, "verdicts.tests.VerdictTests.test_subtests_all_pass")
    XCTAssertEqual(allPass.outcome, .pass)
    XCTAssertEqual(allPass.subtests.count, 3)

    let error = try report(run, "verdicts.tests.VerdictTests.test_error")
    XCTAssertEqual(error.exception, "ValueError")
    XCTAssertEqual(error.message, "boom")
    XCTAssertEqual(error.traceback.last?.function, "explode")
    XCTAssertTrue(error.traceback.last?.file.hasSuffix("verdicts/helpers.py") == true)
    XCTAssertTrue(error.tracebackText.hasPrefix("Traceback (most recent call last):"))
    XCTAssertFalse(error.tracebackText.contains("unittest/case.py"), "unittest's frames are removed")

    let both = try report(run, "verdicts.tests.VerdictTests.test_fail_then_cleanup_error")
    XCTAssertEqual(both.outcome, .error)
    XCTAssertEqual(both.problems.map(\.outcome), [.fail, .error])
    XCTAssertEqual(both.problems.map(\.exception), ["AssertionError", "RuntimeError"])

    let skip = try report(run, "verdicts.tests.VerdictTests.test_skip")
    XCTAssertEqual(skip.message, "not today")
  }
}
