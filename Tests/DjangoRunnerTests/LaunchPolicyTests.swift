import DjangoRunner
import XCTest

/// The launch policy without processes or clocks: each run's route, the warm runner's
/// life, and `--warm-check`, from what it is told.
final class LaunchPolicyTests: XCTestCase {
  private let unlabelled = RunPlan(
    arguments: ["/venv/bin/python", "manage.py", "test", "--noinput"], directory: "/p", environment: [:], labels: [],
    python: "/venv/bin/python", options: [:], hookDirectory: "/hook", projectRoot: "/p")

  private func plan(_ labels: [String]) -> RunPlan {
    var plan = unlabelled
    plan.labels = labels
    plan.arguments = ["/venv/bin/python", "manage.py", "test"] + labels + ["--noinput"]
    return plan
  }

  private func ready(loaded: Set<String> = ["shop/models.py"], runs: Int = 0, isBusy: Bool = false)
    -> LaunchPolicy.WarmRunnerFacts
  {
    LaunchPolicy.WarmRunnerFacts(plan: unlabelled, state: .ready(loaded: loaded), runs: runs, isBusy: isBusy)
  }

  private let watching = LaunchPolicy.Settings(keepsWarmRunner: true)
  private let checking = LaunchPolicy.Settings(keepsWarmRunner: true, checksWarm: true)

  /// A policy whose warm runner was started after a first run and is now ready.
  private func policyWithReadyRunner(_ settings: LaunchPolicy.Settings) -> LaunchPolicy {
    var policy = LaunchPolicy(settings: settings)
    _ = policy.runFinished(labels: [], wasWarm: false, reports: [], wasInterrupted: false, unlabelled: unlabelled)
    _ = policy.warmRunnerChanged(to: .ready(loaded: ["shop/models.py"]))
    return policy
  }

  // MARK: routes

  func testTheFirstRunIsColdAndAWarmRunnerStartsAfterIt() {
    var policy = LaunchPolicy(settings: watching)
    let (route, actions) = policy.route(plan(["shop"]), warm: nil, preparedFits: false, unlabelled: unlabelled)
    XCTAssertEqual(route, .cold(because: "there is no warm runner"))
    XCTAssertEqual(actions, [.discardPreparedRunner])
    XCTAssertNil(policy.status)
    let after = policy.runFinished(
      labels: ["shop"], wasWarm: false, reports: [], wasInterrupted: false, unlabelled: unlabelled)
    XCTAssertEqual(after, [.startWarmRunner(unlabelled, replacing: nil)])
    XCTAssertEqual(policy.status, .starting)
    XCTAssertEqual(policy.warmRunnerChanged(to: .ready(loaded: [])), [])
    XCTAssertEqual(policy.status, .ready)
    XCTAssertEqual(policy.status?.description, "ready")
  }

  func testARunGoesWarmWhenTheReadyRunnerCanServeIt() {
    var policy = policyWithReadyRunner(watching)
    let (route, actions) = policy.route(plan(["shop"]), warm: ready(), preparedFits: true, unlabelled: unlabelled)
    XCTAssertEqual(route, .warm)
    XCTAssertEqual(actions, [.discardPreparedRunner])
  }

  func testAStartingRunnerLeavesTheRunToThePreparedRunnerElseCold() {
    var policy = policyWithReadyRunner(watching)
    let starting = LaunchPolicy.WarmRunnerFacts(plan: unlabelled, state: .starting)
    let prepared = policy.route(plan(["shop"]), warm: starting, preparedFits: true, unlabelled: unlabelled)
    XCTAssertEqual(prepared.route, .prepared)
    XCTAssertEqual(prepared.actions, [])
    let cold = policy.route(plan(["shop"]), warm: starting, preparedFits: false, unlabelled: unlabelled)
    XCTAssertEqual(cold.route, .cold(because: "the warm runner is starting"))
  }

  func testAReadyRunnerThatCannotServeTheRunIsReplacedForTheNext() {
    var policy = policyWithReadyRunner(watching)
    var filtered = plan(["shop"])
    filtered.options = ["test_name_patterns": .array([.string("bulk")])]
    let (route, actions) = policy.route(filtered, warm: ready(), preparedFits: false, unlabelled: filtered)
    XCTAssertEqual(route, .cold(because: "the warm runner was started for another command, environment or options"))
    XCTAssertEqual(actions, [.retireWarmRunner, .startWarmRunner(filtered, replacing: nil), .discardPreparedRunner])
  }

