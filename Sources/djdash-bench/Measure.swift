import DjangoRunner
import Foundation

/// Small helpers for timing and printing figures.
enum Measure {
  static let clock = MonotonicClock()

  /// Runs `body` and returns its result with the seconds it took.
  static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = clock.now()
    let value = try body()
    return (value, clock.now() - start)
  }

  static func median(_ values: [Double]) -> Double { quantile(values, 0.5) }

  /// The `q`-quantile (0…1) of `values`, interpolated between the two nearest.
  static func quantile(_ values: [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
  }
}

/// Number formatting for the report.
enum Format {
  static func seconds(_ value: Double) -> String {
    if value.isNaN { return "n/a" }
    if value < 0.001 { return String(format: "%.1f µs", value * 1e6) }
    if value < 1 { return String(format: "%.1f ms", value * 1e3) }
    return String(format: "%.3f s", value)
  }

  /// A difference, with its sign.
  static func signedSeconds(_ value: Double) -> String {
    value.isNaN ? "n/a" : (value < 0 ? "−" : "+") + seconds(abs(value))
  }

  /// 1234567 → "1,234,567"; rates above 100 lose their fraction.
  static func count(_ value: Double) -> String {
    if value.isNaN || value.isInfinite { return "n/a" }
    if abs(value) < 100 { return String(format: "%.1f", value) }
    let digits = String(Int(value.rounded()))
    var out = ""
    for (index, character) in digits.reversed().enumerated() {
      if index > 0, index % 3 == 0, character != "-" { out.append(",") }
      out.append(character)
    }
    return String(out.reversed())
  }

  static func count(_ value: Int) -> String { abs(value) < 100 ? String(value) : count(Double(value)) }

  static func bytes(_ value: Int) -> String {
    let v = Double(value)
    if value >= 1 << 20 { return String(format: "%.2f MiB", v / 1_048_576) }
    if value >= 1 << 10 { return String(format: "%.1f KiB", v / 1024) }
    return "\(value) B"
  }

  static func ratio(_ value: Double) -> String {
    value.isNaN || value.isInfinite ? "n/a" : String(format: "%.3f×", value)
  }

  static func megabytesPerSecond(bytes: Int, seconds: Double) -> String {
    String(format: "%.1f MB/s", Double(bytes) / seconds / 1e6)
  }

  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  static func padLeft(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }
}

/// Prints a line at once, even when stdout is a pipe.
func say(_ text: String = "") {
  print(text)
  fflush(nil)
}

/// Prints a section header.
func header(_ title: String) {
  say("")
  say(title)
  say(String(repeating: "=", count: title.count))
}
