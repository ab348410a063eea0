import Foundation

/// Event lines shaped like the hook's (`reporting._finish`, `capture.query_json`,
/// `capture.mail_json` in djdash_hook): keyword order as the hook passes them, "event" last.
enum SampleEvents {
  static let root = "/home/dev/shop"
  static let sitePackages = "/home/dev/shop/.venv/lib/python3.12/site-packages"

  /// `test_started`.
  static func started(_ n: Int) -> String {
    JSONLine.object([
      ("id", .string(testID(n))),
      ("pid", .int(41_000 + n % 7)),
      ("event", .string("test_started")),
    ]).text
  }

  /// A passing test with no queries, no output, no mail.
  static func small(_ n: Int) -> String {
    JSONLine.object([
      ("id", .string(testID(n))),
      ("kind", .string("test")),
      ("pid", .int(41_000 + n % 7)),
      ("outcome", .string("pass")),
      ("duration", .number(duration(n))),
      ("message", .string("")),
      ("exception", .null),
      ("traceback", .array([])),
      ("traceback_text", .string("")),
      ("problems", .array([])),
      ("stdout", .string("")),
      ("stderr", .string("")),
      ("queries", .array([])),
      ("setup_queries", .array([])),
      ("queries_dropped", .int(0)),
      ("mails", .array([])),
      ("subtests", .array([])),
      ("event", .string("test_finished")),
    ]).text
  }

  /// A failure with a 10-frame traceback, 20 queries (and 2 setup queries), one mail
  /// with an HTML alternative, and a line of output.
  static func medium(_ n: Int) -> String {
    let frames = traceback(n)
    let message = "Decimal('\(12 + n % 50).50') != Decimal('\(13 + n % 50).00')"
    let text = tracebackText(frames, exception: "AssertionError", message: message)
    let frameJSON = JSONLine.array(frames.map(\.json))
    let problem = JSONLine.object([
      ("outcome", .string("fail")),
      ("exception", .string("AssertionError")),
      ("message", .string(message)),
      ("traceback", frameJSON),
      ("traceback_text", .string(text)),
    ])
    return JSONLine.object([
      ("id", .string(testID(n))),
      ("kind", .string("test")),
      ("pid", .int(41_000 + n % 7)),
      ("outcome", .string("fail")),
      ("duration", .number(String(format: "%.6f", 0.041 + Double(n % 97) * 0.000_731))),
      ("message", .string(message)),
      ("exception", .string("AssertionError")),
      ("traceback", frameJSON),
      ("traceback_text", .string(text)),
      ("problems", .array([problem])),
      ("stdout", .string("computing the total of order \(1000 + n)\nshipping: express (2 parcels)\n")),
      ("stderr", .string("")),
      ("queries", .array((0..<20).map { query($0, n) })),
      (
        "setup_queries",
        .array([
          .object([
            ("sql", .string("SAVEPOINT \"s140238_x\(n % 9 + 1)\"")), ("alias", .string("default")),
            ("duration", .number("1.2e-05")), ("thread", .string("MainThread")), ("params", .null),
          ]),
          query(3, n + 1),
        ])
      ),
      ("queries_dropped", .int(0)),
      ("mails", .array([mail(n)])),
      ("subtests", .array([])),
      ("event", .string("test_finished")),
    ]).text
  }

  // MARK: parts

  static func testID(_ n: Int) -> String {
    let apps = ["catalog", "orders", "accounts", "notifications", "billing"]
    let app = apps[n % apps.count]
    return "\(app).tests.test_\(app)_views.\(app.capitalized)ViewTests.test_case_\(n % 10_000)"
  }

  static func duration(_ n: Int) -> String {
    let value = 0.000_153 + Double(n % 311) * 0.000_017
    return String(format: "%.6f", value)
  }

  struct Frame {
    var file: String
    var line: Int
    var function: String
    var source: String

    var json: JSONLine {
      .object([
        ("file", .string(file)), ("line", .int(line)), ("function", .string(function)), ("source", .string(source)),
      ])
    }
  }

  static func traceback(_ n: Int) -> [Frame] {
    let django = sitePackages + "/django"
    return [
      Frame(
        file: "\(root)/orders/tests/test_checkout.py", line: 88 + n % 40, function: "test_checkout_total",
        source: "response = self.client.post(reverse(\"orders:checkout\"), self.form_data(quantity=2))"),
      Frame(
        file: "\(django)/test/client.py", line: 1158, function: "post",
        source: "response = super().post("),
      Frame(
        file: "\(django)/test/client.py", line: 1067, function: "request",
        source: "response = self.handler(environ)"),
      Frame(
        file: "\(django)/test/client.py", line: 183, function: "__call__",
        source: "response = self.get_response(request)"),
      Frame(
        file: "\(django)/core/handlers/base.py", line: 140, function: "get_response",
        source: "response = self._middleware_chain(request)"),
      Frame(
        file: "\(django)/core/handlers/exception.py", line: 55, function: "inner",
        source: "response = get_response(request)"),
      Frame(
        file: "\(django)/core/handlers/base.py", line: 197, function: "_get_response",
        source: "response = wrapped_callback(request, *callback_args, **callback_kwargs)"),
      Frame(
        file: "\(root)/orders/views.py", line: 61, function: "checkout",
        source: "order = place_order(request.user, form.cleaned_data)"),
      Frame(
        file: "\(root)/orders/services.py", line: 112, function: "place_order",
        source: "check_total(order, expected=cart.total())"),
      Frame(
        file: "\(root)/orders/checks.py", line: 19, function: "check_total",
        source: "assert order.total == expected, f\"{order.total!r} != {expected!r}\""),
    ]
  }

