import DjangoRunner

/// A test's queries grouped by statement, the way django-debug-toolbar counts them: the
/// same SQL with the same parameters is a duplicate, the same SQL alone is similar, and a
/// read repeated with changing parameters from one line of code is the N+1 pattern.
///
/// One pass with dictionaries keyed by the whitespace-collapsed SQL and by a canonical
/// text of the parameters, so tens of thousands of queries cost next to nothing.
public struct QueryAnalysis: Sendable, Equatable {
  /// Every execution of one statement.
  public struct Group: Sendable, Equatable {
    /// The statement as its first execution sent it.
    public var sql: String
    /// Positions of the executions in the analysed list, in order.
    public var indices: [Int]
    /// Executions whose SQL and parameters both equal an earlier one's.
    public var duplicates: Int
    /// Whether the group looks like a loop issuing one read per object: at least three
    /// reads with at least two parameter sets from one place in the code.
    public var isNPlusOne: Bool
    /// Where the first execution came from.
    public var origin: SourceLocation?
    /// Seconds the database spent on all the executions.
    public var totalDuration: Double

    /// How many times the statement ran.
    public var count: Int { indices.count }
    /// Whether the statement ran more than once.
    public var isSimilar: Bool { count > 1 }
  }

  /// The groups in the order of their first execution.
  public let groups: [Group]
  /// The index in `groups` of each analysed query, so a list row can say `×12`.
  public let groupOfQuery: [Int]
  /// Seconds the database spent on all the queries.
  public let totalDuration: Double

  /// How many queries were analysed.
  public var queryCount: Int { groupOfQuery.count }
  /// Executions that repeat an earlier statement, whatever their parameters.
  public var similarCount: Int { groups.reduce(0) { $0 + $1.count - 1 } }
  /// Executions that repeat an earlier statement with the same parameters.
  public var duplicateCount: Int { groups.reduce(0) { $0 + $1.duplicates } }
  /// The groups flagged as N+1 reads, in order.
  public var nPlusOneGroups: [Group] { groups.filter(\.isNPlusOne) }

  /// Groups `queries`, comparing SQL with runs of whitespace collapsed.
  public init(_ queries: [SQLQuery]) {
    /// What is tracked per group besides the public fields.
    struct Seen {
      var isRead: Bool
      var parameterSets: Set<String> = []
      /// Per calling line: executions and their distinct parameter sets.
      var byOrigin: [String: (count: Int, parameterSets: Set<String>)] = [:]
    }
    var groups: [Group] = []
    var seen: [Seen] = []
    var groupIndex: [String: Int] = [:]
    var groupOfQuery: [Int] = []
    groupOfQuery.reserveCapacity(queries.count)
    var total = 0.0
    for (position, query) in queries.enumerated() {
      let key = SQLFormatter.oneLine(query.sql)
      let index: Int
      if let existing = groupIndex[key] {
        index = existing
        groups[index].indices.append(position)
        groups[index].totalDuration += query.duration
      } else {
        index = groups.count
        groupIndex[key] = index
        groups.append(
          Group(
            sql: query.sql, indices: [position], duplicates: 0, isNPlusOne: false, origin: query.origin,
            totalDuration: query.duration))
        seen.append(Seen(isRead: Self.isRead(key)))
      }
      groupOfQuery.append(index)
      total += query.duration
      let parameters = Self.canonical(query.params)
      if !seen[index].parameterSets.insert(parameters).inserted { groups[index].duplicates += 1 }
      guard seen[index].isRead, !groups[index].isNPlusOne else { continue }
      let origin = query.origin.map { "\($0.file):\($0.line)" } ?? ""
      var place = seen[index].byOrigin[origin] ?? (0, [])
      place.count += 1
      place.parameterSets.insert(parameters)
      // Only the first two parameter sets matter; stop collecting past them.
      if place.count >= 3, place.parameterSets.count >= 2 {
        groups[index].isNPlusOne = true
        seen[index].byOrigin = [:]
      } else {
        seen[index].byOrigin[origin] = place
      }
    }
    self.groups = groups
    self.groupOfQuery = groupOfQuery
    self.totalDuration = total
  }

  /// Whether a (whitespace-collapsed) statement only reads.
  static func isRead(_ sql: String) -> Bool {
    let head = sql.drop { $0 == "(" || $0 == " " }.prefix(6)
    return head.uppercased() == "SELECT"
  }

  /// The parameters as text that differs exactly when the values differ (`JSONValue`'s
  /// description quotes strings without escaping them, so `['a', 'b']` could be one).
  static func canonical(_ value: JSONValue?) -> String {
    guard let value else { return "" }
    var text = ""
    func write(_ value: JSONValue) {
      switch value {
      case .null: text += "n"
      case .bool(let flag): text += flag ? "t" : "f"
      case .number(let number): text += "#" + String(number.bitPattern, radix: 16) + ";"
      case .string(let string): text += "s\(string.utf8.count):\(string)"
      case .array(let values):
        text += "["
        for value in values { write(value) }
        text += "]"
      case .object(let members):
        text += "{"
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
          text += "k\(key.utf8.count):\(key)"
          write(member)
        }
        text += "}"
      }
    }
    write(value)
    return text
  }
}