  func testARunnerDueForRecyclingIsReplacedAndSaysWhy() {
    var policy = policyWithReadyRunner(watching)
    let due = ready(runs: WarmRunner.runsBeforeRecycling)
    let (route, actions) = policy.route(plan(["shop"]), warm: due, preparedFits: false, unlabelled: unlabelled)
    XCTAssertEqual(route, .cold(because: "the warm runner is due for recycling"))
    XCTAssertEqual(
      actions,
      [.retireWarmRunner, .startWarmRunner(unlabelled, replacing: "recycled after 100 runs"), .discardPreparedRunner])
    XCTAssertEqual(policy.status, .restarting("recycled after 100 runs"))
    var service = policyWithReadyRunner(watching)
    XCTAssertEqual(service.recycleIfDue(warm: ready(runs: 99), unlabelled: unlabelled), [])
    XCTAssertEqual(service.recycleIfDue(warm: due, unlabelled: unlabelled).count, 2)
  }

  func testParallelAndExactOrderRunsAreNeverWarm() {
    var parallel = plan(["shop"])
    parallel.options = ["parallel": .number(2)]
    XCTAssertEqual(LaunchPolicy.whyNotWarm(parallel, on: ready()), "parallel runs are never warm")
    var exact = plan(["shop"])
    exact.exactOrder = true
    XCTAssertEqual(LaunchPolicy.whyNotWarm(exact, on: ready()), "exact-order runs are never warm")
    // Nor is a warm runner started for them.
    var unlabelledParallel = unlabelled
    unlabelledParallel.options = ["parallel": .string("auto")]
    var policy = LaunchPolicy(settings: watching)
    let actions = policy.runFinished(
      labels: [], wasWarm: false, reports: [], wasInterrupted: false, unlabelled: unlabelledParallel)
    XCTAssertEqual(actions, [])
    XCTAssertEqual(policy.status?.description, "off: parallel runs are never warm")
  }

  func testWhyNotWarmSaysWhatTheRunnerIsDoing() {
    let shop = plan(["shop"])
    XCTAssertNil(LaunchPolicy.whyNotWarm(shop, on: ready()))
    XCTAssertEqual(LaunchPolicy.whyNotWarm(shop, on: ready(isBusy: true)), "the warm runner is busy with another run")
    let broken = LaunchPolicy.WarmRunnerFacts(plan: unlabelled, state: .unavailable("settings raised"))
    XCTAssertEqual(LaunchPolicy.whyNotWarm(shop, on: broken), "the warm runner is unavailable: settings raised")
    let starting = LaunchPolicy.WarmRunnerFacts(plan: unlabelled, state: .starting)
    XCTAssertEqual(
      LaunchPolicy.whyNotWarm(shop, on: starting, replacing: "x.py changed"),
      "the warm runner is restarting: x.py changed")
    var awaiting = unlabelled
    awaiting.awaitsLabels = true
    XCTAssertNotNil(LaunchPolicy.whyNotWarm(awaiting, on: ready()))
  }

  func testWithoutAWarmRunnerKeptNoneStarts() {
    var policy = LaunchPolicy(settings: LaunchPolicy.Settings(keepsWarmRunner: false))
    XCTAssertEqual(
      policy.runFinished(labels: [], wasWarm: false, reports: [], wasInterrupted: false, unlabelled: unlabelled), [])
    XCTAssertNil(policy.status)
    // Nor without a plan to start it with.
    var planless = LaunchPolicy(settings: watching)
    XCTAssertEqual(
      planless.runFinished(labels: [], wasWarm: false, reports: [], wasInterrupted: false, unlabelled: nil), [])
  }

  func testASaveTheWarmRunnerCanTakeNeedsNoPreparedRunner() {
    let policy = policyWithReadyRunner(watching)
    XCTAssertFalse(policy.preparesRunner(afterChanging: ["shop/views.py"], warm: ready()))
    XCTAssertTrue(policy.preparesRunner(afterChanging: ["shop/models.py"], warm: ready()))
    XCTAssertTrue(policy.preparesRunner(afterChanging: ["shop/views.py"], warm: nil))
    let starting = LaunchPolicy.WarmRunnerFacts(plan: unlabelled, state: .starting)
    XCTAssertTrue(policy.preparesRunner(afterChanging: ["shop/views.py"], warm: starting))
  }

