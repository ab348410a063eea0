#if canImport(Glibc)
  import Glibc
#endif

/// The process a warm server forked for one run: not djdash's child, so the server
/// reports how it ended; if the server is gone first, the child has become djdash's
/// (a child subreaper's) and is reaped directly.
public final class WarmChild: RunnerHandle {
  public let pid: pid_t
  public let exitDescriptor: Int32 = -1
  /// How it ended, as the warm server reported.
  public var reported: Termination?

  public init(pid: pid_t) {
    self.pid = pid
  }

  @discardableResult
  public func reap() -> Termination? {
    if reported == nil { reported = waitWithoutBlocking() }
    return reported
  }
}
