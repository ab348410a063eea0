import XCTest

@testable import DjangoRunner

/// The scanner on every import form the selection must see, and on text that only
/// looks like an import.
final class PythonScannerTests: XCTestCase {
  /// Imports written back compactly: `a.b`, `..a: b, c`, `.: x`.
  private func imports(_ source: String) -> [String] {
    PythonScanner.scan(source).imports.map { entry in
      let module = String(repeating: ".", count: entry.level) + entry.module
      return entry.names.isEmpty && entry.level == 0 && !entry.module.isEmpty
        ? module : module + ": " + entry.names.joined(separator: ", ")
    }
  }

  private func strings(_ source: String) -> [String] {
    PythonScanner.scan(source).strings.map { ($0.isPrefix ? "prefix " : "") + $0.text }
  }

  // MARK: import forms

  func testPlainImportOfADottedModule() {
    XCTAssertEqual(imports("import a.b\n"), ["a.b"])
  }

  func testFromImport() {
    XCTAssertEqual(imports("from a import b\n"), ["a: b"])
  }

  func testImportWithAliasAndASecondModule() {
    XCTAssertEqual(imports("import a.b as c, d\n"), ["a.b", "d"])
  }

  func testFromImportWithAliasKeepsTheImportedNameNotTheAlias() {
    XCTAssertEqual(imports("from a import b as c, d as e\n"), ["a: b, d"])
  }

  func testRelativeImportOfTheOwnPackage() {
    let found = PythonScanner.scan("from . import views\n").imports
    XCTAssertEqual(found, [PythonImport(module: "", names: ["views"], level: 1, line: 1)])
  }

  func testParenthesisedRelativeImportOverSeveralLines() {
    XCTAssertEqual(imports("from ..a import (b as c,\n    d)\nx = 1\n"), ["..a: b, d"])
  }

  func testCommentsInsideAParenthesisedImport() {
    XCTAssertEqual(
      imports("from shop.models import (  # the models\n    Product,  # and more\n    Tag,\n)\n"),
      [
        "shop.models: Product, Tag"
      ])
  }

  func testAnIndentedImportInAClassBody() {
    XCTAssertEqual(imports("class Config:\n    from .defaults import TIMEOUT\n"), [".defaults: TIMEOUT"])
  }

  func testStarImport() {
    XCTAssertEqual(imports("from .models import *\n"), [".models: *"])
  }

  func testImportAfterTryOnOneLine() {
    XCTAssertEqual(
      imports("try: import simplejson as json\nexcept ImportError: import json\n"), ["simplejson", "json"])
  }

  func testImportAfterTypeCheckingOnOneLine() {
    XCTAssertEqual(imports("if TYPE_CHECKING: from orders.models import Order\n"), ["orders.models: Order"])
  }

  func testImportInsideAFunctionAndInsideTryExcept() {
    let source = """
      def ready(self):
          from . import signals  # noqa: F401

      try:
          import yaml
      except ImportError:
          yaml = None
      """
    XCTAssertEqual(imports(source), [".: signals", "yaml"])
  }

  func testImportlibImportModuleWithALiteral() {
    XCTAssertEqual(
      imports("import importlib\nplugin = importlib.import_module(\"shop.plugins.csv\")\n"),
      [
        "importlib", "shop.plugins.csv",
      ])
  }

  func testDunderImportWithALiteral() {
    XCTAssertEqual(imports("mod = __import__(\"legacy.tools\")\n"), ["legacy.tools"])
  }

  func testImportModuleWithARelativeNameOrAVariableIsNotAnImport() {
    XCTAssertEqual(imports("import_module(\".sub\", package=__name__)\nimport_module(name)\n"), [])
  }

  func testBackslashContinuations() {
    XCTAssertEqual(
      imports("from shop.very.long \\\n    import name\nimport a, \\\n    b\n"), ["shop.very.long: name", "a", "b"])
  }

