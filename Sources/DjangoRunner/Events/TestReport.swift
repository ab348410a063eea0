import Foundation

/// The verdict of one test, in unittest's vocabulary.
public enum TestOutcome: String, Codable, Sendable, CaseIterable, Comparable {
  case pass, skip, xfail, xpass, fail, error

  /// Whether Django counts this outcome against the run (its exit code is 1).
  public var failsTheRun: Bool { self == .fail || self == .error || self == .xpass }

  /// Severity order, used to merge several verdicts of one test (error beats fail, …).
  public static func < (lhs: TestOutcome, rhs: TestOutcome) -> Bool {
    lhs.severity < rhs.severity
  }

  private var severity: Int {
    switch self {
    case .pass: return 0
    case .skip: return 1
    case .xfail: return 2
    case .xpass: return 3
    case .fail: return 4
    case .error: return 5
    }
  }
}

/// What kind of thing a reported "test" is: most are tests; Django also reports
/// modules that failed to import and class or module fixtures that raised.
public enum TestKind: String, Codable, Sendable {
  /// A test method.
  case test
  /// A test module or label that could not be loaded (unittest's `_FailedTest`).
  case loadError = "load_error"
  /// An error outside any test: `setUpClass`, `setUpModule`, `tearDownClass`, …
  case suiteError = "suite_error"
}

/// The ids unittest gives to what is not a test method.
public enum TestID {
  /// What unittest puts before a module it could not import.
  public static let failedTestPrefix = "unittest.loader._FailedTest."

  /// `setUpClass (app.tests.Class)` → `("setUpClass", "app.tests.Class")`; nil for an id
  /// of another shape.
  public static func suiteError(_ id: String) -> (name: String, owner: String)? {
    guard let open = id.firstIndex(of: "("), id.hasSuffix(")") else { return nil }
    let owner = id[id.index(after: open)..<id.index(before: id.endIndex)]
    return (id[..<open].trimmingCharacters(in: .whitespaces), String(owner))
  }

  /// `unittest.loader._FailedTest.app.tests` → `app.tests`; nil for another id.
  public static func failedModule(_ id: String) -> String? {
    id.hasPrefix(failedTestPrefix) ? String(id.dropFirst(failedTestPrefix.count)) : nil
  }
}

/// One frame of a traceback.
public struct SourceFrame: Codable, Sendable, Equatable {
  public var file: String
  public var line: Int
  public var function: String
  /// The source line as Python's traceback module read it; empty when unavailable.
  public var source: String

  public init(file: String, line: Int, function: String, source: String = "") {
    self.file = file
    self.line = line
    self.function = function
    self.source = source
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    file = try c.decodeIfPresent(String.self, forKey: .file) ?? ""
    line = try c.decodeIfPresent(Int.self, forKey: .line) ?? 0
    function = try c.decodeIfPresent(String.self, forKey: .function) ?? ""
    source = try c.decodeIfPresent(String.self, forKey: .source) ?? ""
  }
}

/// A failure or error raised while a test ran (a test can have several: a failing
/// assertion, then an error in a cleanup; or one per failing subtest).
public struct Problem: Codable, Sendable, Equatable {
  public var outcome: TestOutcome
  public var exception: String?
  public var message: String
  public var traceback: [SourceFrame]
  /// The traceback exactly as unittest prints it, chained exceptions included.
  public var tracebackText: String
  /// The subtest's description when the problem belongs to a subtest.
  public var subtest: String?

  enum CodingKeys: String, CodingKey {
    case outcome, exception, message, traceback, subtest
    case tracebackText = "traceback_text"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    outcome = try c.decode(TestOutcome.self, forKey: .outcome)
    exception = try c.decodeIfPresent(String.self, forKey: .exception)
    message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
    traceback = try c.decodeIfPresent([SourceFrame].self, forKey: .traceback) ?? []
    tracebackText = try c.decodeIfPresent(String.self, forKey: .tracebackText) ?? ""
    subtest = try c.decodeIfPresent(String.self, forKey: .subtest)
  }

  public init(
    outcome: TestOutcome, exception: String?, message: String, traceback: [SourceFrame] = [],
    tracebackText: String = "", subtest: String? = nil
  ) {
    self.outcome = outcome
    self.exception = exception
    self.message = message
    self.traceback = traceback
    self.tracebackText = tracebackText
    self.subtest = subtest
  }
}

/// Where in the project a query was issued: the innermost frame in project code.
public struct SourceLocation: Codable, Sendable, Equatable {
  public var file: String
  public var line: Int
  public var function: String
}

/// One SQL statement a test ran, on any database alias and any thread.
public struct SQLQuery: Codable, Sendable, Equatable {
  public var sql: String
  /// The parameters as a list (or a dict for named parameters); for `executemany`
  /// the first row's.
  public var params: JSONValue?
  public var alias: String?
  /// Seconds the database took.
  public var duration: Double
  public var thread: String?
  /// Set for `executemany`, with the number of parameter rows when known.
  public var many: Bool?
  public var rows: Int?
  public var origin: SourceLocation?

