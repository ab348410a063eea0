import CShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How a process ended.
public enum Termination: Equatable, Sendable {
  case exited(Int32)
  case signalled(Int32)
}

/// An error starting the test runner, worded for the user.
public struct SpawnError: Error, CustomStringConvertible {
  public var description: String
}

/// The process a run's session supervises: a runner djdash started, or the child a warm
/// server forked for the run. Either leads a process group of its own (its pid), which
/// holds every process of the run.
public protocol RunnerHandle: AnyObject {
  var pid: pid_t { get }
  /// Readable once the process has exited; -1 when its exit is reported otherwise.
  var exitDescriptor: Int32 { get }
  /// The exit status once the process has exited; never blocks.
  @discardableResult func reap() -> Termination?
}

extension RunnerHandle {
  /// Reaps every exited process of the run's group that has become djdash's child
  /// (orphaned workers, when djdash is a child subreaper); never blocks, and never
  /// touches children outside the group.
  public func reapGroup() {
    guard pid > 1 else { return }
    var status: Int32 = 0
    while waitpid(-pid, &status, WNOHANG) > 0 {}
  }

  /// Sends `signal` to every process of the run (the whole process group).
  public func signalGroup(_ signal: Int32) {
    guard pid > 1 else { return }  // kill(0) or kill(-1) would hit djdash itself or everything
    _ = kill(-pid, signal)
  }

  /// Whether any process of the run's group is still alive (zombies aside).
  public var isGroupAlive: Bool {
    pid > 1 && kill(-pid, 0) == 0 && !RunnerProcess.groupMembers(pid).isEmpty
  }

  /// Collects `pid`'s exit status if it is djdash's child and has exited.
  func waitWithoutBlocking() -> Termination? {
    var status: Int32 = 0
    guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
    // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
    let signal = status & 0x7f
    return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
  }
}

/// The test runner's process: its own process group (so djdash can stop every process
/// of the run at once), stdin from /dev/null, default signal dispositions, stdout and
/// stderr on pipes, and a pidfd that tells when it has exited.
public final class RunnerProcess: RunnerHandle {
  public let pid: pid_t
  /// Readable once the process has exited.
  public let exitDescriptor: Int32
  public let stdout: Int32
  public let stderr: Int32
  public private(set) var termination: Termination?

  /// Starts `arguments[0]` in `directory` with exactly `environment`; a bare program name
  /// is looked up in that environment's PATH (not djdash's own).
  public init(arguments: [String], directory: String, environment: [String: String]) throws {
    guard let program = arguments.first, !program.isEmpty else {
      throw SpawnError(description: "no command to run")
    }
    var arguments = arguments
    if !program.contains("/") {
      guard let found = PythonLocator.which(program, path: environment["PATH"]) else {
        throw SpawnError(description: "command not found: \(program) (searched PATH=\(environment["PATH"] ?? ""))")
      }
      arguments[0] = found
    }
    var out: [Int32] = [0, 0]
    var err: [Int32] = [0, 0]
    guard djdash_pipe(&out) == 0, djdash_pipe(&err) == 0 else {
      throw SpawnError(description: "cannot create pipes: \(String(cString: strerror(errno)))")
    }
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var child: pid_t = 0
    let rc = djdash_spawn(directory, argv, envp, out[1], err[1], &child)
    close(out[1])
    close(err[1])
    guard rc == 0 else {
      close(out[0])
      close(err[0])
      throw SpawnError(description: "cannot start \(arguments.first ?? "?"): \(String(cString: strerror(rc)))")
    }
    pid = child
    stdout = out[0]
    stderr = err[0]
    exitDescriptor = djdash_pidfd_open(child)
  }

  deinit {
    close(stdout)
    close(stderr)
    if exitDescriptor >= 0 { close(exitDescriptor) }
  }

  /// Collects the exit status if the process has exited; never blocks.
  @discardableResult
  public func reap() -> Termination? {
    if termination == nil { termination = waitWithoutBlocking() }
    return termination
  }

  /// Pids of live (non-zombie) processes in process group `group`, read from /proc.
  public static func groupMembers(_ group: pid_t) -> [pid_t] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { entry -> pid_t? in
      guard let pid = pid_t(entry),
        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return nil }
      // Fields after "(comm)": state ppid pgrp …
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == group else { return nil }
      return pid
    }
  }
}
