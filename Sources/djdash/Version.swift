/// djdash's version: the one place it is written. `djdash --version` prints it, and
/// `Sources/Packaging/build-wheel` asks the binary it built, so the wheel's name, its
/// metadata and the Python package's `__version__` all come from here. A new version
/// gets its section in the README's release notes (build-wheel checks).
let djdashVersion = "0.1.0"