  public init(sql: String, params: JSONValue? = nil, alias: String? = nil, duration: Double = 0) {
    self.sql = sql
    self.params = params
    self.alias = alias
    self.duration = duration
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sql = try c.decodeIfPresent(String.self, forKey: .sql) ?? ""
    params = try c.decodeIfPresent(JSONValue.self, forKey: .params)
    alias = try c.decodeIfPresent(String.self, forKey: .alias)
    duration = try c.decodeIfPresent(Double.self, forKey: .duration) ?? 0
    thread = try c.decodeIfPresent(String.self, forKey: .thread)
    many = try c.decodeIfPresent(Bool.self, forKey: .many)
    rows = try c.decodeIfPresent(Int.self, forKey: .rows)
    origin = try c.decodeIfPresent(SourceLocation.self, forKey: .origin)
  }
}

/// One message a test left in `django.core.mail.outbox`.
public struct Mail: Codable, Sendable, Equatable {
  public struct Alternative: Codable, Sendable, Equatable {
    public var mimetype: String
    public var content: String
  }

  public struct Attachment: Codable, Sendable, Equatable {
    public var name: String
    public var mimetype: String
    /// Bytes; nil when only the project's code could tell (a `message/rfc822` attachment
    /// given as a message object, content of a type other than text or bytes): the hook
    /// never serialises it to find out.
    public var size: Int?

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
      mimetype = try c.decodeIfPresent(String.self, forKey: .mimetype) ?? ""
      size = try c.decodeIfPresent(Int.self, forKey: .size)
    }
  }

  public var subject: String
  public var from: String
  public var to: [String]
  public var cc: [String]
  /// Kept from the message object: Bcc never appears in the RFC 822 text.
  public var bcc: [String]
  public var replyTo: [String]
  public var headers: [String: String]
  public var body: String
  public var contentSubtype: String
  public var alternatives: [Alternative]
  public var attachments: [Attachment]
  /// The `MAILERS` alias of the mailer that sent it (Django 6.1+'s `sent_using`); nil
  /// before 6.1 and for mail sent the `EMAIL_BACKEND` way.
  public var sentUsing: String?

  enum CodingKeys: String, CodingKey {
    case subject, from, to, cc, bcc, headers, body, alternatives, attachments
    case replyTo = "reply_to"
    case contentSubtype = "content_subtype"
    case sentUsing = "sent_using"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    subject = try c.decodeIfPresent(String.self, forKey: .subject) ?? ""
    from = try c.decodeIfPresent(String.self, forKey: .from) ?? ""
    to = try c.decodeIfPresent([String].self, forKey: .to) ?? []
    cc = try c.decodeIfPresent([String].self, forKey: .cc) ?? []
    bcc = try c.decodeIfPresent([String].self, forKey: .bcc) ?? []
    replyTo = try c.decodeIfPresent([String].self, forKey: .replyTo) ?? []
    headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
    body = try c.decodeIfPresent(String.self, forKey: .body) ?? ""
    contentSubtype = try c.decodeIfPresent(String.self, forKey: .contentSubtype) ?? "plain"
    alternatives = try c.decodeIfPresent([Alternative].self, forKey: .alternatives) ?? []
    attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
    sentUsing = try c.decodeIfPresent(String.self, forKey: .sentUsing)
  }
}

/// One `self.subTest(...)` block of a test.
public struct Subtest: Codable, Sendable, Equatable {
  /// As unittest shows it, e.g. `(i=1, kind='x')`.
  public var description: String
  public var params: [String: JSONValue]
  public var outcome: TestOutcome
  public var message: String
  public var exception: String?
  public var traceback: [SourceFrame]
  public var tracebackText: String

  enum CodingKeys: String, CodingKey {
    case description, params, outcome, message, exception, traceback
    case tracebackText = "traceback_text"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
    params = try c.decodeIfPresent([String: JSONValue].self, forKey: .params) ?? [:]
    outcome = try c.decode(TestOutcome.self, forKey: .outcome)
    message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
    exception = try c.decodeIfPresent(String.self, forKey: .exception)
    traceback = try c.decodeIfPresent([SourceFrame].self, forKey: .traceback) ?? []
    tracebackText = try c.decodeIfPresent(String.self, forKey: .tracebackText) ?? ""
  }
}

