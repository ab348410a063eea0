import Foundation

/// Finds folders shipped with djdash (the Python hook, the demo project, the themes) at
/// run time, wherever the binary sits:
/// - installed (the wheel, `pip install djdash`): the binary in `PREFIX/bin/` and the
///   folders in `PREFIX/share/djdash/` (`hook`, `demo`, `themes`), for a venv, a
///   `--user` install and `pip install --target` alike;
/// - built by SwiftPM: beside the binary in its resource bundle;
/// - run from its source tree: in the sources.
public enum BundledResources {
  /// The folder with the hook's `sitecustomize.py` and its `djdash_hook` package.
  ///
  /// `DJDASH_HOOK_DIR` overrides the search (for packagers who install it elsewhere).
  public static func hookDirectory(environment: [String: String] = ProcessInfo.processInfo.environment)
    throws -> String
  {
    if let override = environment["DJDASH_HOOK_DIR"], !override.isEmpty {
      guard FileManager.default.fileExists(atPath: override + "/sitecustomize.py") else {
        throw ProjectError("DJDASH_HOOK_DIR=\(override) has no sitecustomize.py")
      }
      return override
    }
    let sourceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Hook").path
    return try find(
      "Hook", bundle: "djdash_DjangoRunner", installedName: "hook", marker: "sitecustomize.py",
      sourceFolder: sourceFolder)
  }

  /// Finds `folder` of `bundle` beside the running executable (or below its
  /// symlink's real location), installed as `share/djdash/<installedName>`, else in
  /// `sourceFolder`.
  ///
  /// - Parameter marker: a file that must exist in the folder.
  public static func find(
    _ folder: String, bundle: String, installedName: String, marker: String, sourceFolder: String
  ) throws -> String {
    let candidates = self.candidates(
      folder, bundle: bundle, installedName: installedName, executables: [executablePath],
      sourceFolder: sourceFolder)
    if let found = candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/\(marker)") }) {
      return URL(fileURLWithPath: found).standardizedFileURL.path
    }
    throw ProjectError(
      "cannot find djdash's \(folder) files (looked for \(installedName) in \(installedFolder(executable: executablePath)) and for \(bundle).resources beside \(executablePath)). Reinstall djdash, or keep the \(bundle).resources folder next to the djdash binary."
    )
  }

  /// Where djdash looks for a shipped folder, in order.
  ///
  /// - Parameter executables: the binary's path, and others it is known by (a symlink).
  public static func candidates(
    _ folder: String, bundle: String, installedName: String, executables: [String], sourceFolder: String
  ) -> [String] {
    var candidates: [String] = []
    for executable in executables {
      let directory = (executable as NSString).deletingLastPathComponent
      for candidate in [
        installedFolder(executable: executable) + "/" + installedName,
        "\(directory)/\(bundle).resources/\(folder)",
        "\(directory)/\(bundle).bundle/\(folder)",
        "\(directory)/../share/djdash/\(bundle).resources/\(folder)",
      ] where !candidates.contains(candidate) {
        candidates.append(candidate)
      }
    }
    candidates.append(sourceFolder)
    return candidates
  }

  /// `PREFIX/share/djdash` for a binary in `PREFIX/bin`: where the wheel installs the
  /// hook, the demo and the themes.
  public static func installedFolder(executable: String = executablePath) -> String {
    let bin = (executable as NSString).deletingLastPathComponent
    return ((bin as NSString).deletingLastPathComponent as NSString).appendingPathComponent("share/djdash")
  }

  /// The running binary's real path (symlinks resolved, as the kernel knows it).
  public static var executablePath: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }
}
