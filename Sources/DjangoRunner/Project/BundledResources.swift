import Foundation

/// Finds folders shipped inside the package (the Python hook, the demo project) at
/// run time, wherever the binary sits: beside it in SwiftPM's resource bundle, or, for a
/// build run from its source tree, in the sources.
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
    return try find("Hook", bundle: "djdash_DjangoRunner", marker: "sitecustomize.py", sourceFolder: sourceFolder)
  }

  /// Finds `folder` of `bundle` beside the running executable (or below its
  /// symlink's real location), else in `sourceFolder`.
  ///
  /// - Parameter marker: a file that must exist in the folder.
  public static func find(_ folder: String, bundle: String, marker: String, sourceFolder: String) throws -> String {
    var candidates: [String] = []
    for executable in [executablePath, (executablePath as NSString).resolvingSymlinksInPath] {
      let directory = (executable as NSString).deletingLastPathComponent
      candidates.append("\(directory)/\(bundle).resources/\(folder)")
      candidates.append("\(directory)/\(bundle).bundle/\(folder)")
      candidates.append("\(directory)/../share/djdash/\(bundle).resources/\(folder)")
    }
    candidates.append(sourceFolder)
    if let found = candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/\(marker)") }) {
      return URL(fileURLWithPath: found).standardizedFileURL.path
    }
    throw ProjectError(
      "cannot find djdash's \(folder) files (looked for \(bundle).resources beside \(executablePath)). Keep the \(bundle).resources folder next to the djdash binary."
    )
  }

  public static var executablePath: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }
}
