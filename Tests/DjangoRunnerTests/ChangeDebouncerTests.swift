import XCTest

@testable import DjangoRunner

final class ChangeDebouncerTests: XCTestCase {
  func testNothingPendingHasNoDeadline() {
    var debouncer = ChangeDebouncer()
    XCTAssertNil(debouncer.deadline)
    XCTAssertNil(debouncer.takeBatch(at: 100))
    debouncer.record([], at: 1)
    XCTAssertNil(debouncer.deadline)
    XCTAssertFalse(debouncer.hasPendingChanges)
  }

  func testABatchIsDueAfterTheQuietWindow() {
    var debouncer = ChangeDebouncer(quiet: 0.1, maxDelay: 1.0)
    debouncer.record(["polls/models.py"], at: 10)
    XCTAssertEqual(debouncer.deadline ?? 0, 10.1, accuracy: 1e-9)
    XCTAssertNil(debouncer.takeBatch(at: 10.05))
    // Another change moves the deadline.
    debouncer.record(["polls/views.py"], at: 10.08)
    XCTAssertEqual(debouncer.deadline ?? 0, 10.18, accuracy: 1e-9)
    XCTAssertNil(debouncer.takeBatch(at: 10.15))
    XCTAssertEqual(debouncer.takeBatch(at: 10.18), WatchBatch(paths: ["polls/models.py", "polls/views.py"]))
    XCTAssertNil(debouncer.deadline)
    XCTAssertNil(debouncer.takeBatch(at: 20))
  }

  func testABurstOfFortyChangesOverThreeHundredMillisecondsIsOneBatch() {
    var debouncer = ChangeDebouncer()
    var batches: [WatchBatch] = []
    let files = (0..<40).map { "app/module\($0).py" }
    var now = 50.0
    for file in files {
      debouncer.record([file], at: now)
      now += 0.3 / 40
      if let batch = debouncer.takeBatch(at: now) { batches.append(batch) }
    }
    now = debouncer.deadline ?? now
    if let batch = debouncer.takeBatch(at: now) { batches.append(batch) }
    XCTAssertEqual(batches, [WatchBatch(paths: files.sorted())])
  }

  func testMaxDelayCapsAStreamOfChanges() {
    var debouncer = ChangeDebouncer(quiet: 0.1, maxDelay: 1.0)
    var batches: [(at: Double, batch: WatchBatch)] = []
    var now = 0.0
    // A change every 50 ms for 2.5 s never leaves the quiet window.
    for index in 0..<50 {
      debouncer.record(["log\(index % 3).py"], at: now)
      now += 0.05
      if let batch = debouncer.takeBatch(at: now) { batches.append((now, batch)) }
    }
    XCTAssertEqual(batches.count, 2)
    XCTAssertEqual(batches.first?.at ?? 0, 1.0, accuracy: 0.051)
    XCTAssertEqual(batches.first?.batch.paths, ["log0.py", "log1.py", "log2.py"])
    XCTAssertEqual(debouncer.deadline ?? 0, 2.55, accuracy: 1e-6)
  }

  func testPathsAreDeduplicatedAndSorted() {
    var debouncer = ChangeDebouncer()
    debouncer.record(["b.py", "a.py", "b.py"], at: 1)
    debouncer.record(["a.py"], at: 1.01)
    XCTAssertEqual(debouncer.takeBatch(at: 2), WatchBatch(paths: ["a.py", "b.py"]))
  }

  func testOverflowIsFlaggedOnceAndStartsABatch() {
    var debouncer = ChangeDebouncer()
    debouncer.recordOverflow(at: 5)
    XCTAssertEqual(debouncer.deadline ?? 0, 5.1, accuracy: 1e-9)
    debouncer.record(["x.py"], at: 5.05)
    XCTAssertEqual(debouncer.takeBatch(at: 5.2), WatchBatch(paths: ["x.py"], isOverflow: true))
    debouncer.record(["y.py"], at: 6)
    XCTAssertEqual(debouncer.takeBatch(at: 6.2), WatchBatch(paths: ["y.py"], isOverflow: false))
  }

  func testDiscardedFolderLeavesNoEmptyBatch() {
    var debouncer = ChangeDebouncer()
    debouncer.record(["venv/lib64", "venv/bin/python"], at: 1)
    debouncer.discard(pathsInside: "venv")
    XCTAssertNil(debouncer.takeBatch(at: 2))
    XCTAssertNil(debouncer.deadline)
    debouncer.record(["venvy.py", "venv/x"], at: 3)
    debouncer.discard(pathsInside: "venv")
    XCTAssertEqual(debouncer.takeBatch(at: 4), WatchBatch(paths: ["venvy.py"]))
  }
}

final class ChangeDebouncerTemporaryFileTests: XCTestCase {
  func testAFileCreatedAndRemovedWithinABatchIsNotReported() {
    var debouncer = ChangeDebouncer()
    // Write a temporary file, rename it over the original.
    debouncer.recordCreation(of: ".models.py.x1Yz")
    debouncer.record([".models.py.x1Yz"], at: 1)
    debouncer.recordRemoval(of: ".models.py.x1Yz", at: 1.01)
    debouncer.record(["models.py"], at: 1.01)
    XCTAssertEqual(debouncer.takeBatch(at: 2), WatchBatch(paths: ["models.py"]))
  }

