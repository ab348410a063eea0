import DjangoRunner
import XCTest

@testable import Dashboard

final class SQLFormatterTests: XCTestCase {
  let productList = #"""
    SELECT "catalog_product"."id", "catalog_product"."name", "catalog_product"."category_id" FROM "catalog_product" INNER JOIN "catalog_category" ON ("catalog_product"."category_id" = "catalog_category"."id") WHERE ("catalog_product"."active" AND "catalog_product"."price" > %s) ORDER BY "catalog_product"."name" ASC LIMIT 21
    """#

  func testDjangoSelectPutsClausesOnTheirOwnLines() {
    XCTAssertEqual(
      SQLFormatter.format(productList).map(\.plainText),
      [
        #"SELECT "catalog_product"."id","#,
        #"  "catalog_product"."name","#,
        #"  "catalog_product"."category_id""#,
        #"FROM "catalog_product""#,
        #"INNER JOIN "catalog_category" ON ("catalog_product"."category_id" = "catalog_category"."id")"#,
        #"WHERE ("catalog_product"."active""#,
        #"  AND "catalog_product"."price" > %s)"#,
        #"ORDER BY "catalog_product"."name" ASC"#,
        "LIMIT 21",
      ])
  }

  func testTokensHaveTheirRoles() {
    let lines = SQLFormatter.format(
      #"SELECT "shop_item"."sku" FROM "shop_item" WHERE "shop_item"."note" = 'it''s' AND "shop_item"."qty" > 3.5 LIMIT %s"#
    )
    XCTAssertEqual(role(of: "SELECT", in: lines), .sqlKeyword)
    XCTAssertEqual(role(of: "WHERE", in: lines), .sqlKeyword)
    XCTAssertEqual(role(of: "AND", in: lines), .sqlKeyword)
    XCTAssertEqual(role(of: #""shop_item""#, in: lines), .text)
    XCTAssertEqual(role(of: ".", in: lines), .muted)
    XCTAssertEqual(role(of: "=", in: lines), .muted)
    XCTAssertEqual(role(of: "'it''s'", in: lines), .sqlString)
    XCTAssertEqual(role(of: "3.5", in: lines), .sqlNumber)
    XCTAssertEqual(role(of: "%s", in: lines), .sqlNumber)
    // Clause keywords are bold; the space after a token stays in its span.
    XCTAssertEqual(lines[0].spans.first, Span("SELECT ", .sqlKeyword, bold: true))
  }

  func testShortSelectListStaysOnOneLine() {
    let lines = SQLFormatter.format(
      #"SELECT "auth_user"."id", "auth_user"."username" FROM "auth_user" WHERE "auth_user"."id" = %s LIMIT 21"#)
    XCTAssertEqual(
      lines.map(\.plainText),
      [
        #"SELECT "auth_user"."id", "auth_user"."username""#, #"FROM "auth_user""#, #"WHERE "auth_user"."id" = %s"#,
        "LIMIT 21",
      ])
  }

  func testOrBreaksButBetweenAndCaseDoNot() {
    let sql = #"""
      SELECT "e"."id" FROM "events_event" "e" WHERE ("e"."start" BETWEEN %s AND %s OR (CASE WHEN "e"."a" AND "e"."b" THEN 1 ELSE 0 END) = %s) AND NOT "e"."hidden"
      """#
    XCTAssertEqual(
      SQLFormatter.format(sql).map(\.plainText),
      [
        #"SELECT "e"."id""#,
        #"FROM "events_event" "e""#,
        #"WHERE ("e"."start" BETWEEN %s AND %s"#,
        #"  OR (CASE WHEN "e"."a" AND "e"."b" THEN 1 ELSE 0 END) = %s)"#,
        #"  AND NOT "e"."hidden""#,
      ])
  }

  func testSubSelectIsLaidOutIndented() {
    let sql = #"""
      SELECT "blog_post"."id", "blog_post"."title" FROM "blog_post" WHERE "blog_post"."author_id" IN (SELECT U0."id" FROM "auth_user" U0 WHERE U0."is_active") ORDER BY "blog_post"."id" DESC
      """#
    XCTAssertEqual(
      SQLFormatter.format(sql).map(\.plainText),
      [
        #"SELECT "blog_post"."id", "blog_post"."title""#,
        #"FROM "blog_post""#,
        #"WHERE "blog_post"."author_id" IN (SELECT U0."id""#,
        #"    FROM "auth_user" U0"#,
        #"    WHERE U0."is_active")"#,
        #"ORDER BY "blog_post"."id" DESC"#,
      ])
  }

  func testFunctionsAndWindowsFlowOn() {
    let lines = SQLFormatter.format(
      #"SELECT EXTRACT(YEAR FROM "o"."created"), ROW_NUMBER() OVER (PARTITION BY "o"."shop_id" ORDER BY "o"."id") FROM "o""#
    )
    XCTAssertEqual(
      lines.map(\.plainText),
      [
        #"SELECT EXTRACT(YEAR FROM "o"."created"),"#,
        #"  ROW_NUMBER() OVER (PARTITION BY "o"."shop_id" ORDER BY "o"."id")"#,
        #"FROM "o""#,
      ])
  }

  func testWrites() {
    XCTAssertEqual(
      SQLFormatter.format(
        #"INSERT INTO "shop_order" ("customer_id", "total") VALUES (%s, %s) RETURNING "shop_order"."id""#
      )
      .map(\.plainText),
      [#"INSERT INTO "shop_order" ("customer_id", "total")"#, "VALUES (%s, %s)", #"RETURNING "shop_order"."id""#])
    XCTAssertEqual(
      SQLFormatter.format(#"UPDATE "shop_order" SET "total" = %s WHERE "shop_order"."id" = %s"#).map(\.plainText),
      [#"UPDATE "shop_order""#, #"SET "total" = %s"#, #"WHERE "shop_order"."id" = %s"#])
    XCTAssertEqual(
      SQLFormatter.format(#"DELETE FROM "shop_cart" WHERE "shop_cart"."id" IN (?, ?)"#).map(\.plainText),
      [#"DELETE FROM "shop_cart""#, #"WHERE "shop_cart"."id" IN (?, ?)"#])
    XCTAssertEqual(
      SQLFormatter.format(#"SELECT "a"."id" FROM "a" WHERE "a"."id" = %s FOR UPDATE"#).last?.plainText, "FOR UPDATE")
  }

  func testLongValuesListBreaksBetweenRows() {
    let rows = Array(repeating: "(%s, %s, %s)", count: 6).joined(separator: ", ")
    let lines = SQLFormatter.format(#"INSERT INTO "t" ("a", "b", "c") VALUES "# + rows)
    XCTAssertEqual(lines.count, 7)
    XCTAssertEqual(lines[1].plainText, "VALUES (%s, %s, %s),")
    XCTAssertEqual(lines[6].plainText, "  (%s, %s, %s)")
  }

  func testKeepsCaseCommentsAndStatements() {
    let lines = SQLFormatter.format("select id -- the key\r\nfrom t /* all */; savepoint \"s1\"")
    XCTAssertEqual(lines.map(\.plainText), ["select id -- the key", "from t /* all */;", "savepoint \"s1\""])
    XCTAssertEqual(role(of: "-- the key", in: lines), .muted)
    XCTAssertEqual(role(of: "select", in: lines), .sqlKeyword)
  }

  func testStringWithLineBreaksKeepsThem() {
    let lines = SQLFormatter.format("SELECT 'two\nlines' AS \"x\"")
    XCTAssertEqual(lines.map(\.plainText), ["SELECT 'two", "lines' AS \"x\""])
    XCTAssertEqual(role(of: "lines'", in: lines), .sqlString)
  }

  func testOnlyWhitespaceChanges() {
    let inputs = [
      productList,
      "SELECT 'unterminated , \"x\" FROM",
      "((((SELECT ))) WHERE AND OR , ; ; ) (",
      "select\t*\nfrom   \"t\"\r\nwhere \"a\" = 'x''y' and b = $1 or c = %(name)s -- tail",
      "/* open comment SELECT FROM",
      "SELECT 1e-5, 0x1F, .5, ??, %, %(, \"é\".\"日本\" FROM \"ü\"",
      "",
      "   \n  ",
    ]
    for input in inputs {
      let output = SQLFormatter.format(input).map(\.plainText).joined(separator: "\n")
      XCTAssertEqual(nonSpace(output), nonSpace(input), input)
    }
  }

  func testBlankInputHasNoLines() {
    XCTAssertEqual(SQLFormatter.format(""), [])
    XCTAssertEqual(SQLFormatter.format(" \n\t "), [])
  }

  func testLargeAndHostileInputsStayFast() {
    let big = String(repeating: productList + " UNION ALL ", count: 256 * 1024 / productList.utf8.count)
    var start = Date()
    let lines = SQLFormatter.format(big)
    // About 50 ms on a debug build; the bound leaves room for a busy machine.
    XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
    XCTAssertGreaterThan(lines.count, 1000)
    start = Date()
    for hostile in ["(", "'", "\"", "(SELECT ", "-", "/*", "%(", "CASE "] {
      _ = SQLFormatter.format(String(repeating: hostile, count: 100_000 / hostile.count))
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 3)
  }

  func testOneLineCollapsesWhitespace() {
    XCTAssertEqual(SQLFormatter.oneLine("  SELECT \"a\"\n\tFROM   \"t\"  \r\n"), "SELECT \"a\" FROM \"t\"")
    XCTAssertEqual(SQLFormatter.oneLine(""), "")
  }

  // MARK: - Helpers

  private func nonSpace(_ text: String) -> String {
    String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
  }

  /// The role of every character of the first occurrence of `token`, when they agree.
  private func role(of token: String, in lines: [StyledLine]) -> Role? {
    for line in lines {
      let roles = line.spans.flatMap { span in span.text.map { _ in span.role } }
      let text = line.plainText
      guard let range = text.range(of: token) else { continue }
      let start = text.distance(from: text.startIndex, to: range.lowerBound)
      let found = Set(roles[start..<(start + token.count)])
      return found.count == 1 ? found.first : nil
    }
    return nil
  }
}