/// Everything known about one finished test: the payload of `test_finished`.
public struct TestReport: Codable, Sendable, Equatable {
  /// unittest's id: `module.Class.method`, or Django's own description for suite
  /// errors (`setUpClass (module.Class)`), exactly as Django's runner names it.
  public var id: String
  public var kind: TestKind
  /// The process that ran the test.
  public var pid: Int32
  public var outcome: TestOutcome
  /// Seconds from `startTest` to `stopTest`.
  public var duration: Double
  /// The first problem's message, or the skip reason.
  public var message: String
  public var exception: String?
  public var traceback: [SourceFrame]
  public var tracebackText: String
  /// Every failure and error, in the order they happened.
  public var problems: [Problem]
  public var stdout: String
  public var stderr: String
  /// The test's own queries, from `startTest` to `stopTest`.
  public var queries: [SQLQuery]
  /// Queries since the previous test in the same process ended: class and fixture
  /// setup (setUpTestData, setUpClass, fixtures, savepoints) and the previous test's
  /// rollback.
  public var setupQueries: [SQLQuery]
  /// Queries beyond the hook's per-test limit, counted but not kept.
  public var queriesDropped: Int
  public var mails: [Mail]
  public var subtests: [Subtest]
  /// Names of the templates the test rendered (Django's `template_rendered`).
  public var templates: [String]
  /// Project files (relative to the project root) of the modules the test was the first
  /// to import in its process.
  public var imported: [String]
  /// The project functions and methods the test executed, by file (relative to the
  /// project root) → `co_qualname`s (`Foo.bar`, `helper`, `Foo.bar.<locals>.inner`), from
  /// its `startTest` to its `stopTest`. Empty when recording is off (or unavailable).
  public var executed: [String: [String]]
  /// The project functions run in the test's process outside any test since the previous
  /// test there ended (the first test: since recording began — `django.setup()`, imports
  /// at discovery, a warm server's start-up): class and module setup, `setUpTestData`,
  /// code run at import. Not any one test's: a change to one is not narrowed.
  public var setupExecuted: [String: [String]]

  enum CodingKeys: String, CodingKey {
    case id, kind, pid, outcome, duration, message, exception, traceback, problems
    case stdout, stderr, queries, mails, subtests, templates, imported, executed
    case setupExecuted = "setup_executed"
    case tracebackText = "traceback_text"
    case setupQueries = "setup_queries"
    case queriesDropped = "queries_dropped"
  }

  public init(
    id: String, outcome: TestOutcome, kind: TestKind = .test, pid: Int32 = 0, duration: Double = 0,
    message: String = "", problems: [Problem] = []
  ) {
    self.id = id
    self.kind = kind
    self.pid = pid
    self.outcome = outcome
    self.duration = duration
    self.message = message
    self.exception = problems.first?.exception
    self.traceback = problems.first?.traceback ?? []
    self.tracebackText = problems.first?.tracebackText ?? ""
    self.problems = problems
    self.stdout = ""
    self.stderr = ""
    self.queries = []
    self.setupQueries = []
    self.queriesDropped = 0
    self.mails = []
    self.subtests = []
    self.templates = []
    self.imported = []
    self.executed = [:]
    self.setupExecuted = [:]
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    kind = (try? c.decodeIfPresent(TestKind.self, forKey: .kind)) ?? .test
    pid = try c.decodeIfPresent(Int32.self, forKey: .pid) ?? 0
    outcome = try c.decode(TestOutcome.self, forKey: .outcome)
    duration = try c.decodeIfPresent(Double.self, forKey: .duration) ?? 0
    message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
    exception = try c.decodeIfPresent(String.self, forKey: .exception)
    traceback = try c.decodeIfPresent([SourceFrame].self, forKey: .traceback) ?? []
    tracebackText = try c.decodeIfPresent(String.self, forKey: .tracebackText) ?? ""
    problems = try c.decodeIfPresent([Problem].self, forKey: .problems) ?? []
    stdout = try c.decodeIfPresent(String.self, forKey: .stdout) ?? ""
    stderr = try c.decodeIfPresent(String.self, forKey: .stderr) ?? ""
    queries = try c.decodeIfPresent([SQLQuery].self, forKey: .queries) ?? []
    setupQueries = try c.decodeIfPresent([SQLQuery].self, forKey: .setupQueries) ?? []
    queriesDropped = try c.decodeIfPresent(Int.self, forKey: .queriesDropped) ?? 0
    mails = try c.decodeIfPresent([Mail].self, forKey: .mails) ?? []
    subtests = try c.decodeIfPresent([Subtest].self, forKey: .subtests) ?? []
    templates = try c.decodeIfPresent([String].self, forKey: .templates) ?? []
    imported = try c.decodeIfPresent([String].self, forKey: .imported) ?? []
    executed = try c.decodeIfPresent([String: [String]].self, forKey: .executed) ?? [:]
    setupExecuted = try c.decodeIfPresent([String: [String]].self, forKey: .setupExecuted) ?? [:]
  }

  /// `module.Class` and `method` as JUnit wants them, for every kind of id.
  public var classAndName: (className: String, name: String) {
    if kind == .suiteError, let (name, owner) = TestID.suiteError(id) {
      // "setUpClass (shop.tests.CheckoutTests)"
      return (owner, name)
    }
    if kind == .loadError, let module = TestID.failedModule(id) {
      // The "test" is a module that could not be imported: name it by the module.
      return ("unittest.loader._FailedTest", module)
    }
    guard let dot = id.lastIndex(of: ".") else { return (id, id) }
    return (String(id[..<dot]), String(id[id.index(after: dot)...]))
  }
}
