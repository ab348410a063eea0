import XCTest

@testable import DjangoRunner

final class EventDecoderTests: XCTestCase {
  private let decoder = EventDecoder()

  private func decodeEvent(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> RunEvent {
    switch decoder.decode(line: text.bytes) {
    case .success(let event): return event
    case .failure(let error):
      XCTFail("could not decode: \(error)", file: file, line: line)
      throw error
    }
  }

  private func decodeError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> EventDecodingError?
  {
    switch decoder.decode(line: bytes) {
    case .success(let event):
      XCTFail("decoded unexpectedly: \(event)", file: file, line: line)
      return nil
    case .failure(let error): return error
    }
  }

  private func report(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> TestReport {
    guard case .testFinished(let report) = try decodeEvent(text, file: file, line: line) else {
      XCTFail("not a test_finished event", file: file, line: line)
      throw EventDecodingError.invalid(event: "?", detail: "wrong case")
    }
    return report
  }

  // MARK: test_finished

  func testTestFinishedTopLevelFields() throws {
    let report = try report(EventSamples.testFinished)
    XCTAssertEqual(report.id, "shop.tests.test_checkout.CheckoutTests.test_total")
    XCTAssertEqual(report.kind, .test)
    XCTAssertEqual(report.pid, 4242)
    XCTAssertEqual(report.outcome, .error)
    XCTAssertEqual(report.duration, 0.123456)
    XCTAssertEqual(report.message, "12 != 13")
    XCTAssertEqual(report.exception, "AssertionError")
    XCTAssertEqual(
      report.tracebackText,
      "Traceback (most recent call last):\n  File \"/proj/shop/tests/test_checkout.py\", line 41, in test_total\n    self.assertEqual(order.total, 13)\nAssertionError: 12 != 13\n"
    )
    XCTAssertEqual(report.stdout, "computing total\n")
    XCTAssertEqual(report.stderr, "warn: ünïcode ✓\n")
    XCTAssertEqual(report.queriesDropped, 17)
  }

  func testTestFinishedExecutedFunctions() throws {
    let recorded = try report(
      #"{"event":"test_finished","id":"a.tests.T.test_x","outcome":"pass","#
        + #""executed":{"a/utils.py":["Cart.add","helper","Cart.add.<locals>.inner"]},"#
        + #""setup_executed":{"a/models.py":["Product.save"]}}"#)
    XCTAssertEqual(recorded.executed, ["a/utils.py": ["Cart.add", "helper", "Cart.add.<locals>.inner"]])
    XCTAssertEqual(recorded.setupExecuted, ["a/models.py": ["Product.save"]])
    let plain = try report(#"{"event":"test_finished","id":"a.tests.T.test_x","outcome":"pass"}"#)
    XCTAssertEqual(plain.executed, [:], "absent when recording is off")
    XCTAssertEqual(plain.setupExecuted, [:])
  }

  func testRunnerStartedSaysHowItRecords() throws {
    let event = try decodeEvent(
      #"{"event":"runner_started","pid":5,"django":"5.2","runner":"R","labels":[],"recording":"sys.monitoring"}"#)
    guard case .runnerStarted(let info) = event else { return XCTFail("\(event)") }
    XCTAssertEqual(info.recording, "sys.monitoring")
    let plain = try decodeEvent(#"{"event":"runner_started","pid":5,"django":"5.2","runner":"R","labels":[]}"#)
    guard case .runnerStarted(let off) = plain else { return XCTFail("\(plain)") }
    XCTAssertNil(off.recording)
  }

  func testTestFinishedTracebackFrames() throws {
    let report = try report(EventSamples.testFinished)
    XCTAssertEqual(report.traceback.count, 1)
    let frame = try XCTUnwrap(report.traceback.first)
    XCTAssertEqual(frame.file, "/proj/shop/tests/test_checkout.py")
    XCTAssertEqual(frame.line, 41)
    XCTAssertEqual(frame.function, "test_total")
    XCTAssertEqual(frame.source, "self.assertEqual(order.total, 13)")
  }

  func testTestFinishedProblemsInOrder() throws {
    let problems = try report(EventSamples.testFinished).problems
    XCTAssertEqual(problems.map(\.outcome), [.fail, .error])
    XCTAssertEqual(problems.map(\.exception), ["AssertionError", "ConnectionError"])
    XCTAssertEqual(problems.map(\.message), ["12 != 13", "cleanup failed"])
    XCTAssertEqual(problems.map(\.subtest), ["(qty=2)", nil])
    XCTAssertEqual(problems[0].tracebackText, "Traceback (most recent call last):\nAssertionError: 12 != 13\n")
    XCTAssertEqual(
      problems[1].traceback,
      [SourceFrame(file: "/proj/shop/tests/test_checkout.py", line: 12, function: "tearDown", source: "")])
  }

  func testQueryWithListParamsAndOrigin() throws {
    let query = try report(EventSamples.testFinished).queries[0]
    XCTAssertEqual(query.sql, "SELECT \"shop_order\".\"id\" FROM \"shop_order\" WHERE \"shop_order\".\"id\" = %s")
    XCTAssertEqual(query.alias, "default")
    XCTAssertEqual(query.duration, 0.0001234)
    XCTAssertEqual(query.thread, "MainThread")
    XCTAssertEqual(query.params, .array([.number(7), .string("x"), .null, .bool(true), .number(2.5)]))
    XCTAssertNil(query.many)
    XCTAssertNil(query.rows)
    XCTAssertEqual(query.origin, SourceLocation(file: "/proj/shop/models.py", line: 88, function: "total"))
  }

  func testQueryWithDictParamsAndNoOrigin() throws {
    let query = try report(EventSamples.testFinished).queries[1]
    XCTAssertEqual(query.alias, "other")
    XCTAssertEqual(query.thread, "Thread-3")
    XCTAssertEqual(query.duration, 0.002)
    XCTAssertEqual(
      query.params, .object(["sku": .string("A-1"), "qty": .number(3), "when": .string("datetime.date(2024, 1, 2)")]))
    XCTAssertNil(query.origin)
  }

  func testQueryWithNullParams() throws {
    let query = try report(EventSamples.testFinished).queries[2]
    XCTAssertEqual(query.sql, "SAVEPOINT \"s1_x1\"")
    XCTAssertNil(query.params)
    XCTAssertEqual(query.duration, 1e-05)
  }

  func testExecuteManyQueries() throws {
    let queries = try report(EventSamples.testFinished).queries
    XCTAssertEqual(queries.count, 5)
    XCTAssertEqual(queries[3].many, true)
    XCTAssertEqual(queries[3].rows, 3)
    XCTAssertEqual(queries[3].params, .array([.string("red")]))
    XCTAssertEqual(queries[4].many, true)
    XCTAssertNil(queries[4].rows, "the hook sends rows: null when it cannot count them")
    XCTAssertNil(queries[4].params)
  }

  func testSetupQueries() throws {
    let setup = try report(EventSamples.testFinished).setupQueries
    XCTAssertEqual(setup.count, 1)
    XCTAssertEqual(setup.first?.sql, "INSERT INTO \"shop_product\" (\"name\") VALUES (%s)")
    XCTAssertEqual(setup.first?.params, .array([.string("Mug")]))
    XCTAssertEqual(setup.first?.origin?.function, "setUpTestData")
    XCTAssertEqual(setup.first?.origin?.line, 20)
  }

  func testMailWithAlternativesAndAttachments() throws {
    let mails = try report(EventSamples.testFinished).mails
    XCTAssertEqual(mails.count, 1)
    let mail = try XCTUnwrap(mails.first)
    XCTAssertEqual(mail.subject, "Your order")
    XCTAssertEqual(mail.from, "shop@example.com")
    XCTAssertEqual(mail.to, ["ann@example.com"])
    XCTAssertEqual(mail.cc, ["cc@example.com"])
    XCTAssertEqual(mail.bcc, ["audit@example.com"])
    XCTAssertEqual(mail.replyTo, ["help@example.com"])
    XCTAssertEqual(mail.headers, ["X-Order": "7"])
    XCTAssertEqual(mail.body, "Thanks!")
    XCTAssertEqual(mail.contentSubtype, "plain")
    XCTAssertEqual(mail.alternatives.map(\.mimetype), ["text/html"])
    XCTAssertEqual(mail.alternatives.map(\.content), ["<p>Thanks!</p>"])
    XCTAssertEqual(mail.attachments.map(\.name), ["invoice.pdf"])
    XCTAssertEqual(mail.attachments.map(\.mimetype), ["application/pdf"])
    XCTAssertEqual(mail.attachments.map(\.size), [2048])
    XCTAssertNil(mail.sentUsing, "no MAILERS alias before Django 6.1")
  }

  func testMailNamesTheMailerThatSentIt() throws {
    let report = try report(
      #"{"event":"test_finished","id":"a.T.t","outcome":"pass","mails":[{"subject":"Hi","sent_using":"notifications"}]}"#
    )
    XCTAssertEqual(report.mails.first?.sentUsing, "notifications")
  }

  func testSubtestsWithParams() throws {
    let subtests = try report(EventSamples.testFinished).subtests
    XCTAssertEqual(subtests.map(\.description), ["(qty=1)", "(qty=2)", "(kind='gift', extra=None)"])
    XCTAssertEqual(subtests.map(\.outcome), [.pass, .fail, .skip])
    XCTAssertEqual(
      subtests.map(\.params), [["qty": .number(1)], ["qty": .number(2)], ["kind": .string("gift"), "extra": .null]])
    XCTAssertEqual(subtests.map(\.message), ["", "12 != 13", "no gifts today"])
    XCTAssertEqual(subtests.map(\.exception), [nil, "AssertionError", nil])
    XCTAssertEqual(subtests[1].traceback.map(\.line), [41])
    XCTAssertEqual(subtests[1].tracebackText, "Traceback (most recent call last):\nAssertionError: 12 != 13\n")
    XCTAssertEqual(subtests[0].traceback, [])
    XCTAssertEqual(subtests[0].tracebackText, "")
  }

  func testTestFinishedWithOnlyRequiredFieldsTakesDefaults() throws {
    let report = try report(#"{"event":"test_finished","id":"a.b.C.test_x","outcome":"pass"}"#)
    XCTAssertEqual(report.id, "a.b.C.test_x")
    XCTAssertEqual(report.outcome, .pass)
    XCTAssertEqual(report.kind, .test)
    XCTAssertEqual(report.pid, 0)
    XCTAssertEqual(report.duration, 0)
    XCTAssertEqual(report.message, "")
    XCTAssertNil(report.exception)
    XCTAssertEqual(report.traceback, [])
    XCTAssertEqual(report.tracebackText, "")
    XCTAssertEqual(report.problems, [])
    XCTAssertEqual(report.stdout, "")
    XCTAssertEqual(report.stderr, "")
    XCTAssertEqual(report.queries, [])
    XCTAssertEqual(report.setupQueries, [])
    XCTAssertEqual(report.queriesDropped, 0)
    XCTAssertEqual(report.mails, [])
    XCTAssertEqual(report.subtests, [])
  }

  func testUnreadableMailFromTheHookTakesDefaults() throws {
    // `_mails_since` sends only a subject when a message object cannot be read.
    let report = try report(
      #"{"event":"test_finished","id":"a.T.t","outcome":"pass","mails":[{"subject":"<djdash could not read this mail: ValueError>"}]}"#
    )
    let mail = try XCTUnwrap(report.mails.first)
    XCTAssertEqual(mail.subject, "<djdash could not read this mail: ValueError>")
    XCTAssertEqual(mail.from, "")
    XCTAssertEqual(mail.to, [])
    XCTAssertEqual(mail.headers, [:])
    XCTAssertEqual(mail.contentSubtype, "plain")
    XCTAssertEqual(mail.alternatives, [])
    XCTAssertEqual(mail.attachments, [])
  }

  func testAttachmentWhoseSizeOnlyTheProjectKnowsHasNone() throws {
    // A message/rfc822 attachment given as a message object: the hook leaves size out.
    let report = try report(
      #"{"event":"test_finished","id":"a.T.t","outcome":"pass","mails":[{"subject":"Fwd","attachments":[{"name":"fwd.eml","mimetype":"message/rfc822"},{"name":"a.pdf","mimetype":"application/pdf","size":13}]}]}"#
    )
    let attachments = try XCTUnwrap(report.mails.first).attachments
    XCTAssertEqual(attachments.map(\.name), ["fwd.eml", "a.pdf"])
    XCTAssertEqual(attachments.map(\.size), [nil, 13])
  }

  func testQueryAndFrameWithMissingFieldsTakeDefaults() throws {
    let report = try report(
      #"{"event":"test_finished","id":"a.T.t","outcome":"fail","traceback":[{}],"queries":[{"sql":"SELECT 1"}]}"#)
    XCTAssertEqual(report.traceback, [SourceFrame(file: "", line: 0, function: "", source: "")])
    let query = try XCTUnwrap(report.queries.first)
    XCTAssertEqual(query.sql, "SELECT 1")
    XCTAssertNil(query.params)
    XCTAssertNil(query.alias)
    XCTAssertEqual(query.duration, 0)
    XCTAssertNil(query.thread)
  }

  func testSuiteErrorAndLoadErrorKinds() throws {
    let suite = try report(
      #"{"event":"test_finished","id":"setUpClass (a.b.C)","kind":"suite_error","outcome":"error"}"#)
    XCTAssertEqual(suite.kind, .suiteError)
    let load = try report(
      #"{"event":"test_finished","id":"unittest.loader._FailedTest.a.tests","kind":"load_error","outcome":"error"}"#)
    XCTAssertEqual(load.kind, .loadError)
  }

  func testUnknownKindFallsBackToTest() throws {
    let report = try report(#"{"event":"test_finished","id":"a.T.t","kind":"doctest","outcome":"pass"}"#)
    XCTAssertEqual(report.kind, .test)
  }

  // MARK: other hook events

  func testTestStarted() throws {
    XCTAssertEqual(
      try decodeEvent(#"{"id":"a.b.C.test_x","pid":77,"event":"test_started"}"#),
      .testStarted(id: "a.b.C.test_x", pid: 77))
  }

  func testTestStartedWithoutPidDefaultsToZero() throws {
    XCTAssertEqual(
      try decodeEvent(#"{"id":"a.b.C.test_x","event":"test_started"}"#), .testStarted(id: "a.b.C.test_x", pid: 0))
  }

  func testSuiteReadyParallel() throws {
    let event = try decodeEvent(
      #"{"tests":["a.T.t1","a.T.t2"],"processes":4,"subsuites":2,"shuffle_seed":1234,"event":"suite_ready"}"#)
    XCTAssertEqual(
      event, .suiteReady(SuitePlan(tests: ["a.T.t1", "a.T.t2"], processes: 4, subsuites: 2, shuffleSeed: 1234)))
  }

  func testSuiteReadySerialWithNullSubsuitesAndSeed() throws {
    let event = try decodeEvent(
      #"{"tests":["a.T.t1"],"processes":1,"subsuites":null,"shuffle_seed":null,"event":"suite_ready"}"#)
    guard case .suiteReady(let plan) = event else { return XCTFail("got \(event)") }
    XCTAssertEqual(plan.tests, ["a.T.t1"])
    XCTAssertEqual(plan.processes, 1)
    XCTAssertNil(plan.subsuites)
    XCTAssertNil(plan.shuffleSeed)
  }

  func testDatabasesReady() throws {
    let event = try decodeEvent(
      #"{"databases":{"default":"test_shop","other":"file:memorydb_other?mode=memory&cache=shared"},"event":"databases_ready"}"#
    )
    XCTAssertEqual(
      event, .databasesReady(["default": "test_shop", "other": "file:memorydb_other?mode=memory&cache=shared"]))
  }

  func testDatabasesDestroyed() throws {
    XCTAssertEqual(try decodeEvent(#"{"event":"databases_destroyed"}"#), .databasesDestroyed)
  }

  func testHello() throws {
    let event = try decodeEvent(
      #"{"event":"hello","protocol":1,"pid":501,"ppid":500,"role":"worker","python":"3.12.1"}"#)
    guard case .hello(let hello) = event else { return XCTFail("got \(event)") }
    XCTAssertEqual(hello.protocol, 1)
    XCTAssertEqual(hello.pid, 501)
    XCTAssertEqual(hello.ppid, 500)
    XCTAssertEqual(hello.role, .worker)
    XCTAssertEqual(hello.python, "3.12.1")
  }

  func testRunnerStarted() throws {
    let event = try decodeEvent(
      #"{"pid":500,"django":"5.2.1","runner":"django.test.runner.DiscoverRunner","labels":["shop"],"event":"runner_started"}"#
    )
    XCTAssertEqual(
      event,
      .runnerStarted(
        RunnerInfo(pid: 500, django: "5.2.1", runner: "django.test.runner.DiscoverRunner", labels: ["shop"])))
  }

  func testWorkerReadyAndSubsuiteEvents() throws {
    XCTAssertEqual(
      try decodeEvent(#"{"databases":{"default":"test_shop_2"},"event":"worker_ready"}"#),
      .workerReady(["default": "test_shop_2"]))
    XCTAssertEqual(try decodeEvent(#"{"event":"worker_ready"}"#), .workerReady([:]), "an older hook sends no names")
    XCTAssertEqual(try decodeEvent(#"{"index":3,"event":"subsuite_started"}"#), .subsuiteStarted(index: 3))
    XCTAssertEqual(
      try decodeEvent(#"{"index":3,"skipped":true,"event":"subsuite_finished"}"#),
      .subsuiteFinished(index: 3, skipped: true))
    XCTAssertEqual(
      try decodeEvent(#"{"index":4,"skipped":false,"event":"subsuite_finished"}"#),
      .subsuiteFinished(index: 4, skipped: false))
  }

  func testParallelStoppedAsTheHookSendsIt() throws {
    XCTAssertEqual(
      try decodeEvent(#"{"event":"parallel_stopped","reason":"stop","replayed":[0,3]}"#),
      .parallelStopped(ParallelStop(reason: .stop, replayed: [0, 3])))
    XCTAssertEqual(
      try decodeEvent(#"{"event":"parallel_stopped","reason":"error","replayed":[]}"#),
      .parallelStopped(ParallelStop(reason: .error, replayed: [])))
    XCTAssertEqual(
      try decodeEvent(#"{"event":"parallel_stopped","reason":"from_the_future"}"#),
      .parallelStopped(ParallelStop(reason: .error, replayed: nil)),
      "an unknown reason keeps every result: the cautious reading")
  }

  func testSubsuiteFinishedWithoutSkippedIsNotSkipped() throws {
    XCTAssertEqual(
      try decodeEvent(#"{"index":2,"event":"subsuite_finished"}"#), .subsuiteFinished(index: 2, skipped: false))
  }

  func testRunnerFinished() throws {
    XCTAssertEqual(try decodeEvent(#"{"failures":3,"event":"runner_finished"}"#), .runnerFinished(failures: 3))
  }

  func testHookError() throws {
    let event = try decodeEvent(
      #"{"where":"suite_ready","traceback":"Traceback ...\nKeyError: 'x'\n","event":"hook_error"}"#)
    XCTAssertEqual(event, .hookError(place: "suite_ready", traceback: "Traceback ...\nKeyError: 'x'\n"))
  }

  func testUnknownEventNameIsKeptNotRejected() throws {
    XCTAssertEqual(try decodeEvent(#"{"event":"coverage_ready","files":12}"#), .unknown("coverage_ready"))
  }

  func testUnknownFieldsOnKnownEventsAreIgnored() throws {
    XCTAssertEqual(
      try decodeEvent(#"{"event":"test_started","id":"a.T.t","pid":1,"thread":"x"}"#), .testStarted(id: "a.T.t", pid: 1)
    )
  }

  // MARK: malformed input

  func testNotJSONIsMalformed() {
    guard case .malformed(let snippet, let detail)? = decodeError("hello there".bytes) else {
      return XCTFail("expected .malformed")
    }
    XCTAssertEqual(snippet, "hello there")
    XCTAssertEqual(detail, "not JSON")
  }

  func testJSONArrayIsMalformedNotAnObject() {
    guard case .malformed(_, let detail)? = decodeError(#"[{"event":"hello"}]"#.bytes) else {
      return XCTFail("expected .malformed")
    }
    XCTAssertEqual(detail, "not a JSON object")
  }

  func testObjectWithoutEventFieldIsMalformed() {
    guard case .malformed(let snippet, let detail)? = decodeError(#"{"id":"a.T.t"}"#.bytes) else {
      return XCTFail("expected .malformed")
    }
    XCTAssertEqual(detail, "no \"event\" field")
    XCTAssertEqual(snippet, #"{"id":"a.T.t"}"#)
  }

  func testSnippetKeepsOnlyTheStartOfALongLine() {
    let line = "not json " + String(repeating: "x", count: 500)
    guard case .malformed(let snippet, _)? = decodeError(line.bytes) else { return XCTFail("expected .malformed") }
    XCTAssertEqual(snippet.count, 120)
    XCTAssertTrue(line.hasPrefix(snippet))
  }

  func testTestFinishedWithoutIdIsInvalid() {
    guard case .invalid(let event, let detail)? = decodeError(#"{"event":"test_finished","outcome":"pass"}"#.bytes)
    else {
      return XCTFail("expected .invalid")
    }
    XCTAssertEqual(event, "test_finished")
    XCTAssertEqual(detail, "missing id")
  }

  func testMissingFieldInsideANestedValueNamesItsPath() {
    let line =
      #"{"event":"test_finished","id":"a.T.t","outcome":"fail","problems":[{"outcome":"fail"},{"message":"m"}]}"#
    guard case .invalid(let event, let detail)? = decodeError(line.bytes) else { return XCTFail("expected .invalid") }
    XCTAssertEqual(event, "test_finished")
    XCTAssertEqual(detail, "missing problems.1.outcome")
  }

  func testWrongTypeIsInvalidAndNamesTheField() {
    guard case .invalid(let event, let detail)? = decodeError(#"{"event":"test_started","id":42,"pid":1}"#.bytes) else {
      return XCTFail("expected .invalid")
    }
    XCTAssertEqual(event, "test_started")
    XCTAssertTrue(detail.hasPrefix("id: "), detail)
  }

  func testUnknownOutcomeIsInvalid() {
    guard
      case .invalid(let event, let detail)? = decodeError(
        #"{"event":"test_finished","id":"a.T.t","outcome":"maybe"}"#.bytes)
    else {
      return XCTFail("expected .invalid")
    }
    XCTAssertEqual(event, "test_finished")
    XCTAssertTrue(detail.hasPrefix("outcome: "), detail)
  }

  func testNullForARequiredFieldIsInvalid() {
    guard case .invalid(let event, let detail)? = decodeError(#"{"event":"subsuite_started","index":null}"#.bytes)
    else {
      return XCTFail("expected .invalid")
    }
    XCTAssertEqual(event, "subsuite_started")
    XCTAssertTrue(detail.hasPrefix("index: "), detail)
  }

  func testLineCutInHalfIsMalformed() {
    let whole = EventSamples.testFinishedBytes
    let half = Array(whole[..<(whole.count / 2)])
    guard case .malformed(let snippet, let detail)? = decodeError(half) else { return XCTFail("expected .malformed") }
    XCTAssertEqual(detail, "not JSON")
    XCTAssertEqual(snippet, String(decoding: half.prefix(120), as: UTF8.self))
  }

  func testEmptyLineIsMalformed() {
    guard case .malformed? = decodeError([]) else { return XCTFail("expected .malformed") }
  }

  // MARK: bytes

  func testInvalidUTF8InsideAStringIsRepaired() throws {
    var bytes = #"{"event":"warning","message":"caf"#.bytes
    bytes += [0xE9, 0xFF]  // Latin-1 é and a byte never valid in UTF-8
    bytes += #" ok"}"#.bytes
    let event = try decoder.decode(line: bytes).get()
    XCTAssertEqual(event, .warning("caf\u{FFFD}\u{FFFD} ok"))
  }

  func testInvalidUTF8InTestOutputIsRepaired() throws {
    var bytes = #"{"event":"test_finished","id":"a.T.t","outcome":"pass","stdout":"x"#.bytes
    bytes += [0xC3]  // a cut two-byte sequence
    bytes += #"y"}"#.bytes
    guard case .testFinished(let report) = try decoder.decode(line: bytes).get() else { return XCTFail("wrong event") }
    XCTAssertEqual(report.stdout, "x\u{FFFD}y")
  }

  func testEscapedNULInsideAStringDecodes() throws {
    let event = try decoder.decode(line: #"{"event":"warning","message":"a\u0000b"}"#.bytes).get()
    XCTAssertEqual(event, .warning("a\u{0}b"))
  }

  func testRawNULByteIsRejectedAsMalformed() {
    var bytes = #"{"event":"warning","message":"a"#.bytes
    bytes.append(0x00)
    bytes += #"b"}"#.bytes
    guard case .malformed(_, let detail)? = decodeError(bytes) else { return XCTFail("expected .malformed") }
    XCTAssertEqual(detail, "not JSON")
  }

  func testHugeEventDecodes() throws {
    let chunk = "0123456789abcdef"  // 16 bytes
    let stdout = String(repeating: chunk, count: 5 * 1024 * 1024 / chunk.count)
    let line = #"{"event":"test_finished","id":"a.T.big","outcome":"pass","stdout":""# + stdout + #""}"#
    guard case .testFinished(let report) = try decoder.decode(line: line.bytes).get() else {
      return XCTFail("wrong event")
    }
    XCTAssertEqual(report.stdout.utf8.count, 5 * 1024 * 1024)
    XCTAssertEqual(report.id, "a.T.big")
  }

  func testDecodeTimedReadsTheTime() throws {
    let timed = try decoder.decodeTimed(line: #"{"event":"databases_destroyed","t":12.5}"#.bytes).get()
    XCTAssertEqual(timed, TimedEvent(t: 12.5, event: .databasesDestroyed))
  }

  func testDecodeTimedWithoutTimeIsZero() throws {
    let timed = try decoder.decodeTimed(line: #"{"event":"databases_destroyed"}"#.bytes).get()
    XCTAssertEqual(timed.t, 0)
  }

  func testErrorDescriptionsAreReadable() {
    XCTAssertEqual(
      EventDecodingError.oversized(bytes: 99).description, "an event line of 99 bytes was too long and was dropped")
    XCTAssertEqual(
      EventDecodingError.truncated(snippet: "{\"ev").description,
      "the event stream ended in the middle of a line: {\"ev")
    XCTAssertEqual(
      EventDecodingError.invalid(event: "test_finished", detail: "missing id").description,
      "event test_finished has unexpected fields: missing id")
  }
}
