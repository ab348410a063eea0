#if canImport(Glibc)
  import Glibc
#endif

/// Watches a Django project's tree and reports debounced batches of changed files, on
/// the reactor's thread: what reruns tests in watch mode.
///
/// It uses one inotify watch per folder that is not ignored. A folder created or moved
/// in gets its watch and is scanned at once, so files made in it before the watch
/// existed are reported too. Editors that save by writing a temporary file and renaming
/// it over the original are seen through the rename: the destination is reported.
///
/// When inotify cannot be used (`fs.inotify.max_user_watches` or
/// `max_user_instances` used up), it does not fail: it polls the tree instead, and
/// `mode` and `notice` say so.
public final class ProjectWatcher {
  /// The project root, resolved (an absolute path without symbolic links).
  /// Seconds of calm that end a batch: an editor's save is a few events within a
  /// millisecond, a formatter's burst keeps coming faster than this (watchexec's default),
  /// and a warm run waits for it before it starts.
  public static let defaultQuiet = 0.05
  /// Seconds of calm after which a save ends its batch after 10 ms of quiet, not
  /// `defaultQuiet` (see `ChangeDebouncer`).
  public static let defaultEagerAfter = 0.5

  public let root: String
  /// Seconds between two looks at the tree when polling.
  public let pollInterval: Double

  private let reactor: Reactor
  private let onChange: (WatchBatch) -> Void
  /// Called whenever changes were recorded and a batch is pending, before it is due,
  /// with the batch's paths so far: the first call of a batch is the moment a save began.
  public var onActivity: (([String]) -> Void)?
  private let maxWatches: Int?
  private var ignore: IgnoreRules
  private var debouncer: ChangeDebouncer
  private var inotify: Int32 = -1
  /// Watched folders by watch descriptor, relative to the root ("" for the root).
  private var folders: [Int32: String] = [:]
  private var watches: [String: Int32] = [:]
  private var pollingReason: String?
  private var scanner: PollingScanner?
  private var batchTimer: Int?
  private var pollTimer: Int?
  private var isClosed = false
  private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

