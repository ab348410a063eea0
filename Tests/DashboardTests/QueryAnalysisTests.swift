import DjangoRunner
import XCTest

@testable import Dashboard

final class QueryAnalysisTests: XCTestCase {
  let categoryByID =
    #"SELECT "catalog_category"."id", "catalog_category"."name" FROM "catalog_category" WHERE "catalog_category"."id" = %s LIMIT 21"#
  let productList = #"SELECT "catalog_product"."id", "catalog_product"."category_id" FROM "catalog_product""#

  func testRepeatsAreSimilarAndSameParametersAreDuplicates() {
    let analysis = QueryAnalysis([
      query(productList, duration: 0.002),
      query(categoryByID, [.number(1)], duration: 0.001),
      query(categoryByID, [.number(2)], duration: 0.001),
      query(categoryByID, [.number(1)], duration: 0.001),
      query(#"UPDATE "catalog_product" SET "stock" = %s"#, [.number(0)]),
    ])
    XCTAssertEqual(
      analysis.groups.map(\.sql), [productList, categoryByID, #"UPDATE "catalog_product" SET "stock" = %s"#])
    XCTAssertEqual(analysis.groups.map(\.indices), [[0], [1, 2, 3], [4]])
    XCTAssertEqual(analysis.groups.map(\.duplicates), [0, 1, 0])
    XCTAssertEqual(analysis.groups.map(\.isSimilar), [false, true, false])
    XCTAssertEqual(analysis.groupOfQuery, [0, 1, 1, 1, 2])
    XCTAssertEqual(analysis.queryCount, 5)
    XCTAssertEqual(analysis.similarCount, 2)
    XCTAssertEqual(analysis.duplicateCount, 1)
    XCTAssertEqual(analysis.groups[1].totalDuration, 0.003, accuracy: 1e-9)
    XCTAssertEqual(analysis.totalDuration, 0.005, accuracy: 1e-9)
  }

  func testWhitespaceDoesNotSplitAGroup() {
    let analysis = QueryAnalysis([query("SELECT  \"a\"\nFROM \"t\""), query("SELECT \"a\" FROM \"t\" ")])
    XCTAssertEqual(analysis.groups.count, 1)
    XCTAssertEqual(analysis.groups[0].sql, "SELECT  \"a\"\nFROM \"t\"")
    XCTAssertEqual(analysis.duplicateCount, 1)
  }

  func testParametersAreComparedByValue() {
    let analysis = QueryAnalysis([
      query(categoryByID, [.string("a', 'b")]),
      query(categoryByID, [.string("a"), .string("b")]),
      query(categoryByID, [.number(1)]),
      query(categoryByID, [.string("1")]),
      query(categoryByID, nil),
      query(categoryByID, .null),
      query(categoryByID, .object(["b": .bool(true), "a": .null])),
      query(categoryByID, .object(["a": .null, "b": .bool(true)])),
    ])
    XCTAssertEqual(analysis.groups.map(\.duplicates), [1])
  }

  func testLoopOfReadsFromOneLineIsNPlusOne() {
    let loop = (1...5).map { query(categoryByID, [.number(Double($0))], line: 31) }
    let analysis = QueryAnalysis([query(productList, line: 30)] + loop)
    XCTAssertEqual(analysis.nPlusOneGroups.map(\.indices), [[1, 2, 3, 4, 5]])
    XCTAssertEqual(analysis.nPlusOneGroups.first?.origin?.line, 31)
    XCTAssertEqual(analysis.nPlusOneGroups.first?.origin?.file, "shop/views.py")
  }

  func testNPlusOneNeedsOrigin() throws {
    // No origins known: the statement's repeats alone decide.
    let anonymous = QueryAnalysis((1...3).map { query(categoryByID, [.number(Double($0))]) })
    XCTAssertEqual(anonymous.nPlusOneGroups.count, 1)
    // The same lookup from three different places is not a loop.
    let scattered = QueryAnalysis((1...3).map { query(categoryByID, [.number(Double($0))], line: 10 * $0) })
    XCTAssertEqual(scattered.nPlusOneGroups.count, 0)
    XCTAssertEqual(scattered.similarCount, 2)
  }

  func testNotNPlusOne() {
    let twice = QueryAnalysis([query(categoryByID, [.number(1)], line: 5), query(categoryByID, [.number(2)], line: 5)])
    XCTAssertEqual(twice.nPlusOneGroups.count, 0)
    let sameRow = QueryAnalysis((1...4).map { _ in query(categoryByID, [.number(7)], line: 5) })
    XCTAssertEqual(sameRow.nPlusOneGroups.count, 0)
    XCTAssertEqual(sameRow.duplicateCount, 3)
    let writes = QueryAnalysis((1...4).map { query(#"UPDATE "t" SET "n" = %s"#, [.number(Double($0))], line: 5) })
    XCTAssertEqual(writes.nPlusOneGroups.count, 0)
  }

  func testEmpty() {
    let analysis = QueryAnalysis([])
    XCTAssertEqual(analysis.groups, [])
    XCTAssertEqual(analysis.queryCount, 0)
    XCTAssertEqual(analysis.similarCount, 0)
    XCTAssertEqual(analysis.totalDuration, 0)
  }

  func testFiftyThousandQueriesAreQuick() {
    var queries: [SQLQuery] = []
    for index in 0..<50_000 {
      let table = "app_model\(index % 500)"
      queries.append(
        query(
          #"SELECT "\#(table)"."id" FROM "\#(table)" WHERE "\#(table)"."id" = %s"#, [.number(Double(index % 7))],
          line: index % 500))
    }
    let start = Date()
    let analysis = QueryAnalysis(queries)
    // About 0.2 s on a debug build.
    XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    XCTAssertEqual(analysis.groups.count, 500)
    XCTAssertEqual(analysis.nPlusOneGroups.count, 500)
    XCTAssertEqual(analysis.similarCount, 49_500)
  }

  // MARK: - Helpers

  private func query(_ sql: String, _ params: JSONValue? = nil, line: Int? = nil, duration: Double = 0) -> SQLQuery {
    var query = SQLQuery(sql: sql, params: params, duration: duration)
    if let line {
      let json = #"{"file":"shop/views.py","line":\#(line),"function":"cart"}"#
      query.origin = try? JSONDecoder().decode(SourceLocation.self, from: Data(json.utf8))
    }
    return query
  }

  private func query(_ sql: String, _ params: [JSONValue], line: Int? = nil, duration: Double = 0) -> SQLQuery {
    query(sql, .array(params), line: line, duration: duration)
  }
}