  func testSemicolonSeparatedImports() {
    XCTAssertEqual(imports("import a; from b import c; x = 1\n"), ["a", "b: c"])
  }

  func testLineNumbers() {
    let found = PythonScanner.scan("\"\"\"Doc\nstring.\"\"\"\nimport a\n\nfrom b import (\n c)\n").imports
    XCTAssertEqual(found.map(\.line), [3, 5])
  }

  func testLineNumbersAfterAnUnterminatedString() {
    let found = PythonScanner.scan("x = 'oops\nimport a\nimport b\n").imports
    XCTAssertEqual(found.map(\.line), [2, 3])
  }

  // MARK: text that only looks like an import

  func testImportInsideStringsAndCommentsDoesNotCount() {
    let source = """
      # import not_a_module
      message = "import os"
      other = 'from a import b'
      doc = \"\"\"
      import inside_docstring
      from x import y
      \"\"\"
      raw = r'''
      import inside_raw
      '''
      x = 1  # from comment import nothing
      """
    XCTAssertEqual(imports(source), [])
  }

  func testAWordContainingImportIsNotAStatement() {
    XCTAssertEqual(imports("important = 1\nimports = [important]\nreimport(x)\n"), [])
  }

  func testYieldFromAndRaiseFromAreNotImports() {
    XCTAssertEqual(imports("def g():\n    yield from range(3)\n    raise ValueError() from None\n"), [])
  }

  // MARK: strings

  func testShortStringsAreKeptWithTheNameTheyAreAssignedTo() {
    let summary = PythonScanner.scan("ROOT_URLCONF = \"shop.urls\"\nMIDDLEWARE += ['a.B']\n")
    XCTAssertEqual(summary.strings.map(\.text), ["shop.urls", "a.B"])
    XCTAssertEqual(summary.strings.map(\.owner), ["ROOT_URLCONF", "MIDDLEWARE"])
    XCTAssertEqual(summary.strings.map(\.line), [1, 2])
  }

  func testStringsInsideANestedSettingKeepTheTopLevelName() {
    let source = """
      TEMPLATES = [
          {
              "OPTIONS": {"context_processors": ["shop.context.cart"]},
          },
      ]
      """
    let cart = PythonScanner.scan(source).strings.first { $0.text == "shop.context.cart" }
    XCTAssertEqual(cart?.owner, "TEMPLATES")
  }

  func testStringsWithSpacesOrEscapesAreDropped() {
    XCTAssertEqual(strings("a = 'two words'\nb = \"tab\\there\"\nc = ''\nd = 'kept.name'\n"), ["kept.name"])
  }

  func testAnFStringKeepsItsLiteralStartAsAPrefix() {
    XCTAssertEqual(strings("name = f\"notifications/email/{template}.txt\"\n"), ["prefix notifications/email/"])
  }

  func testAnFStringStartingWithAFieldKeepsNothing() {
    XCTAssertEqual(strings("name = f\"{app}/detail.html\"\n"), [])
  }

  func testAnFStringWithoutFieldsIsAPlainString() {
    XCTAssertEqual(strings("name = f'catalog/base.html'\n"), ["catalog/base.html"])
  }

  func testStringPrefixesAreNotNames() {
    XCTAssertEqual(strings("a = rb'x.y'\nb = u\"p/q.html\"\nc = Rb'z'\n"), ["x.y", "p/q.html", "z"])
    XCTAssertFalse(PythonScanner.scan("a = b'reverse'\n").usesURLs)
  }

  func testATripleQuotedStringWithoutWhiteSpaceIsKept() {
    XCTAssertEqual(strings("TEMPLATE = \"\"\"catalog/base.html\"\"\"\n"), ["catalog/base.html"])
  }

  func testAQuoteInsideATripleQuotedStringDoesNotEndIt() {
    XCTAssertEqual(imports("x = '''it's \"quoted\" '' here\nimport fake\n'''\nimport real\n"), ["real"])
  }