  // MARK: the warm runner's life

  func testWhatAForkCannotRefreshIsStale() {
    let loaded: Set<String> = ["shop/models.py"]
    XCTAssertNil(LaunchPolicy.staleness(of: ["shop/views.py", "shop/tests.py"], loaded: loaded))
    XCTAssertEqual(
      LaunchPolicy.staleness(of: ["shop/models.py"], loaded: loaded),
      "shop/models.py was loaded at start-up (settings, models, apps)")
    XCTAssertEqual(
      LaunchPolicy.staleness(of: ["shop/migrations/0002_x.py"], loaded: loaded),
      "shop/migrations/0002_x.py changes the test database")
    XCTAssertEqual(
      LaunchPolicy.staleness(of: ["requirements.txt"], loaded: loaded),
      "requirements.txt installs or configures the project")
  }

  func testASaveOfALoadedFileReplacesTheRunner() {
    var policy = policyWithReadyRunner(watching)
    XCTAssertEqual(policy.filesChanged(["shop/views.py"], isOverflow: false, warm: ready(), unlabelled: unlabelled), [])
    let reason = "shop/models.py was loaded at start-up (settings, models, apps)"
    XCTAssertEqual(
      policy.filesChanged(["shop/models.py"], isOverflow: false, warm: ready(), unlabelled: unlabelled),
      [.retireWarmRunner, .startWarmRunner(unlabelled, replacing: reason)])
    XCTAssertEqual(policy.status?.description, "restarting: \(reason)")
    XCTAssertEqual(policy.warmRunnerChanged(to: .ready(loaded: [])), [])
    XCTAssertEqual(policy.status, .ready)
  }

  // MARK: refreshing function bodies

  private let loadedModels = """
    from django.db import models


    class Shelf(models.Model):
        size = models.IntegerField()

        def label(self):
            return "shelf %d" % self.size
    """

  private func refreshable(runs: Int = 0) -> LaunchPolicy.WarmRunnerFacts {
    LaunchPolicy.WarmRunnerFacts(
      plan: unlabelled, state: .ready(loaded: ["shop/models.py", "shop/apps.py"]), runs: runs,
      loadedTexts: ["shop/models.py": loadedModels])
  }

  func testAFileChangedInFunctionBodiesOnlyIsRefreshedNotStale() {
    let loaded: Set<String> = ["shop/models.py", "shop/apps.py"]
    let texts = ["shop/models.py": loadedModels]
    let bodyOnly = loadedModels.replacingOccurrences(of: "\"shelf %d\"", with: "\"Shelf %d\"")
    XCTAssertNil(
      LaunchPolicy.staleness(
        of: ["shop/models.py"], loaded: loaded, loadedTexts: texts, current: ["shop/models.py": bodyOnly]))
    let field = loadedModels.replacingOccurrences(
      of: "size = models.IntegerField()", with: "size = models.IntegerField(default=1)")
    XCTAssertEqual(
      LaunchPolicy.staleness(
        of: ["shop/models.py"], loaded: loaded, loadedTexts: texts, current: ["shop/models.py": field]),
      "shop/models.py was loaded at start-up and changed outside function bodies (module level: `size = models.IntegerField(default=1)`)"
    )
    XCTAssertEqual(
      LaunchPolicy.staleness(of: ["shop/models.py"], loaded: loaded, loadedTexts: texts, current: [:]),
      "shop/models.py was loaded at start-up and cannot be read now")
    // Not reported refreshable (Python before 3.12, saved before the server read it).
    XCTAssertEqual(
      LaunchPolicy.staleness(of: ["shop/apps.py"], loaded: loaded, loadedTexts: texts, current: ["shop/apps.py": ""]),
      "shop/apps.py was loaded at start-up (settings, models, apps)")
  }

