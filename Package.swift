// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "djdash",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "djdash", targets: ["djdash"]),
    .library(name: "DjangoRunner", targets: ["DjangoRunner"]),
    .library(name: "Dashboard", targets: ["Dashboard"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // The few C calls Swift cannot make directly: posix_spawn extras, sockaddr_un, prctl.
    .target(name: "CShims"),
    // The runner library: project discovery, the Python hook, the event channel,
    // decoding, the supervisor and the reports. It never draws.
    .target(
      name: "DjangoRunner",
      dependencies: ["CShims", "TOMLKit"],
      resources: [.copy("Hook")]
    ),
    // Run history: the project's `.djdash/history.sqlite` (GRDB), what records runs into it
    // and the queries that read it back. Kept apart so GRDB stays out of the runner library.
    .target(
      name: "RunHistory",
      dependencies: ["DjangoRunner", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    // The ncursesw library, and the few of its macros Swift cannot call.
    .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw"),
    // The dashboard: state, actions, the reducer, views into a cell buffer, themes. It
    // never touches the terminal or a process.
    .target(name: "Dashboard", dependencies: ["DjangoRunner", "TOMLKit"]),
    // The curses backend (a `TerminalBackend`): paints a cell buffer's differences, reads
    // keys, restores the terminal.
    .target(name: "TerminalUI", dependencies: ["Dashboard", "CNcurses"]),
    // The dashboard's runtime: keys, signals, run events, file changes and ticks into
    // actions, the reducer's effects carried out, frames painted on a `TerminalBackend`
    // (curses in the executable, `MemoryTerminal` in tests). It never imports curses.
    .target(name: "DashboardRuntime", dependencies: ["Dashboard", "DjangoRunner", "RunHistory", "CShims"]),
    .executableTarget(
      name: "djdash",
      dependencies: [
        "DjangoRunner",
        "Dashboard",
        "DashboardRuntime",
        "TerminalUI",
        "RunHistory",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      resources: [.copy("Demo")]
    ),
    // Prints throughput and overhead figures; run with `swift run -c release djdash-bench`.
    .executableTarget(name: "djdash-bench", dependencies: ["DjangoRunner", "Dashboard", "RunHistory"]),

    .target(name: "TestSupport", dependencies: ["DjangoRunner", "CShims"], path: "Tests/TestSupport"),
    .testTarget(name: "DjangoRunnerTests", dependencies: ["DjangoRunner", "TestSupport"]),
    .testTarget(name: "RunHistoryTests", dependencies: ["RunHistory", "DjangoRunner", "TestSupport"]),
    .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "DjangoRunner"], resources: [.copy("Snapshots")]),
    .testTarget(
      name: "DashboardRuntimeTests", dependencies: ["DashboardRuntime", "Dashboard", "DjangoRunner", "TestSupport"]),
    .testTarget(name: "EndToEndTests", dependencies: ["DjangoRunner", "TestSupport", "RunHistory", "djdash"]),
  ]
)
