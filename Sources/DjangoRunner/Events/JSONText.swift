import Foundation

/// JSON objects as the text djdash sends on a line (the hook's commands, the warm
/// service's protocol, `DJDASH_OPTIONS`): compact, keys sorted, so the same object is
/// always the same text.
enum JSONText {
  /// `object` as one line of JSON; `{}` if it cannot be encoded.
  static func of(_ object: [String: JSONValue]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return (try? encoder.encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}
