import XCTest

@testable import DjangoRunner

final class TemplateScannerTests: XCTestCase {
  func testExtendsAndIncludeWithEitherQuote() {
    let summary = TemplateScanner.scan(
      "{% extends \"catalog/base.html\" %}\n{% block content %}{% include 'catalog/row.html' with row=row %}{% endblock %}"
    )
    XCTAssertEqual(summary.templates, ["catalog/base.html", "catalog/row.html"])
    XCTAssertEqual(summary.libraries, [])
  }

  func testTagsWithoutSpaces() {
    XCTAssertEqual(
      TemplateScanner.scan("{%extends 'base.html'%}{%include \"a.html\"%}").templates, ["base.html", "a.html"])
  }

  func testNamesGivenByVariablesAreSkipped() {
    let summary = TemplateScanner.scan("{% extends base_template %}{% include row.template_name %}")
    XCTAssertEqual(summary.templates, [])
  }

  func testLoadOfSeveralLibrariesAndLoadFrom() {
    let summary = TemplateScanner.scan("{% load static shop_tags %}\n{% load price_tag cents from money %}")
    XCTAssertEqual(summary.libraries, ["static", "shop_tags", "money"])
  }

  func testOtherTagsAndVariablesAreIgnored() {
    let summary = TemplateScanner.scan(
      "{% url 'catalog:product_list' %}{{ product.name }}{% if x %}{% for a in b %}{% endfor %}{% endif %}")
    XCTAssertEqual(summary, TemplateSummary())
  }

  func testAnUnclosedTagEndsTheScanWithoutCrashing() {
    XCTAssertEqual(TemplateScanner.scan("{% extends 'a.html' %}{% include 'b.html'").templates, ["a.html"])
    XCTAssertEqual(TemplateScanner.scan("{%%}{% %}{%").templates, [])
    _ = TemplateScanner.scan("{% include '' %}{% extends \" %}{% load %}{% load from %}")
  }
}
