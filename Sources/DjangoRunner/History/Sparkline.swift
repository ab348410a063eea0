/// A row of bar glyphs for a series of numbers, scaled from zero to its maximum: the
/// "small trend" of a test's durations in the slowest-tests view.
public struct Sparkline: Sendable, Equatable {
  /// The glyphs from lowest to highest.
  public var levels: [Character]

  public static let unicode = Sparkline(levels: Array("▁▂▃▄▅▆▇█"))
  /// For terminals that cannot show Unicode.
  public static let ascii = Sparkline(levels: Array("_.-=+*#"))

  public init(levels: [Character]) {
    self.levels = levels
  }

  /// One glyph per value; zeros (and an all-zero series) take the lowest level.
  public func render(_ values: [Double]) -> String {
    guard let top = values.max(), top > 0, !levels.isEmpty else {
      return String(repeating: levels.first ?? " ", count: values.count)
    }
    let steps = Double(levels.count - 1)
    return String(values.map { levels[Int((max(0, $0) / top * steps).rounded())] })
  }
}
