import Foundation
import XCTest

@testable import DjangoRunner

#if canImport(Glibc)
  import Glibc
#endif

/// The watcher on real folders, served by a real reactor.
final class ProjectWatcherTests: XCTestCase {
  private var project: TemporaryFolder!
  private var reactor: Reactor!
  private var batches: [WatchBatch] = []
  private var watcher: ProjectWatcher?

  override func setUpWithError() throws {
    project = try TemporaryFolder("djdash-watch")
    reactor = Reactor()
    batches = []
    try project.write("manage.py", "import sys\n")
    try project.write("polls/models.py", "# models\n")
    try project.write("polls/tests.py", "# tests\n")
    try project.write("polls/__pycache__/models.cpython-311.pyc", "bytecode")
    try project.write(".git/index", "index")
    try project.write(".venv/pyvenv.cfg", "home = /usr/bin\n")
    try project.write(".venv/lib/site.py", "")
  }

  override func tearDown() {
    watcher?.close()
    watcher = nil
    reactor = nil
    project = nil
  }

  @discardableResult
  /// Batches wait the whole quiet time unless `eagerAfter` is given, so a test's changes
  /// are one batch whatever the machine's pauses between them.
  private func startWatching(
    quiet: Double = 0.1, eagerAfter: Double? = nil, maxWatches: Int? = nil, pollInterval: Double = 1
  ) throws -> ProjectWatcher {
    let started = try ProjectWatcher(
      root: project.path, reactor: reactor, quiet: quiet, eagerAfter: eagerAfter, pollInterval: pollInterval,
      maxWatches: maxWatches
    ) { [unowned self] batch in
      self.batches.append(batch)
    }
    watcher = started
    return started
  }

  /// Serves the reactor until a batch arrives or `seconds` pass.
  private func nextBatch(within seconds: Double = 3) -> WatchBatch? {
    let clock = MonotonicClock()
    let end = clock.now() + seconds
    while batches.isEmpty && clock.now() < end {
      reactor.runOnce(timeout: 0.05)
    }
    return batches.isEmpty ? nil : batches.removeFirst()
  }

  /// Writes a file in place (not by rename, as `TemporaryFolder.write` does).
  private func put(_ relative: String, _ contents: String = "x = 1\n") throws {
    try contents.write(toFile: project.path + "/" + relative, atomically: false, encoding: .utf8)
  }

  private func move(_ from: String, _ to: String) {
    XCTAssertEqual(rename(project.path + "/" + from, project.path + "/" + to), 0)
  }

