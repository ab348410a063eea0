/// Where each part of the screen goes at a given size. The reducer uses it to keep the
/// selection in view; the view uses it to draw. Neither computes it differently.
public struct Layout: Equatable, Sendable {
  public static let minimumWidth = 30
  public static let minimumHeight = 7
  public static let headerHeight = 2

  public let width: Int
  public let height: Int
  public let hasNotice: Bool
  /// Rows for a file that does not compile (`SyntaxFrame`), above the notice; 0 for none.
  public let codeFrameHeight: Int

  public static let codeFrameRows = 4

  public init(width: Int, height: Int, hasNotice: Bool, hasCodeFrame: Bool = false) {
    self.width = width
    self.height = height
    self.hasNotice = hasNotice
    // Only where the list keeps room for a few rows.
    codeFrameHeight = hasCodeFrame && height >= Self.minimumHeight + Self.codeFrameRows + 3 ? Self.codeFrameRows : 0
  }

  public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
  public var header: Rect { Rect(x: 0, y: 0, width: width, height: Self.headerHeight) }
  public var footer: Rect { Rect(x: 0, y: height - 1, width: width, height: 1) }
  public var notice: Rect? { hasNotice ? Rect(x: 0, y: height - 2, width: width, height: 1) : nil }
  /// Between the body and the notice (or footer).
  public var codeFrame: Rect? {
    codeFrameHeight == 0
      ? nil : Rect(x: 0, y: body.y + body.height, width: width, height: codeFrameHeight)
  }
  /// Between the header and the code frame, notice or footer.
  public var body: Rect {
    Rect(
      x: 0, y: Self.headerHeight, width: width,
      height: height - Self.headerHeight - 1 - (hasNotice ? 1 : 0) - codeFrameHeight)
  }
  public var tabs: Rect { Rect(x: 0, y: body.y, width: width, height: 1) }
  public var detail: Rect { Rect(x: 0, y: body.y + 1, width: width, height: body.height - 1) }
}

extension DashboardState {
  public var layout: Layout {
    Layout(
      width: width, height: height, hasNotice: notice != nil || watchLine != nil,
      hasCodeFrame: syntaxError != nil && screen == .list)
  }
}