  private static let folderMask = UInt32(
    bitPattern: IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF
      | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

  /// Starts watching `root`; changes are reported from the next reactor turns on.
  ///
  /// - Parameters:
  ///   - root: The project folder.
  ///   - reactor: The event loop that reads the inotify descriptor and runs the timers;
  ///     `onChange` is called on its thread.
  ///   - ignore: What not to watch; by default `IgnoreRules(root: root)`, the built-in
  ///     rules and the `.gitignore` files, reloaded whenever a `.gitignore` changes.
  ///     Rules made without a root do not recognise virtualenvs nor reload.
  ///   - quiet: Seconds without a change that end a batch.
  ///   - maxDelay: The longest a change waits for its batch.
  ///   - eagerAfter: Seconds of calm after which a save is reported after 10 ms of
  ///     quiet, not `quiet` (nil: never).
  ///   - pollInterval: Seconds between two looks when polling.
  ///   - maxWatches: A limit on inotify watches below the kernel's, beyond which the
  ///     watcher polls as if the kernel's limit were used up (0: poll from the start).
  ///     For tests, and to leave watches to other tools.
  ///   - onChange: Receives each batch.
  /// - Throws: `WatchError` when `root` is not a folder.
  public init(
    root: String, reactor: Reactor, ignore: IgnoreRules? = nil, quiet: Double = ProjectWatcher.defaultQuiet,
    maxDelay: Double = 1.0, eagerAfter: Double? = ProjectWatcher.defaultEagerAfter,
    pollInterval: Double = 1.0, maxWatches: Int? = nil, onChange: @escaping (WatchBatch) -> Void
  ) throws {
    // Resolved, so a root reached through a symbolic link is watched (links below it
    // are not followed).
    guard let resolved = realpath(root, nil) else {
      let why = errno == ENOENT ? "it does not exist" : String(cString: strerror(errno))
      throw WatchError(description: "cannot watch \(root): \(why)")
    }
    let base = String(cString: resolved)
    free(resolved)
    guard ProjectTree.kind(of: base) == .directory else {
      throw WatchError(description: "cannot watch \(root): it is not a folder")
    }
    self.root = base
    self.reactor = reactor
    self.ignore = ignore ?? IgnoreRules(root: base)
    self.debouncer = ChangeDebouncer(quiet: quiet, maxDelay: maxDelay, eagerAfter: eagerAfter)
    self.pollInterval = max(0.05, pollInterval)
    self.maxWatches = maxWatches
    self.onChange = onChange

    let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    guard descriptor >= 0 else {
      startPolling(reason: Self.noInstanceReason(errno: errno), eventsMayBeLost: false)
      return
    }
    inotify = descriptor
    reactor.watch(descriptor) { [weak self] in self?.readEvents() }
    if let failure = addWatches(inside: "") {
      startPolling(reason: failure, eventsMayBeLost: false)
    }
  }

  deinit {
    close()
  }

  /// How changes are learnt: inotify with its number of watches, or polling and why.
  public var mode: WatchMode {
    if let pollingReason { return .polling(reason: pollingReason) }
    return .inotify(watches: folders.count)
  }

  /// A sentence for the user when watching is degraded (polling); nil otherwise.
  public var notice: String? {
    guard let pollingReason else { return nil }
    let seconds = pollInterval == pollInterval.rounded() ? String(Int(pollInterval)) : String(pollInterval)
    return "watching by polling every \(seconds) s: \(pollingReason)"
  }

  /// Stops watching: no batch is reported afterwards, even one that was pending.
  public func close() {
    guard !isClosed else { return }
    isClosed = true
    if let batchTimer { reactor.cancel(batchTimer) }
    if let pollTimer { reactor.cancel(pollTimer) }
    batchTimer = nil
    pollTimer = nil
    stopInotify()
    scanner = nil
  }

  // MARK: - inotify

  /// Reads the pending records, then re-arms the batch timer. At most a few buffers a
  /// turn: under a flood of changes the reactor still serves keys and the run, and
  /// comes back here since the descriptor stays readable.
  private func readEvents() {
    var mustReloadRules = false
    var reads = 0
    reading: while inotify >= 0 && reads < 8 {
      reads += 1
      let descriptor = inotify
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      let events = buffer.withUnsafeBytes { InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
      let now = reactor.clock.now()
      for event in events {
        if let failure = handle(event, at: now, mustReloadRules: &mustReloadRules) {
          startPolling(reason: failure, eventsMayBeLost: true)
          break reading
        }
      }
    }
    if mustReloadRules && inotify >= 0 { reloadRules() }
    armBatchTimer()
  }

  /// Handles one record; returns why inotify must be given up, if it must.
  private func handle(_ event: InotifyEvent, at now: Double, mustReloadRules: inout Bool) -> String? {
    if event.has(IN_Q_OVERFLOW) {
      // Creations of folders may be among the lost events: watch whatever is new.
      debouncer.recordOverflow(at: now)
      return addWatches(inside: "")
    }
    if event.has(IN_IGNORED) {
      forget(watch: event.watch)
      return nil
    }
    guard let folder = folders[event.watch], !event.name.isEmpty else { return nil }
    let path = ProjectTree.join(folder, event.name)
    let isDirectory = event.has(IN_ISDIR)
    if !isDirectory && event.name == "pyvenv.cfg" && !folder.isEmpty && !event.has(IN_DELETE | IN_MOVED_FROM) {
      // The folder is becoming a virtualenv (`python -m venv` writes this file after
      // making its folders): stop watching it.
      forget(inside: folder, removingWatches: true)
      debouncer.discard(pathsInside: folder)
      return nil
    }
    // The folder is watched, so it and the folders above it are not ignored.
    if ignore.isEntryIgnored(path, isDirectory: isDirectory) { return nil }
    if isDirectory {
      if event.has(IN_CREATE | IN_MOVED_TO) {
        var found: [String] = []
        let failure = addWatches(inside: path, reporting: &found)
        // New to the tree: if they go again before the batch, they were never there.
        for file in found { debouncer.recordCreation(of: file) }
        debouncer.record(found, at: now)
        if found.contains(where: { $0.hasSuffix("/.gitignore") }) { mustReloadRules = true }
        return failure
      }
      if event.has(IN_MOVED_FROM) {
        forget(inside: path, removingWatches: true)
        debouncer.record(CollectionOfOne(path), at: now)
      } else if event.has(IN_DELETE) {
        forget(inside: path, removingWatches: false)
      }
      return nil
    }
    if event.name == ".gitignore" { mustReloadRules = true }
    if event.has(IN_CREATE) {
      // A new file is reported when written and closed; only links (which are never
      // written) are reported when made.
      debouncer.recordCreation(of: path)
      if ProjectTree.kind(of: root + "/" + path) == .symbolicLink { debouncer.record(CollectionOfOne(path), at: now) }
    } else if event.has(IN_DELETE | IN_MOVED_FROM) {
      debouncer.recordRemoval(of: path, at: now)
    } else {
      debouncer.record(CollectionOfOne(path), at: now)
    }
    return nil
  }

  /// Watches `folder` and every folder below it that is not ignored, adding the files
  /// found there (made before their folder was watched) to `found`. Returns why
  /// inotify must be given up when the watch limit is reached.
  private func addWatches(inside folder: String, reporting found: inout [String]) -> String? {
    addWatches(inside: folder, isReporting: true, found: &found)
  }

  /// Watches `folder` and every folder below it without reporting the files there.
  private func addWatches(inside folder: String) -> String? {
    var unused: [String] = []
    return addWatches(inside: folder, isReporting: false, found: &unused)
  }

  private func addWatches(inside folder: String, isReporting: Bool, found: inout [String]) -> String? {
    var pending = [folder]
    while let current = pending.popLast() {
      switch addWatch(current) {
      case .watched: break
      case .unavailable: continue
      case .limitReached(let reason): return reason
      }
      let absolute = current.isEmpty ? root : root + "/" + current
      for entry in ProjectTree.entries(of: absolute) {
        let path = ProjectTree.join(current, entry.name)
        if ignore.isEntryIgnored(path, isDirectory: entry.isDirectory) { continue }
        if entry.isDirectory {
          pending.append(path)
        } else if isReporting {
          found.append(path)
        }
      }
    }
    return nil
  }

  private enum WatchOutcome {
    case watched
    /// Gone, not a folder any more, or not readable: nothing to watch there.
    case unavailable
    case limitReached(String)
  }

  private func addWatch(_ folder: String) -> WatchOutcome {
    if let maxWatches, watches[folder] == nil, folders.count >= maxWatches {
      return .limitReached(
        "the watch limit given to djdash (\(maxWatches) inotify watches) is used up by this project's folders")
    }
    let absolute = folder.isEmpty ? root : root + "/" + folder
    let watch = inotify_add_watch(inotify, absolute, Self.folderMask)
    if watch < 0 {
      switch errno {
      case ENOSPC: return .limitReached(Self.watchLimitReason())
      case ENOMEM: return .limitReached("the kernel could not allocate another inotify watch")
      default: return .unavailable
      }
    }
    // A folder watched again (after an overflow, or moved) keeps its descriptor.
    if let previous = folders[watch], previous != folder, watches[previous] == watch {
      watches[previous] = nil
    }
    folders[watch] = folder
    watches[folder] = watch
    return .watched
  }

  /// Forgets the watch the kernel dropped (its folder was deleted or unwatched).
  private func forget(watch: Int32) {
    guard let folder = folders.removeValue(forKey: watch) else { return }
    if watches[folder] == watch { watches[folder] = nil }
  }

  /// Forgets the watches of `folder` and the folders below it; removes them from the
  /// kernel too when the folders still exist elsewhere (moved away, now ignored).
  private func forget(inside folder: String, removingWatches: Bool) {
    for (path, watch) in watches where path == folder || path.hasPrefix(folder + "/") {
      if removingWatches { inotify_rm_watch(inotify, watch) }
      watches[path] = nil
      folders[watch] = nil
    }
  }

  /// After a `.gitignore` changed: new rules, and watches for folders they no longer
  /// ignore. Pending paths the new rules ignore are dropped.
  private func reloadRules() {
    ignore = ignore.reloaded()
    let rules = ignore
    debouncer.discard { rules.isIgnored($0, isDirectory: false) }
    for folder in watches.keys where !folder.isEmpty && rules.isIgnored(folder, isDirectory: true) {
      forget(inside: folder, removingWatches: true)
    }
    if let failure = addWatches(inside: "") {
      startPolling(reason: failure, eventsMayBeLost: true)
    }
  }

  private func stopInotify() {
    guard inotify >= 0 else { return }
    reactor.unwatch(inotify)
    Glibc.close(inotify)
    inotify = -1
    folders = [:]
    watches = [:]
  }

  // MARK: - Polling

  private func startPolling(reason: String, eventsMayBeLost: Bool) {
    stopInotify()
    pollingReason = reason
    scanner = PollingScanner(root: root, ignore: ignore)
    if eventsMayBeLost {
      debouncer.recordOverflow(at: reactor.clock.now())
      armBatchTimer()
    }
    schedulePoll()
  }

  private func schedulePoll() {
    pollTimer = reactor.after(pollInterval) { [weak self] in self?.poll() }
  }

  private func poll() {
    pollTimer = nil
    guard !isClosed, var scanner else { return }
    let changed = scanner.scan()
    if changed.contains(where: { $0 == ".gitignore" || $0.hasSuffix("/.gitignore") }) {
      ignore = ignore.reloaded()
      scanner.update(ignore: ignore)
    }
    self.scanner = scanner
    debouncer.record(changed, at: reactor.clock.now())
    armBatchTimer()
    schedulePoll()
  }

  // MARK: - Batches

  private func armBatchTimer() {
    if let batchTimer { reactor.cancel(batchTimer) }
    batchTimer = nil
    guard !isClosed, let deadline = debouncer.deadline else { return }
    batchTimer = reactor.after(max(0, deadline - reactor.clock.now())) { [weak self] in self?.batchIsDue() }
    onActivity?(debouncer.pendingPaths)
  }

  /// Reads what the kernel has reported so far and takes the pending batch now, due or
  /// not (nil when nothing changed): for a caller that must know of a save made a moment
  /// ago, before the quiet time is over. `onChange` does not get it.
  public func takePendingBatch() -> WatchBatch? {
    guard !isClosed else { return nil }
    if inotify >= 0 { readEvents() }
    let batch = debouncer.takeBatch(at: .infinity)
    armBatchTimer()
    return batch
  }

  private func batchIsDue() {
    batchTimer = nil
    guard !isClosed else { return }
    if let batch = debouncer.takeBatch(at: reactor.clock.now()) {
      onChange(batch)
    }
    armBatchTimer()
  }

  // MARK: - Messages

  /// Why polling, when the kernel's watch limit is used up, and what to do about it.
  ///
  /// - Parameter limit: `fs.inotify.max_user_watches`, if it could be read.
  static func watchLimitReason(limit: Int? = readNumber("/proc/sys/fs/inotify/max_user_watches")) -> String {
    let suggested = max(524_288, (limit ?? 0) * 2)
    let current = limit.map { " (fs.inotify.max_user_watches = \($0))" } ?? ""
    return "the inotify watch limit\(current) is used up; raise it with "
      + "`sudo sysctl fs.inotify.max_user_watches=\(suggested)`"
  }

  static func noInstanceReason(errno code: Int32) -> String {
    if code == EMFILE {
      let limit = readNumber("/proc/sys/fs/inotify/max_user_instances")
      let suggested = max(1024, (limit ?? 0) * 2)
      let current = limit.map { " (fs.inotify.max_user_instances = \($0))" } ?? ""
      return "no inotify instance is left\(current); close other watchers or raise the limit with "
        + "`sudo sysctl fs.inotify.max_user_instances=\(suggested)`"
    }
    return "inotify is unavailable (\(String(cString: strerror(code))))"
  }

  private static func readNumber(_ path: String) -> Int? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 64)
    guard fgets(&line, 64, file) != nil else { return nil }
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return Int(text.filter(\.isNumber))
  }
}
