import DjangoRunner

extension DashboardState {
  /// Rebuilds the list's rows if tests, the filter or the order changed, and keeps the
  /// selection valid and in view. Cheap when nothing changed; called before every frame
  /// and every move, so many events in a row cost one rebuild.
  public mutating func layoutIfNeeded() {
    if rowsAreStale {
      rebuildRows()
      rowsAreStale = false
    }
    if selectedID.flatMap({ rowIndex(of: $0) }) == nil {
      selectedID = firstTestRow().map { testID(at: $0) }
    }
    scrollToSelection()
  }

  /// The row showing test `id`, if it is shown.
  public func rowIndex(of id: String) -> Int? {
    guard let position = index[id], position < rowOfPosition.count, rowOfPosition[position] >= 0 else { return nil }
    return rowOfPosition[position]
  }

  func testID(at row: Int) -> String {
    if case .test(let position) = rows[row] { return tests[position].id }
    return ""
  }

  func firstTestRow(from start: Int = 0, step: Int = 1) -> Int? {
    var row = start
    while row >= 0 && row < rows.count {
      if case .test = rows[row] { return row }
      row += step
    }
    return nil
  }

  mutating func scrollToSelection() {
    let height = max(1, layout.body.height)
    guard let selectedID, var row = rowIndex(of: selectedID) else {
      listScroll = 0
      return
    }
    // Show the group rows just above the first test too.
    if row == firstTestRow() { row = 0 }
    if row < listScroll { listScroll = row }
    if row >= listScroll + height { listScroll = row - height + 1 }
    listScroll = max(0, min(listScroll, max(0, rows.count - height)))
  }

  /// Substring search on UTF-8 bytes: ids are compared as typed, and this is what keeps a
  /// keystroke cheap over tens of thousands of tests.
  static func contains(_ text: String, _ needle: String) -> Bool {
    var text = text
    var needle = needle
    return text.withUTF8 { haystack in
      needle.withUTF8 { wanted in
        guard let first = wanted.first else { return true }
        guard haystack.count >= wanted.count else { return false }
        var start = 0
        while start <= haystack.count - wanted.count {
          if haystack[start] == first {
            var matched = 1
            while matched < wanted.count && haystack[start + matched] == wanted[matched] { matched += 1 }
            if matched == wanted.count { return true }
          }
          start += 1
        }
        return false
      }
    }
  }

  /// Groups tests app → module → class in order of first appearance (failing tests
  /// first when asked), keeping only those whose id contains the filter. Linear in the
  /// number of tests: groups are numbered, tests are kept sorted by order.
  mutating func rebuildRows() {
    let needle = filter.lowercased()
    var positions = needle.isEmpty ? byOrder : byOrder.filter { Self.contains(tests[$0].searchKey, needle) }
    if order == .failuresFirst {
      positions = positions.filter { tests[$0].hasFailed } + positions.filter { !tests[$0].hasFailed }
    }
    var testsOfClass = [[Int]](repeating: [], count: groups.classes.count)
    var classesOfModule = [[Int]](repeating: [], count: groups.modules.count)
    var modulesOfApp = [[Int]](repeating: [], count: groups.apps.count)
    var appsInOrder: [Int] = []
    for position in positions {
      let group = tests[position].group
      if testsOfClass[group].isEmpty {
        let module = groups.classes[group].module
        if classesOfModule[module].isEmpty {
          let app = groups.modules[module].app
          if modulesOfApp[app].isEmpty { appsInOrder.append(app) }
          modulesOfApp[app].append(module)
        }
        classesOfModule[module].append(group)
      }
      testsOfClass[group].append(position)
    }
    var rows: [Row] = []
    rows.reserveCapacity(positions.count + groups.classes.count + groups.modules.count + groups.apps.count)
    var rowOfPosition = [Int](repeating: -1, count: tests.count)
    func open(_ level: Int, _ title: String) -> Int {
      rows.append(.group(level: level, title: title, end: 0))
      return rows.count - 1
    }
    func close(_ row: Int) {
      if case .group(let level, let title, _) = rows[row] {
        rows[row] = .group(level: level, title: title, end: rows.count)
      }
    }
    for app in appsInOrder {
      let appRow = open(0, groups.apps[app])
      for module in modulesOfApp[app] {
        let moduleRow = open(1, groups.modules[module].title)
        for group in classesOfModule[module] {
          let title = groups.classes[group].title
          let classRow = title.isEmpty ? nil : open(2, title)
          for position in testsOfClass[group] {
            rowOfPosition[position] = rows.count
            rows.append(.test(position))
          }
          if let classRow { close(classRow) }
        }
        close(moduleRow)
      }
      close(appRow)
    }
    self.rows = rows
    self.rowOfPosition = rowOfPosition
  }
}
