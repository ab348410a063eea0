import Foundation

/// Which saved Python files no longer compile, asked of the project's own interpreter
/// (`compile()` only: nothing is imported or run, no site packages are loaded).
///
/// The selection needs it because a syntax error is not like other edits: in a module
/// Django imports before any test (the URLconf the system checks load, a model) it fails
/// every test, not only those that use the module.
public enum PythonSyntax {
  /// The files among `paths` (absolute) that exist and do not compile; empty when the
  /// interpreter cannot be run (the selection then follows the graph, as before).
  public static func uncompilable(_ paths: [String], python: String) -> Set<String> {
    let files = paths.filter { $0.hasSuffix(".py") && FileManager.default.fileExists(atPath: $0) }
    guard !files.isEmpty else { return [] }
    let script = """
      import sys
      for path in sys.argv[1:]:
          try:
              with open(path, "rb") as handle:
                  compile(handle.read(), path, "exec", dont_inherit=True)
          except (SyntaxError, ValueError):
              print(path)
          except Exception:
              pass
      """
    guard
      let done = try? RunnerProcess.runToCompletion(
        [python, "-I", "-S", "-c", script] + files, directory: "/",
        environment: ProcessInfo.processInfo.environment, timeout: 10)
    else { return [] }
    return Set(String(decoding: done.stdout, as: UTF8.self).split(separator: "\n").map(String.init))
  }
}
