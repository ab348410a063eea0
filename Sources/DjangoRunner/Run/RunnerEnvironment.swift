import Foundation

/// The environment a runner starts with: the plan's, plus the variables that tell the
/// hook where to report and how (socket, run folder, options, labels, timeouts). Shared
/// by every process djdash starts for a plan: a run's runner, a prepared runner, a warm
/// server.
enum RunnerEnvironment {
  /// The plan's environment plus the hook's variables for a run whose socket and crash
  /// reports live in `folder`.
  static func variables(for plan: RunPlan, folder: String) -> [String: String] {
    var env = plan.environment
    for key in ["DJDASH_ROLE", "DJDASH_PGID"] { env[key] = nil }
    env["DJDASH_SOCKET"] = folder + "/events.sock"
    env["DJDASH_RUN_DIR"] = folder
    env["DJDASH_PROJECT_ROOT"] = plan.projectRoot
    env["DJDASH_OPTIONS"] = JSONText.of(plan.options)
    env["PYTHONPATH"] = [plan.hookDirectory, env["PYTHONPATH"]].compactMap { $0 }.filter { !$0.isEmpty }
      .joined(separator: ":")
    env["PYTHONUNBUFFERED"] = "1"
    env["DJDASH_TEST_TIMEOUT"] = plan.testTimeout.map { String($0) }
    env["DJDASH_STOP_ON_TIMEOUT"] = plan.stopOnTimeout ? "1" : nil
    env["DJDASH_EXACT_ORDER"] = plan.exactOrder ? "1" : nil
    env["DJDASH_AWAIT_LABELS"] = plan.awaitsLabels ? "1" : nil
    if plan.recordsExecution { env["DJDASH_RECORD"] = "1" }  // else as the environment says
    let givesLabelsInside = plan.labelRoute == .insideRunner && !plan.awaitsLabels && !plan.labels.isEmpty
    env["DJDASH_LABELS"] = givesLabelsInside ? labelsJSON(plan.labels) : nil
    let leftovers = LeftoverDatabases.load(projectRoot: plan.projectRoot)
    env["DJDASH_LEFTOVER_DATABASES"] = leftovers.isEmpty ? nil : leftovers.environmentValue
    return env
  }

  /// The command that gives a prepared runner (one started with `DJDASH_AWAIT_LABELS`)
  /// its labels.
  static func runCommand(labels: [String]) -> String {
    "{\"cmd\":\"run\",\"labels\":\(labelsJSON(labels) ?? "[]")}"
  }

  private static func labelsJSON(_ labels: [String]) -> String? {
    (try? JSONEncoder().encode(labels)).map { String(decoding: $0, as: UTF8.self) }
  }
}
