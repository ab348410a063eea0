import Foundation

/// A run event with its time: seconds since the run started, taken when djdash
/// received it. One line of the `--events` file.
public struct TimedEvent: Codable, Sendable, Equatable {
  public var t: Double
  public var event: RunEvent

  public init(t: Double, event: RunEvent) {
    self.t = t
    self.event = event
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: EventKey.self)
    t = try c.decodeIfPresent(Double.self, forKey: "t") ?? 0
    event = try RunEvent(from: decoder)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: EventKey.self)
    try c.encode((t * 1_000_000).rounded() / 1_000_000, forKey: "t")
    try event.encode(to: encoder)
  }
}

/// Keys of an event object, written as string literals.
struct EventKey: CodingKey, ExpressibleByStringLiteral {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
  init(stringLiteral value: String) { stringValue = value }
}

extension RunEvent: Codable {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: EventKey.self)
    let name = try c.decode(String.self, forKey: "event")
    switch name {
    case "run_started": self = .runStarted(try RunStart(from: decoder))
    case "output": self = .output(try RunnerOutput(from: decoder))
    case "process_lost": self = .processLost(try ProcessLoss(from: decoder))
    case "tests_discarded": self = .testsDiscarded(try TestsDiscarded(from: decoder))
    case "warning": self = .warning(try c.decode(String.self, forKey: "message"))
    case "run_finished": self = .runFinished(try RunSummary(from: decoder))
    case "runner_started": self = .runnerStarted(try RunnerInfo(from: decoder))
    case "project_loaded": self = .projectLoaded(try ProjectReport(from: decoder))
    case "suite_ready": self = .suiteReady(try SuitePlan(from: decoder))
    case "databases_ready":
      self = .databasesReady(try c.decodeIfPresent([String: String].self, forKey: "databases") ?? [:])
    case "databases_destroyed": self = .databasesDestroyed
    case "test_started":
      self = .testStarted(
        id: try c.decode(String.self, forKey: "id"),
        pid: try c.decodeIfPresent(Int32.self, forKey: "pid") ?? 0)
    case "test_finished": self = .testFinished(try TestReport(from: decoder))
    case "hello": self = .hello(try ProcessHello(from: decoder))
    case "worker_ready":
      self = .workerReady(try c.decodeIfPresent([String: String].self, forKey: "databases") ?? [:])
    case "subsuite_started": self = .subsuiteStarted(index: try c.decode(Int.self, forKey: "index"))
    case "subsuite_finished":
      self = .subsuiteFinished(
        index: try c.decode(Int.self, forKey: "index"),
        skipped: try c.decodeIfPresent(Bool.self, forKey: "skipped") ?? false)
    case "parallel_stopped": self = .parallelStopped(try ParallelStop(from: decoder))
    case "runner_finished":
      self = .runnerFinished(failures: try c.decodeIfPresent(Int.self, forKey: "failures") ?? 0)
    case "hook_error":
      self = .hookError(
        place: try c.decodeIfPresent(String.self, forKey: "where") ?? "",
        traceback: try c.decodeIfPresent(String.self, forKey: "traceback") ?? "")
    case "warm_ready":
      self = .warmReady(
        loaded: try c.decodeIfPresent([String].self, forKey: "loaded") ?? [],
        sharedDatabases: try c.decodeIfPresent([String].self, forKey: "shared_databases") ?? [],
        refreshable: try c.decodeIfPresent([String: [Int64]].self, forKey: "refreshable") ?? [:])
    case "went_cold": self = .wentCold(reason: try c.decodeIfPresent(String.self, forKey: "reason") ?? "")
    case "warm_refresh_refused":
      self = .warmRefreshRefused(reason: try c.decodeIfPresent(String.self, forKey: "reason") ?? "")
    case "warm_child_started": self = .warmChildStarted(pid: try c.decode(Int32.self, forKey: "child"))
    case "warm_child_exited":
      let status = try c.decodeIfPresent(Int32.self, forKey: "status")
      let signal = try c.decodeIfPresent(Int32.self, forKey: "signal")
      self = .warmChildExited(
        pid: try c.decode(Int32.self, forKey: "child"),
        termination: status.map(Termination.exited) ?? signal.map(Termination.signalled))
    default: self = .unknown(name)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: EventKey.self)
    try c.encode(name, forKey: "event")
    switch self {
    case .runStarted(let value): try value.encode(to: encoder)
    case .output(let value): try value.encode(to: encoder)
    case .processLost(let value): try value.encode(to: encoder)
    case .testsDiscarded(let value): try value.encode(to: encoder)
    case .warning(let message): try c.encode(message, forKey: "message")
    case .runFinished(let value): try value.encode(to: encoder)
    case .runnerStarted(let value): try value.encode(to: encoder)
    case .projectLoaded(let value): try value.encode(to: encoder)
    case .suiteReady(let value): try value.encode(to: encoder)
    case .databasesReady(let names): try c.encode(names, forKey: "databases")
    case .databasesDestroyed, .unknown: break
    case .workerReady(let names): try c.encode(names, forKey: "databases")
    case .testStarted(let id, let pid):
      try c.encode(id, forKey: "id")
      try c.encode(pid, forKey: "pid")
    case .testFinished(let value): try value.encode(to: encoder)
    case .hello(let value): try value.encode(to: encoder)
    case .subsuiteStarted(let index): try c.encode(index, forKey: "index")
    case .subsuiteFinished(let index, let skipped):
      try c.encode(index, forKey: "index")
      try c.encode(skipped, forKey: "skipped")
    case .parallelStopped(let value): try value.encode(to: encoder)
    case .runnerFinished(let failures): try c.encode(failures, forKey: "failures")
    case .hookError(let place, let traceback):
      try c.encode(place, forKey: "where")
      try c.encode(traceback, forKey: "traceback")
    case .warmReady(let loaded, let shared, let refreshable):
      try c.encode(loaded, forKey: "loaded")
      try c.encode(shared, forKey: "shared_databases")
      if !refreshable.isEmpty { try c.encode(refreshable, forKey: "refreshable") }
    case .warmRefreshRefused(let reason), .wentCold(let reason): try c.encode(reason, forKey: "reason")
    case .warmChildStarted(let pid): try c.encode(pid, forKey: "child")
    case .warmChildExited(let pid, let termination):
      try c.encode(pid, forKey: "child")
      switch termination {
      case .exited(let status)?: try c.encode(status, forKey: "status")
      case .signalled(let signal)?: try c.encode(signal, forKey: "signal")
      case nil: break
      }
    }
  }
}
