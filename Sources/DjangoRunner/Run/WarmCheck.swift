/// The correctness guard of warm runs: the same labels warm and cold must give the same
/// verdicts. What differs is said per test.
public enum WarmCheck {
  /// Each test whose verdict differs between the two runs (or that only one of them
  /// ran), e.g. "shop.tests.T.test_x: pass warm, fail cold"; empty when they agree.
  public static func differences(warm: [TestReport], cold: [TestReport]) -> [String] {
    let warmVerdicts = Dictionary(warm.map { ($0.id, $0.outcome) }, uniquingKeysWith: { $1 })
    let coldVerdicts = Dictionary(cold.map { ($0.id, $0.outcome) }, uniquingKeysWith: { $1 })
    return Set(warmVerdicts.keys).union(coldVerdicts.keys).sorted().compactMap { id in
      let hot = warmVerdicts[id]
      let plain = coldVerdicts[id]
      guard hot != plain else { return nil }
      return "\(id): \(hot.map(\.rawValue) ?? "not run") warm, \(plain.map(\.rawValue) ?? "not run") cold"
    }
  }
}
