import DjangoRunner
import Foundation

/// djdash-bench: prints decoding throughput, the hook's overhead on a large suite and
/// the cost of SQL capture. It measures and prints; it never fails on slowness.
enum Bench {
  static func main() -> Int32 {
    let options: BenchOptions
    switch BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) {
    case .success(let parsed):
      options = parsed
    case .failure(let error):
      if let message = error.message {
        printError("djdash-bench: \(message)\n\n\(BenchOptions.usage)")
        return 2
      }
      say(BenchOptions.usage)
      return 0
    }
    let sizes = BenchSizes(options)
    if options.dashboardOnly {
      DashboardBench.run(tests: sizes.dashboardTests)
      return 0
    }
    if options.historyOnly {
      HistoryBench.run(tests: sizes.dashboardTests, runs: sizes.repetitions + 2)
      return 0
    }
    if options.selectionOnly {
      #if DEBUG
        say("djdash-bench --selection-only: debug build (figures are not representative; use -c release)")
      #endif
      SelectionBench.run(apps: sizes.selectionApps, repetitions: sizes.repetitions)
      say("")
      return 0
    }
    let environment = ProcessInfo.processInfo.environment

    let (choice, origin) = PythonCheck.choose(explicit: options.python, environment: environment)
    guard let python = PythonCheck.resolve(choice, environment: environment),
      let versions = PythonCheck.versions(of: python, environment: environment)
    else {
      printError(
        """
        djdash-bench: \(choice) (\(origin)) cannot import Django.
        Run `swift test` once (it creates .build/djdash-venvs/django-5.2 with Django), or pass
        --python /path/to/a/python/with/django (or set DJDASH_BENCH_PYTHON).
        """)
      return 2
    }
    let hook: String
    do {
      hook = try BundledResources.hookDirectory(environment: environment)
    } catch {
      printError("djdash-bench: \(error)")
      return 2
    }

    #if DEBUG
      let build = "debug (figures are not representative; use -c release)"
    #else
      let build = "release"
    #endif
    say("djdash-bench\(options.quick ? " --quick" : "")")
    say("  build:  \(build), \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
    say("  python: \(python) (\(origin)), Python \(versions.python), Django \(versions.django)")
    say("  hook:   \(hook)")

    let context = RunContext(python: python, hookDirectory: hook)
    if options.watchOnly {
      do {
        try WatchBench.run(context, repetitions: sizes.repetitions)
        try WatchBench.runLarge(context, apps: sizes.watchApps, repetitions: sizes.repetitions)
      } catch {
        say("  !! section 8 could not run: \(error)")
      }
      return 0
    }
    if !options.suiteOnly { DecodeBench.run(sizes: sizes) }

    let project: GeneratedProject
    do {
      project = try GeneratedProject(tests: sizes.suiteTests, everydayTests: sizes.suiteTests)
    } catch {
      printError("djdash-bench: cannot generate the Django project: \(error)")
      return 1
    }
    defer { project.remove() }
    do {
      try SuiteBench.run(context, project: project, repetitions: sizes.repetitions)
    } catch {
      say("  !! section 2 could not run: \(error)")
    }
    var interpreters = [RecordingBench.Interpreter(context: context, python: versions.python, django: versions.django)]
    for choice in options.recordingPythons {
      guard let other = PythonCheck.resolve(choice, environment: environment),
        let otherVersions = PythonCheck.versions(of: other, environment: environment)
      else {
        say("  !! section 2c: \(choice) cannot import Django; left out")
        continue
      }
      interpreters.append(
        RecordingBench.Interpreter(
          context: RunContext(python: other, hookDirectory: hook), python: otherVersions.python,
          django: otherVersions.django))
    }
    RecordingBench.run(interpreters, project: project, repetitions: sizes.repetitions)
    if options.suiteOnly { return 0 }
    do {
      try SQLBench.run(context, project: project, sizes: sizes)
    } catch {
      say("  !! section 3 could not run: \(error)")
    }
    do {
      try StopBench.run(context, project: project, repetitions: sizes.repetitions)
    } catch {
      say("  !! section 4 could not run: \(error)")
    }
    do {
      try HuntBench.run(context, sizes: options.quick ? [100, 1_000] : [100, 1_000, 5_000])
    } catch {
      say("  !! section 5 could not run: \(error)")
    }
    // In a process of its own, so its memory figure is the dashboard's alone.
    let dashboard = try? RunnerProcess.runToCompletion(
      [
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0],
        "--dashboard-only",
      ] + (options.quick ? ["--quick"] : []),
      directory: FileManager.default.currentDirectoryPath, environment: environment, timeout: 600)
    if let dashboard, dashboard.status == 0 {
      FileHandle.standardOutput.write(Data(dashboard.stdout))
    } else {
      say(
        "  !! section 6 could not run: \(dashboard.map { String(decoding: $0.stderr, as: UTF8.self) } ?? "no process")")
    }
    HistoryBench.run(tests: sizes.dashboardTests, runs: sizes.repetitions + 2)
    do {
      try WatchBench.run(context, repetitions: sizes.repetitions)
      try WatchBench.runLarge(context, apps: sizes.watchApps, repetitions: sizes.repetitions)
    } catch {
      say("  !! section 8 could not run: \(error)")
    }
    SelectionBench.run(apps: sizes.selectionApps, repetitions: sizes.repetitions)
    say("")
    return 0
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}

exit(Bench.main())
