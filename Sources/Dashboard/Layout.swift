/// Where each part of the screen goes at a given size. The reducer uses it to keep the
/// selection in view; the view uses it to draw. Neither computes it differently.
public struct Layout: Equatable, Sendable {
  public static let minimumWidth = 30
  public static let minimumHeight = 7
  public static let headerHeight = 2

  public let width: Int
  public let height: Int
  public let hasNotice: Bool

  public init(width: Int, height: Int, hasNotice: Bool) {
    self.width = width
    self.height = height
    self.hasNotice = hasNotice
  }

  public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
  public var header: Rect { Rect(x: 0, y: 0, width: width, height: Self.headerHeight) }
  public var footer: Rect { Rect(x: 0, y: height - 1, width: width, height: 1) }
  public var notice: Rect? { hasNotice ? Rect(x: 0, y: height - 2, width: width, height: 1) : nil }
  /// Between the header and the notice or footer.
  public var body: Rect {
    Rect(x: 0, y: Self.headerHeight, width: width, height: height - Self.headerHeight - 1 - (hasNotice ? 1 : 0))
  }
  public var tabs: Rect { Rect(x: 0, y: body.y, width: width, height: 1) }
  public var detail: Rect { Rect(x: 0, y: body.y + 1, width: width, height: body.height - 1) }
}

extension DashboardState {
  public var layout: Layout { Layout(width: width, height: height, hasNotice: notice != nil || watchLine != nil) }
}