  func testStringsAfterATemplateNameKeyword() {
    let summary = PythonScanner.scan(
      "class V(DetailView):\n    template_name = \"catalog/product_detail.html\"\n    fixtures = ['products']\n")
    XCTAssertEqual(summary.strings.map(\.text), ["catalog/product_detail.html", "products"])
  }

  // MARK: markers

  func testTheTestClientMarksAModule() {
    XCTAssertTrue(PythonScanner.scan("def test(self):\n    self.client.get('/')\n").usesClient)
    XCTAssertTrue(PythonScanner.scan("from django.test import Client\n").usesClient)
    XCTAssertTrue(PythonScanner.scan("class T(LiveServerTestCase):\n    pass\n").usesClient)
    XCTAssertTrue(PythonScanner.scan("factory = RequestFactory()\n").usesClient)
  }

  func testTheWordClientInAStringOrCommentDoesNotMarkAModule() {
    let summary = PythonScanner.scan("# uses the client\nx = 'client'\nclients = 2\n")
    XCTAssertFalse(summary.usesClient)
  }

  func testReverseAndResolveMarkURLUse() {
    XCTAssertTrue(PythonScanner.scan("from django.urls import reverse\n").usesURLs)
    XCTAssertTrue(PythonScanner.scan("url = reverse_lazy('x')\n").usesURLs)
    XCTAssertTrue(PythonScanner.scan("match = resolve('/')\n").usesURLs)
    XCTAssertFalse(PythonScanner.scan("reversed_list = list(reversed(x))\n").usesURLs)
  }

  func testReceiversAndConnectMarkSignals() {
    XCTAssertTrue(PythonScanner.scan("@receiver(post_save, sender=Order)\ndef f(**kw): pass\n").connectsSignals)
    XCTAssertTrue(PythonScanner.scan("post_save.connect(handler, sender=Order)\n").connectsSignals)
    XCTAssertFalse(PythonScanner.scan("def handler(sender, **kw):\n    pass\n").connectsSignals)
    XCTAssertFalse(PythonScanner.scan("x = 'receiver'\n").connectsSignals)
  }

  func testAPlainHelperHasNoMarkers() {
    let summary = PythonScanner.scan("def to_cents(amount):\n    return int(amount * 100)\n")
    XCTAssertFalse(summary.usesClient || summary.usesURLs || summary.connectsSignals)
  }

  // MARK: broken source

  func testBrokenSourceDoesNotCrashAndKeepsWhatCanBeRead() {
    let cases = [
      "import a\nx = 'unterminated\nimport b\n",
      "import a\nx = (1, 2\nimport b\n",
      "import a\ns = \"\"\"never closed\nimport b\n",
      "from",
      "import",
      "from . import",
      "import a as",
      "from ... import",
      "x = '\\",
      "x = r'\\",
      "x = f'{",
      ")))]]]}}}",
      "\\",
      "'",
      "\"\"\"",
      "from .. a import (",
      String(decoding: [0x69, 0x6D, 0x70, 0x6F, 0x72, 0x74, 0x20, 0xFF, 0xFE, 0x0A, 0x00, 0x22], as: UTF8.self),
    ]
    for source in cases {
      _ = PythonScanner.scan(source)
    }
    XCTAssertEqual(imports("import a\nx = 'unterminated\nimport b\n"), ["a", "b"])
    XCTAssertEqual(imports("import a\ns = \"\"\"never closed\nimport b\n"), ["a"])
    XCTAssertEqual(PythonScanner.scan([0x69, 0x6D, 0x70, 0x6F, 0x72, 0x74, 0x20, 0x61, 0xFF, 0x0A]).imports.count, 1)
  }

  func testAnUnclosedBracketSwallowsTheRestButDoesNotCrash() {
    // Python itself would not compile this; the scanner keeps the first import.
    XCTAssertEqual(imports("import a\nx = (1, 2\nimport b\n").first, "a")
  }
}