  static func tracebackText(_ frames: [Frame], exception: String, message: String) -> String {
    var text = "Traceback (most recent call last):\n"
    for frame in frames {
      text += "  File \"\(frame.file)\", line \(frame.line), in \(frame.function)\n    \(frame.source)\n"
    }
    return text + "\(exception): \(message)\n"
  }

  static func query(_ index: Int, _ n: Int) -> JSONLine {
    let origin = JSONLine.object([
      ("file", .string("\(root)/orders/services.py")), ("line", .int(100 + index)),
      ("function", .string("place_order")),
    ])
    let duration = JSONLine.number(String(format: "%.7f", 0.000_041 + Double((index * 7 + n) % 53) * 0.000_003))
    func entry(_ sql: String, _ params: JSONLine, origin: JSONLine? = origin) -> JSONLine {
      var pairs: [(String, JSONLine)] = [
        ("sql", .string(sql)), ("alias", .string("default")), ("duration", duration), ("thread", .string("MainThread")),
        ("params", params),
      ]
      if let origin { pairs.append(("origin", origin)) }
      return .object(pairs)
    }
    switch index % 5 {
    case 0:
      return entry(
        "SELECT \"catalog_product\".\"id\", \"catalog_product\".\"sku\", \"catalog_product\".\"name\", \"catalog_product\".\"price\", \"catalog_product\".\"stock\", \"catalog_product\".\"created_at\" FROM \"catalog_product\" WHERE \"catalog_product\".\"id\" = %s LIMIT 21",
        .array([.int(n % 500 + index)]))
    case 1:
      return entry(
        "SELECT \"orders_order\".\"id\", \"orders_order\".\"customer_id\", \"orders_order\".\"status\", \"orders_order\".\"total\" FROM \"orders_order\" WHERE (\"orders_order\".\"customer_id\" = %s AND \"orders_order\".\"status\" IN (%s, %s)) ORDER BY \"orders_order\".\"created_at\" DESC",
        .array([.int(n % 90), .string("open"), .string("pending")]))
    case 2:
      return entry(
        "INSERT INTO \"orders_line\" (\"order_id\", \"product_id\", \"quantity\", \"unit_price\") VALUES (%s, %s, %s, %s) RETURNING \"orders_line\".\"id\"",
        .array([.int(1000 + n), .int(index), .int(2), .string("12.50")]))
    case 3:
      return entry(
        "UPDATE \"catalog_product\" SET \"stock\" = (\"catalog_product\".\"stock\" - %s) WHERE \"catalog_product\".\"id\" = %s",
        .array([.int(2), .int(n % 500 + index)]))
    default:
      return entry("RELEASE SAVEPOINT \"s140238_x\(index % 9 + 1)\"", .null, origin: nil)
    }
  }

  static func mail(_ n: Int) -> JSONLine {
    let body = """
      Hello Ann,

      your order #\(1000 + n) has been placed and will ship within two working days.

        2 × Enamel mug, blue      12.50
        1 × Pour-over kettle      39.00
        Shipping (express)         6.90
        Total                     70.90

      You can follow it at https://shop.example.com/orders/\(1000 + n)/ at any time.

      Thanks for shopping with us — the Example Shop team
      """
    let html =
      "<html><body><p>Hello Ann,</p><p>your order <b>#\(1000 + n)</b> has been placed.</p><table>"
      + "<tr><td>2 × Enamel mug, blue</td><td>12.50</td></tr><tr><td>1 × Pour-over kettle</td><td>39.00</td></tr>"
      + "<tr><td>Shipping (express)</td><td>6.90</td></tr><tr><th>Total</th><th>70.90</th></tr></table>"
      + "<p><a href=\"https://shop.example.com/orders/\(1000 + n)/\">Follow your order</a></p></body></html>"
    return .object([
      ("subject", .string("Your order #\(1000 + n) is confirmed")),
      ("from", .string("Example Shop <orders@shop.example.com>")),
      ("to", .array([.string("ann@example.com")])),
      ("cc", .array([])),
      ("bcc", .array([.string("audit@shop.example.com")])),
      ("reply_to", .array([])),
      ("headers", .object([("X-Order-Id", .string(String(1000 + n)))])),
      ("body", .string(body)),
      ("content_subtype", .string("plain")),
      ("alternatives", .array([.object([("mimetype", .string("text/html")), ("content", .string(html))])])),
      ("attachments", .array([])),
    ])
  }
}
