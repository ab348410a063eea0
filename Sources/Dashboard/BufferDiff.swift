/// What a terminal must paint to turn one frame into the next: per row, the stretches of
/// cells that changed. A pure function of the two buffers, so every backend paints the
/// same differences and the rule for wide characters is tested without a terminal.
///
/// - A frame with no earlier one of its size (the first, or after a resize or the editor)
///   is a full repaint: every row, every column, on a cleared screen.
/// - Changed cells a few columns apart share one run: moving the cursor costs about as
///   much as painting a few cells.
/// - A wide character is painted whole: a run that starts on the second half of one
///   (in either frame: the terminal blanks a wide character half overwritten) starts at
///   its first half, and a run that ends on a first half takes its second half too.
public struct BufferDiff: Equatable, Sendable {
  /// Columns `columns` of row `row`, to be painted from the new buffer.
  public struct Run: Equatable, Sendable {
    public var row: Int
    public var columns: Range<Int>

    public init(row: Int, columns: Range<Int>) {
      self.row = row
      self.columns = columns
    }
  }

  /// No earlier frame of this size: clear the screen, then paint every run.
  public let isFullRepaint: Bool
  /// What to paint, top to bottom and left to right; runs never overlap.
  public let runs: [Run]

  /// Unchanged cells between two changes that still join them into one run.
  public static let joinedGap = 4

  /// The differences from `old` (nil: nothing on screen yet) to `new`.
  ///
  /// - Parameters:
  ///   - old: the frame last painted, or nil.
  ///   - new: the frame to paint.
  ///   - joinedGap: at most this many unchanged cells between two changed ones make them
  ///     one run.
  public init(from old: CellBuffer?, to new: CellBuffer, joinedGap: Int = BufferDiff.joinedGap) {
    guard let old, old.width == new.width, old.height == new.height else {
      isFullRepaint = true
      runs = new.width == 0 ? [] : (0..<new.height).map { Run(row: $0, columns: 0..<new.width) }
      return
    }
    isFullRepaint = false
    var runs: [Run] = []
    for y in 0..<new.height {
      var stretch: Range<Int>?
      for x in 0..<new.width where old[x, y] != new[x, y] {
        if let current = stretch, x - current.upperBound <= joinedGap {
          stretch = current.lowerBound..<(x + 1)
          continue
        }
        if let current = stretch { Self.append(current, row: y, old: old, new: new, to: &runs) }
        stretch = x..<(x + 1)
      }
      if let stretch { Self.append(stretch, row: y, old: old, new: new, to: &runs) }
    }
    self.runs = runs
  }

  /// Whether nothing needs painting.
  public var isEmpty: Bool { runs.isEmpty }

  /// How many cells the runs paint.
  public var cellCount: Int { runs.reduce(0) { $0 + $1.columns.count } }

  /// Widens `stretch` to whole wide characters and appends it, merged with the run
  /// before it when they now touch.
  private static func append(
    _ stretch: Range<Int>, row y: Int, old: CellBuffer, new: CellBuffer, to runs: inout [Run]
  ) {
    var first = stretch.lowerBound
    var end = stretch.upperBound
    while first > 0 && (new[first, y].isSecondHalf || old[first, y].isSecondHalf) { first -= 1 }
    while end < new.width && new[end, y].isSecondHalf { end += 1 }
    if let last = runs.last, last.row == y, last.columns.upperBound >= first {
      runs[runs.count - 1].columns = last.columns.lowerBound..<max(end, last.columns.upperBound)
    } else {
      runs.append(Run(row: y, columns: first..<end))
    }
  }
}

extension Cell {
  /// The second column of a wide character: painted by the first.
  public var isSecondHalf: Bool { text.isEmpty }
}

extension CellBuffer {
  /// This screen after painting `diff`'s runs of `new` on it, as a terminal does: a full
  /// repaint clears it first, and cells beyond its size are cut off.
  public func painting(_ diff: BufferDiff, from new: CellBuffer) -> CellBuffer {
    var screen = diff.isFullRepaint ? CellBuffer(width: width, height: height) : self
    let visible = 0..<min(width, new.width)
    for run in diff.runs where run.row < height {
      for x in run.columns.clamped(to: visible) { screen[x, run.row] = new[x, run.row] }
    }
    return screen
  }
}