  func testEveryWarmRunRefreshesTheFilesSavedInFunctionBodiesSinceTheServerLoadedThem() {
    var policy = policyWithReadyRunner(watching)
    let warm = refreshable()
    let saved = loadedModels.replacingOccurrences(of: "\"shelf %d\"", with: "\"Shelf %d\"")
    XCTAssertEqual(
      policy.filesChanged(
        ["shop/models.py", "shop/views.py"], isOverflow: false, warm: warm, current: ["shop/models.py": saved],
        unlabelled: unlabelled), [])
    XCTAssertEqual(policy.refreshing, ["shop/models.py"])
    XCTAssertEqual(policy.status?.description, "ready · runs refresh function bodies saved in shop/models.py")
    XCTAssertEqual(policy.route(plan(["shop"]), warm: warm, preparedFits: false, unlabelled: unlabelled).route, .warm)
    XCTAssertFalse(policy.preparesRunner(afterChanging: ["shop/models.py"], warm: warm))
    // Another file's save keeps it; saved back as loaded, there is nothing to refresh.
    _ = policy.filesChanged(["shop/views.py"], isOverflow: false, warm: warm, unlabelled: unlabelled)
    XCTAssertEqual(policy.refreshing, ["shop/models.py"])
    _ = policy.filesChanged(
      ["shop/models.py"], isOverflow: false, warm: warm, current: ["shop/models.py": loadedModels],
      unlabelled: unlabelled)
    XCTAssertEqual(policy.refreshing, [])
    XCTAssertEqual(policy.status, .ready)
  }

  func testAModuleLevelSaveAfterABodyOnlyOneReplacesTheRunnerAndForgetsTheRefresh() {
    var policy = policyWithReadyRunner(watching)
    let warm = refreshable()
    let body = loadedModels.replacingOccurrences(of: "\"shelf %d\"", with: "\"Shelf %d\"")
    _ = policy.filesChanged(
      ["shop/models.py"], isOverflow: false, warm: warm, current: ["shop/models.py": body], unlabelled: unlabelled)
    let moduleLevel = "import os\n" + body
    let actions = policy.filesChanged(
      ["shop/models.py"], isOverflow: false, warm: warm, current: ["shop/models.py": moduleLevel],
      unlabelled: unlabelled)
    XCTAssertEqual(
      actions,
      [
        .retireWarmRunner,
        .startWarmRunner(
          unlabelled,
          replacing:
            "shop/models.py was loaded at start-up and changed outside function bodies (module level: `import os`)"),
      ])
    XCTAssertEqual(policy.refreshing, [])
    XCTAssertEqual(policy.warmRunnerChanged(to: .ready(loaded: ["shop/models.py"])), [])
    XCTAssertEqual(policy.status, .ready)
  }

  func testARefusedRefreshMakesTheRunnerStaleAndItIsReplaced() {
    var policy = policyWithReadyRunner(watching)
    let body = loadedModels.replacingOccurrences(of: "\"shelf %d\"", with: "\"Shelf %d\"")
    _ = policy.filesChanged(
      ["shop/models.py"], isOverflow: false, warm: refreshable(), current: ["shop/models.py": body],
      unlabelled: unlabelled)
    let why = "a refresh was refused: Shelf.label (shop/models.py:7) ran while the warm runner started"
    XCTAssertEqual(policy.warmRunnerChanged(to: .stale(why)), [.replaceWarmRunnerLater(because: why)])
    XCTAssertEqual(policy.status?.description, "restarting: \(why)")
    XCTAssertEqual(policy.replaceWarmRunner(because: why, unlabelled: unlabelled).count, 2)
    XCTAssertEqual(policy.refreshing, [], "a new server loads the saved text")
  }

  func testTooManyChangesReplaceTheRunnerEvenWhileItStarts() {
    var policy = policyWithReadyRunner(watching)
    let starting = LaunchPolicy.WarmRunnerFacts(plan: unlabelled, state: .starting)
    XCTAssertEqual(
      policy.filesChanged(["shop/models.py"], isOverflow: false, warm: starting, unlabelled: unlabelled),
      [.tellStartingWarmRunner(changed: ["shop/models.py"])])
    XCTAssertEqual(
      policy.filesChanged([], isOverflow: true, warm: starting, unlabelled: unlabelled),
      [.retireWarmRunner, .startWarmRunner(unlabelled, replacing: "too many changes at once to follow")])
  }

