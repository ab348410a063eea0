import DjangoRunner

/// The slowest-tests view: an overlay over the list with each test's latest duration,
/// its durations over recent runs as a sparkline, and which way they go.
enum SlowestView {
  static func draw(_ state: DashboardState, into buffer: inout CellBuffer) {
    let glyphs = state.glyphs
    let tests = state.history.slowest
    let width = min(buffer.width - 2, 100)
    let height = min(buffer.height - 2, tests.count + 4)
    let x = (buffer.width - width) / 2
    let y = max(1, (buffer.height - height) / 2)
    let box = Rect(x: x, y: y, width: width, height: height)
    buffer.fill(box, role: .text)
    let rule = String(repeating: glyphs.rule, count: max(0, width))
    buffer.write(rule, x: x, y: y, role: .border)
    buffer.write(rule, x: x, y: box.maxY - 1, role: .border)
    buffer.write(" slowest tests, over recent runs ", x: x + 2, y: y, role: .accent, bold: true)
    buffer.write(" any key closes ", x: x + max(2, width - 18), y: box.maxY - 1, role: .muted)
    let sparkWidth = tests.map(\.durations.count).max() ?? 0
    for (offset, test) in tests.prefix(max(0, height - 4)).enumerated() {
      let row = y + 2 + offset
      let duration = formatDuration(test.latest)
      var column = buffer.write(
        String(repeating: " ", count: max(0, 8 - TextWidth.of(duration))) + duration, x: x + 2, y: row, role: .text,
        bold: true)
      let spark = glyphs.sparkline.render(test.durations)
      column = buffer.write("  " + spark, x: column, y: row, role: .accent)
      column += sparkWidth - test.durations.count
      let trendRole: Role = test.trend == .slower ? .warning : test.trend == .faster ? .success : .muted
      column = buffer.write(" " + glyphs.trend(test.trend) + "  ", x: column, y: row, role: trendRole, bold: true)
      let path = TestPath(id: test.id, kind: .test)
      let name = (path.className.isEmpty ? "" : path.className + ".") + path.name
      let room = box.maxX - 1 - column
      column = buffer.write(
        name.truncated(to: room, ellipsis: glyphs.ellipsis), x: column, y: row, role: .text, limit: box.maxX - 1)
      if box.maxX - 1 - column > 4 {
        buffer.write(
          "  " + path.module, x: column, y: row, role: .muted, limit: box.maxX - 1)
      }
    }
  }
}
