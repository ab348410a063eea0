import DjangoRunner

extension DashboardState {
  /// Takes what the history knows: a test the dashboard has no verdict for gets its last
  /// recorded one, marked stale until it runs again; every known test gets its flip mark;
  /// the slowest-tests view gets its figures.
  mutating func restore(_ snapshot: HistorySnapshot) {
    history = snapshot
    reserveRoom(forTests: snapshot.records.count)
    for record in snapshot.records {
      let position = entryIndex(for: record.id, kind: record.kind)
      update(position) { entry in
        entry.isFlipping = record.isFlipping
        guard entry.outcome == nil, !entry.isPending, !entry.isRunning, !entry.isBlockedByImport else { return }
        entry.kind = record.kind
        entry.outcome = record.outcome
        entry.duration = record.duration
        entry.report = TestReport(
          id: record.id, outcome: record.outcome, kind: record.kind, duration: record.duration,
          message: record.summary ?? "")
        entry.isStale = true
      }
    }
    rowsAreStale = true
    layoutIfNeeded()
  }

  /// `s`: the slowest tests over recent runs; any key closes it.
  mutating func showSlowest() {
    guard !history.slowest.isEmpty else {
      notice = "no test durations recorded yet"
      return
    }
    isSlowestShown = true
  }
}
