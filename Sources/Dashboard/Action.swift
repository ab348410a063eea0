import DjangoRunner

/// A key the dashboard understands, whatever terminal sent it.
public enum Key: Equatable, Sendable, Hashable {
  case character(Character)
  case up, down, left, right, pageUp, pageDown, home, end
  case enter, escape, tab, backTab, backspace
  /// Ctrl-C typed while the terminal is in raw mode.
  case interrupt
}

/// Everything that can happen to the dashboard, in one vocabulary: keys, the run's
/// events, time passing, the terminal's size, and the results of effects.
public enum Action: Sendable {
  case key(Key)
  /// An event of the current run, and the dashboard clock when it arrived.
  case runEvent(TimedEvent, now: Double)
  /// Time passed (the dashboard clock, in seconds): elapsed times move on.
  case tick(now: Double)
  case resize(width: Int, height: Int)
  /// The runtime took the terminal: its size, and the glyphs it can show.
  case terminalOpened(width: Int, height: Int, glyphs: Glyphs)
  /// Source files read for the traceback view; a file that could not be read is empty.
  case sourcesLoaded([String: [String]])
  /// The editor opened by `e` ended; the message says why it could not start.
  case editorFinished(problem: String?)
  /// The dashboard opened: run the labels it was opened with.
  case start
  /// A run the reducer asked for could not start (e.g. no Python found).
  case runNotStarted(String)
  /// Something the user should read.
  case showNotice(String)
  /// Files were saved (one debounced batch), and the tests they affect were selected.
  case filesChanged(WatchChange)
  /// How the project is watched changed (e.g. inotify ran out of watches: polling).
  case watchModeChanged(String?)
  /// What the warm runner is doing (`LaunchPolicy` decides); nil: no warm runner to tell of.
  case warmStateChanged(WarmStatus?)
  /// `--warm-check`: run these labels cold to compare with the warm run that just ended
  /// (skipped when another run is going or asked for).
  case runColdCheck(labels: [String])
  /// The run history was read: at start (the last verdicts, shown stale) and after a run.
  case historyLoaded(HistorySnapshot)
  /// SIGINT from outside (not a key): the same as Ctrl-C.
  case interruptSignal
  /// SIGTERM or SIGHUP: stop the run at once and quit.
  case terminate
}

/// What the reducer asks the runtime to do; results come back as actions.
public enum Effect: Equatable, Sendable {
  /// Start a run of these labels (none: the whole suite) with these `-k` patterns.
  case startRun(labels: [String], testNamePatterns: [String])
  /// Ctrl-C the run: the first graceful, the second at once (the supervisor decides).
  case interruptRun
  /// Stop every process of the run now.
  case abortRun
  /// Keep a selection miss in the run history.
  case recordSelectionMiss(SelectionMiss)
  case openEditor(file: String, line: Int)
  case loadSources([String])
  case quit
}
