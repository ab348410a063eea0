import DjangoRunner
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Section 9: the test selection of watch mode on a large generated project (≈3,000
/// modules, ≈500k lines): building the dependency graph, updating it after one file
/// changes, and one selection query. Goals: build ≤ 300 ms, update ≤ 5 ms. Needs no
/// Python (`djdash-bench --selection-only`).
enum SelectionBench {
  static func run(apps: Int, repetitions: Int) {
    header("9. selection: the dependency graph of a generated project with \(apps) apps")
    let project: SelectionProject
    do {
      project = try SelectionProject(apps: apps)
    } catch {
      say("  !! cannot generate the project: \(error)")
      return
    }
    defer { project.remove() }

    var builds: [Double] = []
    var buildCPU: [Double] = []
    var graph = ProjectGraph(root: project.root)  // warm the page cache once
    for _ in 0..<max(5, repetitions * 2) {
      let cpu = processCPUTime()
      let (built, seconds) = Measure.time { ProjectGraph(root: project.root) }
      buildCPU.append(processCPUTime() - cpu)
      builds.append(seconds)
      graph = built
    }
    say(
      "  project:   \(Format.count(graph.fileCount)) files, \(Format.count(graph.moduleCount)) modules, "
        + "\(Format.count(project.lines)) lines (\(Format.bytes(project.bytes))), "
        + "\(Format.count(graph.testModules.count)) test modules, \(graph.apps.count) apps")
    say(
      "  build:     \(Format.seconds(Measure.median(builds))) median of \(builds.count) "
        + "(min \(Format.seconds(builds.min() ?? .nan)); CPU \(Format.seconds(Measure.median(buildCPU))) on "
        + "\(ProcessInfo.processInfo.activeProcessorCount) cores); goal ≤ 300 ms")

    // One file changes, over and over: its content alternates between two versions,
    // the second with one more import.
    let changed = project.changingFile
    let original = (try? String(contentsOfFile: project.root + "/" + changed, encoding: .utf8)) ?? ""
    let edited = original + "\nfrom app0.utils.u1 import helper_1_0  # noqa\n"
    var updates: [Double] = []
    var updateCPU: [Double] = []
    for round in 0..<(repetitions * 20) {
      try? (round % 2 == 0 ? edited : original).write(
        toFile: project.root + "/" + changed, atomically: false, encoding: .utf8)
      let cpu = threadCPUTime()
      let (_, seconds) = Measure.time { graph.update([changed]) }
      updateCPU.append(threadCPUTime() - cpu)
      updates.append(seconds)
    }
    say(
      "  update:    \(Format.seconds(Measure.median(updates))) median of \(updates.count) "
        + "(CPU \(Format.seconds(Measure.median(updateCPU)))) after one module changed, \(changed); goal ≤ 5 ms")

    let selector = TestSelector(graph: graph)
    for path in [changed, project.modelsFile, project.templateFile] {
      var queries: [Double] = []
      var selection = TestSelection()
      for _ in 0..<max(5, repetitions * 3) {
        let (result, seconds) = Measure.time { selector.selection(for: [path]) }
        queries.append(seconds)
        selection = result
      }
      say(
        "  selection: \(Format.seconds(Measure.median(queries))) median for \(path): "
          + "\(selection.labels.count) labels\(selection.isEverything ? " (every test)" : "")")
    }
  }

  /// CPU seconds of this thread: what an update costs, however busy the machine is.
  private static func threadCPUTime() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  /// CPU seconds of the process, every thread (the build scans on all cores).
  private static func processCPUTime() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
