import DjangoRunner
import XCTest

@testable import Dashboard

final class HTMLTextTests: XCTestCase {
  func testOrderConfirmationMail() {
    let html = """
      <!DOCTYPE html>
      <html>
      <head><meta charset="utf-8"><title>Your order</title>
      <style type="text/css">body { font-family: sans-serif } td > p { margin: 0 }</style></head>
      <body>
        <!--[if mso]><table><tr><td>Outlook only</td></tr></table><![endif]-->
        <h1>Thanks for your order, Ana!</h1>
        <p>Hello   Ana,<br>
           your order <strong>#1042</strong> is on its way.</p>
        <table>
          <tr><th>Item</th><th>Price</th></tr>
          <tr><td>Widget &times; 2</td><td>&euro;9.90</td></tr>
        </table>
        <p>Track it <a href="https://shop.example.com/orders/1042?ref=mail&amp;x=1">here</a>.</p>
        <script>track("<p>open</p>")</script>
      </body>
      </html>
      """
    XCTAssertEqual(
      HTMLText.readable(html),
      """
      Thanks for your order, Ana!
      ===========================

      Hello Ana,
      your order #1042 is on its way.

      Item  Price
      Widget × 2  €9.90

      Track it here (https://shop.example.com/orders/1042?ref=mail&x=1).
      """)
  }

  func testLists() {
    XCTAssertEqual(
      HTMLText.readable(
        "<p>Steps:</p><ol><li>Sign in</li><li>Pay<ul><li>card</li><li>invoice</li></ul></li></ol><p>Done</p>"),
      "Steps:\n\n1. Sign in\n2. Pay\n  • card\n  • invoice\n\nDone")
  }

  func testLinksShowTheirAddressOnlyWhenTheTextDoesNot() {
    XCTAssertEqual(HTMLText.readable(#"<a href="https://example.com/">example.com</a>"#), "example.com")
    XCTAssertEqual(HTMLText.readable(#"<a href="mailto:help@example.com">help@example.com</a>"#), "help@example.com")
    XCTAssertEqual(HTMLText.readable(#"<a href='/reset/abc/'>Reset</a> now"#), "Reset (/reset/abc/) now")
    XCTAssertEqual(HTMLText.readable(##"<a href="#top">Top</a>"##), "Top")
    XCTAssertEqual(
      HTMLText.readable(#"<a href="https://x.test/u"><img src="logo.png" alt=""></a>"#), "https://x.test/u")
    XCTAssertEqual(HTMLText.readable(#"<A HREF="https://x.test">Shop &amp; more</A>"#), "Shop & more (https://x.test)")
  }

  func testEntities() {
    XCTAssertEqual(
      HTMLText.readable("&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; a&nbsp;b &#8212; &#x263A; &bogus; &amp &#0; &#xZZ;"),
      "<b> & \"q\" 's' a b — ☺ &bogus; &amp \u{FFFD} &#xZZ;")
  }

  func testWhitespaceAndBlankLines() {
    XCTAssertEqual(HTMLText.readable("  <div>  one\n\n   two  </div>\n\n<div>three</div>  "), "one two\nthree")
    XCTAssertEqual(HTMLText.readable("a<br><br><br><br>b<p></p><p></p><p>c</p>"), "a\n\nb\n\nc")
    XCTAssertEqual(HTMLText.readable("<h2>Hi</h2><hr><p>x</p>"), "Hi\n--\n\n--------------------\n\nx")
  }

  func testDropsInvisibleParts() {
    XCTAssertEqual(HTMLText.readable("<head><title>T</title></head><body>shown</body>"), "shown")
    XCTAssertEqual(HTMLText.readable("<head><meta name=x><BODY>shown"), "shown")
    XCTAssertEqual(HTMLText.readable("a<!-- hidden -->b<STYLE>p{}</Style>c<script>if (a<b) x()</script>d"), "abcd")
  }

  func testMalformedMarkupDoesNotCrash() {
    let inputs = [
      "", "<", "<<>>", "<a", "<a href=\"x", "<p>open <b>bold", "&", "&#", "&#x;", "<!--", "<!-- x", "<style>",
      "<script>never closed", "</p></div></li></ol></a>", "<li>orphan", "<td>a<td>b", "<a href=x>y", "<img alt=\"é",
      "\u{0}<p>\u{7}</p>", "<h1>", "</h1>", "<a href=\"one\" title='it\"s'>t</a>", "5 < 6 > 4",
    ]
    for input in inputs { _ = HTMLText.readable(input) }
    XCTAssertEqual(HTMLText.readable("5 < 6 > 4"), "5 < 6 > 4")
    XCTAssertEqual(HTMLText.readable("<p>open <b>bold"), "open bold")
    XCTAssertEqual(HTMLText.readable("<a href=\"x"), "<a href=\"x")
  }

  func testHostileInputsStayLinear() {
    let start = Date()
    for hostile in ["<a", "<a href=\"x>", "&amp", "<!-", "<style>", "<ul><li>", "<p><a href=\"x\">y</a></p>", "<h1>x"] {
      _ = HTMLText.readable(String(repeating: hostile, count: 100_000 / hostile.count))
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 5)
  }
}