  func testAFileThatExistedBeforeIsReportedWhenRemoved() {
    var debouncer = ChangeDebouncer()
    debouncer.recordRemoval(of: "old.py", at: 1)
    XCTAssertEqual(debouncer.takeBatch(at: 2), WatchBatch(paths: ["old.py"]))
    // Deleted, made again, deleted again: still gone since the last batch.
    debouncer.record(["a.py"], at: 3)
    debouncer.recordCreation(of: "a.py")
    debouncer.recordRemoval(of: "a.py", at: 3.01)
    XCTAssertEqual(debouncer.takeBatch(at: 4), WatchBatch(paths: ["a.py"]))
    // A creation is forgotten when its batch is taken.
    debouncer.recordCreation(of: "b.py")
    debouncer.record(["b.py"], at: 5)
    XCTAssertEqual(debouncer.takeBatch(at: 6), WatchBatch(paths: ["b.py"]))
    debouncer.recordRemoval(of: "b.py", at: 7)
    XCTAssertEqual(debouncer.takeBatch(at: 8), WatchBatch(paths: ["b.py"]))
  }
}

final class ChangeDebouncerEagerTests: XCTestCase {
  func testASaveAfterACalmSpellEndsAfterTheShortQuietAndTheNextChangesWaitTheWholeOne() {
    var debouncer = ChangeDebouncer(quiet: 0.05, maxDelay: 1, eagerAfter: 0.5, eagerQuiet: 0.01)
    debouncer.record(["polls/views.py"], at: 10)
    XCTAssertEqual(debouncer.deadline ?? 0, 10.01, accuracy: 1e-9)
    // A formatter's burst: each file moves the short deadline.
    debouncer.record(["polls/forms.py"], at: 10.005)
    XCTAssertEqual(debouncer.deadline ?? 0, 10.015, accuracy: 1e-9)
    XCTAssertEqual(debouncer.takeBatch(at: 10.015), WatchBatch(paths: ["polls/forms.py", "polls/views.py"]))
    // A second save 20 ms later follows the first: it waits for the whole quiet time.
    debouncer.record(["polls/models.py"], at: 10.035)
    XCTAssertEqual(debouncer.deadline ?? 0, 10.085, accuracy: 1e-9)
    XCTAssertEqual(debouncer.takeBatch(at: 10.085), WatchBatch(paths: ["polls/models.py"]))
    // Half a second of calm: eager again.
    debouncer.record(["polls/urls.py"], at: 10.6)
    XCTAssertEqual(debouncer.deadline ?? 0, 10.61, accuracy: 1e-9)
  }

  func testASaveByRenameEndsEarlyOnceTheFileIsInPlace() {
    var debouncer = ChangeDebouncer(quiet: 0.05, maxDelay: 1, eagerAfter: 0.5, eagerQuiet: 0.01)
    // The editor's temporary file may be all there is for a moment: the whole quiet time.
    debouncer.recordCreation(of: "views.py.tmp")
    debouncer.record(["views.py.tmp"], at: 1)
    XCTAssertEqual(debouncer.deadline ?? 0, 1.05, accuracy: 1e-9)
    debouncer.recordRemoval(of: "views.py.tmp", at: 1.001)
    debouncer.record(["views.py"], at: 1.001)
    XCTAssertEqual(debouncer.deadline ?? 0, 1.011, accuracy: 1e-9)
    XCTAssertEqual(debouncer.takeBatch(at: 1.011), WatchBatch(paths: ["views.py"]))
  }

  func testAFileMovedAsideMidSaveWaitsForItsNewVersion() {
    var debouncer = ChangeDebouncer(quiet: 0.05, maxDelay: 1, eagerAfter: 0.5, eagerQuiet: 0.01)
    // vim: the original becomes the backup, then a new file is written.
    debouncer.recordRemoval(of: "views.py", at: 1)
    XCTAssertEqual(debouncer.deadline ?? 0, 1.05, accuracy: 1e-9)
    debouncer.recordCreation(of: "views.py")
    XCTAssertEqual(debouncer.deadline ?? 0, 1.05, accuracy: 1e-9)
    debouncer.record(["views.py"], at: 1.002)
    XCTAssertEqual(debouncer.deadline ?? 0, 1.012, accuracy: 1e-9)
    // A file really deleted waits for the whole quiet time, as does a new one.
    _ = debouncer.takeBatch(at: 1.012)
    debouncer.recordRemoval(of: "old.py", at: 5)
    XCTAssertEqual(debouncer.deadline ?? 0, 5.05, accuracy: 1e-9)
    _ = debouncer.takeBatch(at: 5.05)
    debouncer.recordCreation(of: "new.py")
    debouncer.record(["new.py"], at: 9)
    XCTAssertEqual(debouncer.deadline ?? 0, 9.05, accuracy: 1e-9)
  }

  func testWithoutEagerEveryBatchWaitsForTheQuietTime() {
    var debouncer = ChangeDebouncer(quiet: 0.05, maxDelay: 1)
    debouncer.record(["polls/views.py"], at: 10)
    XCTAssertEqual(debouncer.deadline ?? 0, 10.05, accuracy: 1e-9)
  }
}