  func testARunnerThatCouldNotStartIsReplacedOnTheNextChange() {
    var policy = policyWithReadyRunner(watching)
    _ = policy.warmRunnerChanged(to: .unavailable("settings raised"))
    XCTAssertEqual(policy.status?.description, "off: settings raised")
    let broken = LaunchPolicy.WarmRunnerFacts(plan: unlabelled, state: .unavailable("settings raised"))
    XCTAssertEqual(
      policy.filesChanged(["shop/settings.py"], isOverflow: false, warm: broken, unlabelled: unlabelled),
      [
        .retireWarmRunner,
        .startWarmRunner(unlabelled, replacing: "the project changed since it failed (settings raised)"),
      ])
  }

  func testAStaleRunnerIsReplacedOnceItsCallbackHasReturned() {
    var policy = policyWithReadyRunner(watching)
    XCTAssertEqual(
      policy.warmRunnerChanged(to: .stale("x.py changed")), [.replaceWarmRunnerLater(because: "x.py changed")])
    XCTAssertEqual(policy.status?.description, "restarting: x.py changed")
    XCTAssertEqual(
      policy.replaceWarmRunner(because: "x.py changed", unlabelled: unlabelled),
      [.retireWarmRunner, .startWarmRunner(unlabelled, replacing: "x.py changed")])
  }

  func testNothingStartsAfterTheStop() {
    var policy = policyWithReadyRunner(watching)
    XCTAssertEqual(policy.stop(), [.retireWarmRunner, .discardPreparedRunner])
    XCTAssertNil(policy.status)
    XCTAssertEqual(policy.replaceWarmRunner(because: "late", unlabelled: unlabelled), [])
    XCTAssertEqual(
      policy.runFinished(labels: [], wasWarm: false, reports: [], wasInterrupted: false, unlabelled: unlabelled), [])
    // A retired runner's word is not the current one's.
    XCTAssertEqual(policy.warmRunnerChanged(to: .stale("late")), [])
  }

  // MARK: --warm-check

  private let reports = [
    TestReport(id: "shop.T.test_a", outcome: .pass), TestReport(id: "shop.T.test_b", outcome: .fail),
  ]

  func testAWarmRunIsFollowedByTheSameLabelsColdAndAnAgreementIsShown() {
    var policy = policyWithReadyRunner(checking)
    XCTAssertEqual(
      policy.route(plan(["shop"]), warm: ready(), preparedFits: false, unlabelled: unlabelled).route, .warm)
    let afterWarm = policy.runFinished(
      labels: ["shop"], wasWarm: true, reports: reports, wasInterrupted: false, unlabelled: unlabelled)
    XCTAssertEqual(afterWarm, [.runColdCheck(labels: ["shop"])])
    let cold = policy.route(plan(["shop"]), warm: ready(), preparedFits: true, unlabelled: unlabelled)
    XCTAssertEqual(cold.route, .cold(because: "the cold half of a warm check"))
    XCTAssertEqual(cold.actions, [.discardPreparedRunner])
    XCTAssertEqual(
      policy.runFinished(
        labels: ["shop"], wasWarm: false, reports: reports.reversed(), wasInterrupted: false, unlabelled: unlabelled),
      [])
    XCTAssertEqual(policy.status?.description, "ready · checked: warm and cold agree on 2 tests")
    // The next run is warm again, and checked again.
    XCTAssertEqual(
      policy.route(plan(["shop"]), warm: ready(), preparedFits: false, unlabelled: unlabelled).route, .warm)
  }