  func testReportsAPlainWrite() throws {
    let watcher = try startWatching()
    XCTAssertEqual(watcher.mode, .inotify(watches: 2))
    XCTAssertNil(watcher.notice)
    try put("polls/models.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls/models.py"]))
  }

  func testReportsTheDestinationOfASaveByRename() throws {
    try startWatching()
    try put("polls/models.py.tmp")
    move("polls/models.py.tmp", "polls/models.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls/models.py"]))
    // Foundation's atomic write uses a temporary name that is not ignored: created and
    // renamed away within the batch, it is not reported.
    try "y = 2\n".write(toFile: project.path + "/polls/tests.py", atomically: true, encoding: .utf8)
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls/tests.py"]))
  }

  /// After a calm spell a save is reported after 10 ms of quiet, not the whole quiet
  /// time (a second here, so a late report is plain): by rename, or written in place.
  func testASaveAfterACalmSpellIsReportedWithoutTheQuietTime() throws {
    try startWatching(quiet: 1, eagerAfter: 0.2)
    let clock = MonotonicClock()
    try put("polls/models.py.tmp")
    var saved = clock.now()
    move("polls/models.py.tmp", "polls/models.py")
    XCTAssertEqual(nextBatch(within: 0.9), WatchBatch(paths: ["polls/models.py"]))
    XCTAssertLessThan(clock.now() - saved, 0.9)
    Thread.sleep(forTimeInterval: 0.3)
    saved = clock.now()
    try put("polls/tests.py")
    XCTAssertEqual(nextBatch(within: 0.9), WatchBatch(paths: ["polls/tests.py"]))
    XCTAssertLessThan(clock.now() - saved, 0.9)
    // A change right after it waits the whole quiet time.
    try put("polls/models.py")
    XCTAssertNil(nextBatch(within: 0.5))
    XCTAssertEqual(nextBatch(within: 2), WatchBatch(paths: ["polls/models.py"]))
  }

  func testReportsFilesMadeInANewFolderBeforeItsWatch() throws {
    try startWatching()
    try FileManager.default.createDirectory(
      atPath: project.path + "/shop/orders", withIntermediateDirectories: true)
    try put("shop/orders/c.py")
    try put("shop/__init__.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["shop/__init__.py", "shop/orders/c.py"]))
    XCTAssertEqual(watcher?.mode, .inotify(watches: 4))
    // The new folders are watched.
    try put("shop/orders/d.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["shop/orders/d.py"]))
  }

  func testReportsAFolderMadeByAShellAtOnce() throws {
    try startWatching()
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", "cd '\(project.path)' && mkdir -p a/b && echo > a/b/c.py"]
    try shell.run()
    shell.waitUntilExit()
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["a/b/c.py"]))
  }

  func testReportsDeletionsAndBothNamesOfARename() throws {
    try startWatching()
    XCTAssertEqual(unlink(project.path + "/polls/tests.py"), 0)
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls/tests.py"]))
    move("polls/models.py", "polls/entities.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls/entities.py", "polls/models.py"]))
  }

  func testAFolderRenamedIsReportedByItsOldNameAndItsFiles() throws {
    try startWatching()
    move("polls", "survey")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls", "survey/models.py", "survey/tests.py"]))
    try put("survey/models.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["survey/models.py"]))
  }

  func testIgnoredPathsMakeNoBatch() throws {
    try startWatching()
    try put("polls/__pycache__/models.cpython-311.pyc", "new bytecode")
    try put(".git/index", "new index")
    try put(".venv/lib/site.py", "# changed")
    try put("polls/.models.py.swp", "swap")
    try put("db.sqlite3", "data")
    try FileManager.default.createDirectory(atPath: project.path + "/node_modules/x", withIntermediateDirectories: true)
    try put("node_modules/x/index.js")
    XCTAssertNil(nextBatch(within: 0.4))
    try put("manage.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["manage.py"]))
  }

  func testANewVirtualenvIsLeftAlone() throws {
    let watcher = try startWatching()
    try FileManager.default.createDirectory(atPath: project.path + "/env/bin", withIntermediateDirectories: true)
    try put("env/pyvenv.cfg", "home = /usr/bin\n")
    try put("env/bin/activate")
    try put("manage.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["manage.py"]))
    XCTAssertEqual(watcher.mode, .inotify(watches: 2))
  }

  func testFollowsTheGitignore() throws {
    try project.write(".gitignore", "local_settings.py\n")
    try startWatching()
    try put("local_settings.py")
    XCTAssertNil(nextBatch(within: 0.4))
    try put(".gitignore", "# nothing ignored\n")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: [".gitignore"]))
    try put("local_settings.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["local_settings.py"]))
  }

  func testANewFoldersGitignoreIsFollowed() throws {
    try startWatching()
    try FileManager.default.createDirectory(atPath: project.path + "/shop", withIntermediateDirectories: true)
    try put("shop/.gitignore", "generated.py\n")
    try put("shop/generated.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["shop/.gitignore"]))
    try put("shop/generated.py", "again")
    try put("shop/views.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["shop/views.py"]))
  }

  func testLostEventsGiveAnOverflowBatch() throws {
    try startWatching()
    // Alternating files, so the kernel cannot merge repeated events, past its queue
    // (fs.inotify.max_queued_events, 16384 here).
    let limit =
      Int(
        (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
          .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
    for _ in 0..<(limit / 2 + 100) {
      for name in ["polls/models.py", "polls/tests.py"] {
        let fd = open(project.path + "/" + name, O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
      }
    }
    let batch = nextBatch()
    XCTAssertEqual(batch?.isOverflow, true)
    XCTAssertEqual(batch?.paths, ["polls/models.py", "polls/tests.py"])
    XCTAssertEqual(watcher?.mode, .inotify(watches: 2))
    try put("manage.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["manage.py"]))
  }

  func testAFormatterRewritingFortyFilesIsOneBatch() throws {
    // The events come in many reads, each re-arming the timer. A quiet window wider
    // than the default keeps a stall of this shared machine from splitting the batch;
    // ChangeDebouncerTests checks the default window itself.
    try startWatching(quiet: 0.3)
    let files = (0..<40).map { String(format: "polls/module%02d.py", $0) }
    // 40 writes over 300 ms, the reactor serving in between.
    for file in files {
      try put(file)
      usleep(7_500)
      reactor.runOnce(timeout: 0)
    }
    XCTAssertEqual(nextBatch(), WatchBatch(paths: files))
    XCTAssertNil(nextBatch(within: 0.3))
  }

  func testFallsBackToPollingWhenTheWatchLimitIsUsedUp() throws {
    let watcher = try startWatching(maxWatches: 1, pollInterval: 0.2)
    guard case .polling(let reason) = watcher.mode else {
      return XCTFail("expected polling, got \(watcher.mode)")
    }
    XCTAssertTrue(reason.contains("watch limit"), reason)
    XCTAssertEqual(
      watcher.notice, "watching by polling every 0.2 s: " + reason)
    try put("polls/models.py", "# a longer models file\n")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls/models.py"]))
    try put(".git/index", "ignored")
    try put("polls/admin.py")
    XCTAssertEqual(unlink(project.path + "/manage.py"), 0)
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["manage.py", "polls/admin.py"]))
  }

  func testReachingTheLimitWhileWatchingSwitchesToPollingAndFlagsOverflow() throws {
    let watcher = try startWatching(maxWatches: 2, pollInterval: 0.2)
    XCTAssertEqual(watcher.mode, .inotify(watches: 2))
    try FileManager.default.createDirectory(atPath: project.path + "/shop", withIntermediateDirectories: true)
    let batch = nextBatch()
    XCTAssertEqual(batch?.isOverflow, true)
    XCTAssertEqual(watcher.notice?.hasPrefix("watching by polling every 0.2 s"), true)
    try put("shop/views.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["shop/views.py"]))
  }

  func testNoBatchAfterClose() throws {
    let watcher = try startWatching()
    try put("manage.py")
    watcher.close()
    XCTAssertNil(nextBatch(within: 0.3))
  }

  func testTheWatchLimitNoticeSaysHowToRaiseIt() {
    XCTAssertEqual(
      ProjectWatcher.watchLimitReason(limit: 8192),
      "the inotify watch limit (fs.inotify.max_user_watches = 8192) is used up; "
        + "raise it with `sudo sysctl fs.inotify.max_user_watches=524288`")
    XCTAssertTrue(ProjectWatcher.watchLimitReason(limit: 1_048_576).hasSuffix("max_user_watches=2097152`"))
    XCTAssertTrue(
      ProjectWatcher.noInstanceReason(errno: EMFILE).contains("sysctl fs.inotify.max_user_instances="))
  }

  func testWatchesARootReachedThroughASymbolicLink() throws {
    let links = try TemporaryFolder("djdash-link")
    XCTAssertEqual(symlink(project.path, links.path + "/project"), 0)
    let watcher = try ProjectWatcher(root: links.path + "/project/", reactor: reactor) { [unowned self] in
      self.batches.append($0)
    }
    defer { watcher.close() }
    XCTAssertEqual(watcher.mode, .inotify(watches: 2))
    try put("polls/tests.py")
    XCTAssertEqual(nextBatch(), WatchBatch(paths: ["polls/tests.py"]))
  }

  func testAMissingRootIsAnError() {
    XCTAssertThrowsError(try ProjectWatcher(root: project.path + "/missing", reactor: reactor) { _ in }) { error in
      XCTAssertTrue("\(error)".hasSuffix("/missing: it does not exist"), "\(error)")
    }
  }
}
