import DjangoRunner

extension Glyphs {
  var isUnicode: Bool { barFull == Glyphs.unicode.barFull }

  /// The mark of a test whose verdict flips with no change to its file.
  public var flipping: String { isUnicode ? "↯" : "~" }

  public var sparkline: Sparkline { isUnicode ? .unicode : .ascii }

  public func trend(_ trend: SlowTest.Trend) -> String {
    switch trend {
    case .slower: return isUnicode ? "↑" : "^"
    case .faster: return isUnicode ? "↓" : "v"
    case .steady: return isUnicode ? "→" : "="
    }
  }
}