  func testADifferenceTurnsWarmRunsOffAndSaysWhich() {
    var policy = policyWithReadyRunner(checking)
    _ = policy.route(plan(["shop"]), warm: ready(), preparedFits: false, unlabelled: unlabelled)
    _ = policy.runFinished(
      labels: ["shop"], wasWarm: true, reports: reports, wasInterrupted: false, unlabelled: unlabelled)
    _ = policy.route(plan(["shop"]), warm: ready(), preparedFits: false, unlabelled: unlabelled)
    let cold = [TestReport(id: "shop.T.test_a", outcome: .fail), TestReport(id: "shop.T.test_b", outcome: .fail)]
    let actions = policy.runFinished(
      labels: ["shop"], wasWarm: false, reports: cold, wasInterrupted: false, unlabelled: unlabelled)
    XCTAssertEqual(
      actions,
      [.retireWarmRunner, .showNotice("warm and cold runs differ (1 tests): warm runs are off; w for more")])
    XCTAssertEqual(
      policy.status?.description, "off: 1 verdicts differed from cold: shop.T.test_a: pass warm, fail cold")
    // Off for good: no runner starts, no run is warm.
    XCTAssertEqual(
      policy.runFinished(labels: [], wasWarm: false, reports: [], wasInterrupted: false, unlabelled: unlabelled), [])
    let next = policy.route(plan(["shop"]), warm: nil, preparedFits: false, unlabelled: unlabelled)
    XCTAssertEqual(
      next.route,
      .cold(because: "warm runs are off: 1 verdicts differed from cold: shop.T.test_a: pass warm, fail cold"))
  }

  func testAnotherRunFirstOrAnInterruptionDropsTheCheck() {
    var policy = policyWithReadyRunner(checking)
    XCTAssertEqual(
      policy.runFinished(
        labels: ["shop"], wasWarm: true, reports: reports, wasInterrupted: true, unlabelled: unlabelled),
      [])
    _ = policy.runFinished(
      labels: ["shop"], wasWarm: true, reports: reports, wasInterrupted: false, unlabelled: unlabelled)
    // A queued save's run of other labels came first: it is not the check, and ends it.
    XCTAssertEqual(
      policy.route(plan(["cart"]), warm: ready(), preparedFits: false, unlabelled: unlabelled).route, .warm)
    XCTAssertEqual(
      policy.route(plan(["shop"]), warm: ready(), preparedFits: false, unlabelled: unlabelled).route, .warm)
    // The cold run was never asked for.
    _ = policy.runFinished(
      labels: ["shop"], wasWarm: true, reports: reports, wasInterrupted: false, unlabelled: unlabelled)
    policy.coldCheckNotStarted()
    XCTAssertEqual(
      policy.route(plan(["shop"]), warm: ready(), preparedFits: false, unlabelled: unlabelled).route, .warm)
  }

  func testTheCheckOutcome() {
    XCTAssertEqual(LaunchPolicy.CheckOutcome(warm: reports, cold: reports), .agree(tests: 2))
    XCTAssertEqual(
      LaunchPolicy.CheckOutcome(warm: reports, cold: Array(reports.prefix(1))),
      .differ(["shop.T.test_b: fail warm, not run cold"]))
  }

  func testTheStatusWords() {
    XCTAssertEqual(WarmStatus.starting.description, "starting")
    XCTAssertEqual(WarmStatus.restarting("x").description, "restarting: x")
    XCTAssertEqual(WarmStatus.ready.description, "ready")
    XCTAssertEqual(WarmStatus.checked(agreeingTests: 3).description, "ready · checked: warm and cold agree on 3 tests")
    XCTAssertEqual(WarmStatus.off("y").description, "off: y")
    XCTAssertEqual(
      WarmStatus.refreshing(["a.py", "b.py", "c.py", "d.py"]).description,
      "ready · runs refresh function bodies saved in a.py, b.py, c.py and 1 more")
  }

  // MARK: prepared runners

  /// Moved from the end-to-end target: a plan comparison, no process.
  func testThePlanTellsWhichRunsAPreparedRunnerCanServe() throws {
    let base = unlabelled
    var wanted = base
    wanted.labels = ["shop", "cart.tests"]
    wanted.arguments = ["/venv/bin/python", "manage.py", "test", "shop", "cart.tests", "--noinput"]
    XCTAssertTrue(base.canBePrepared(for: wanted))
    var reordered = wanted
    reordered.arguments = ["/venv/bin/python", "manage.py", "test", "--noinput", "cart.tests", "shop"]
    XCTAssertFalse(base.canBePrepared(for: reordered))
    var otherOptions = wanted
    otherOptions.options = ["reverse": .bool(true)]
    XCTAssertFalse(base.canBePrepared(for: otherOptions))
    var otherEnvironment = wanted
    otherEnvironment.environment = ["DJANGO_SETTINGS_MODULE": "other"]
    XCTAssertFalse(base.canBePrepared(for: otherEnvironment))
  }
}
