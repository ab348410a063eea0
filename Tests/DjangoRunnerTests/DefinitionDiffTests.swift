import XCTest

@testable import DjangoRunner

/// What a save changed, function by function: the narrowing rule trusts it only when
/// nothing at module level changed.
final class DefinitionDiffTests: XCTestCase {
  private let utils = """
    \"\"\"Helpers for the shop.\"\"\"
    import decimal
    from .models import Product

    TAX = 20  # percent
    ROUND = lambda x: round(x, 2)


    def price_with_tax(cents):
        \"\"\"Adds the tax.

    A docstring line at column 0, with def inside: def nope():
    \"\"\"
        total = cents * (100 + TAX) // 100
        return total


    @cached
    async def fetch(url,
                    timeout=(1,
                             2)) -> dict[str, int]:
        return await get(url, timeout)


    class Cart:
        \"\"\"A cart.\"\"\"
        currency = "EUR"

        class Line:
            def total(self):
                return self.price * self.quantity

        @property
        def size(self):
            def count(line):
                return line.quantity
            return sum(count(line) for line in self.lines)

        @size.setter
        def size(self, value):
            raise AttributeError("def size(): read only")

        def add(self, item): self.items.append(item)

    def one_liner(x): return {"x": x}
    """

  private func diff(_ change: (String) -> String) -> DefinitionDiff {
    DefinitionDiff(old: utils, new: change(utils))
  }

  private func replacing(_ old: String, _ new: String) -> (String) -> String {
    { source in
      XCTAssertTrue(source.contains(old), "fixture lacks \(old)")
      return source.replacingOccurrences(of: old, with: new)
    }
  }

  func testFindsTheFunctionsByQualifiedName() {
    let definitions = PythonDefinitions(source: utils)
    XCTAssertEqual(
      Set(definitions.functions.keys),
      ["price_with_tax", "fetch", "Cart.Line.total", "Cart.size", "Cart.add", "one_liner"])
  }

  func testUnchangedSourceAndCommentOnlyChangesChangeNothing() {
    XCTAssertTrue(diff { $0 }.isUnchanged)
    let comments = diff(replacing("    return total\n", "    # a note\n\n    return total  # why\n"))
    XCTAssertTrue(comments.isUnchanged, "\(comments.moduleLevelChanges) \(comments.changedFunctions)")
    XCTAssertTrue(diff(replacing("TAX = 20  # percent", "TAX = 20  # per cent")).isUnchanged)
    XCTAssertTrue(diff(replacing("total = cents * (100", "total  =  cents * (100")).isUnchanged)
    XCTAssertTrue(diff { $0 + "\n\n# the end\n" }.isUnchanged)
  }

  func testABodyChangeNamesTheFunctionOnly() {
    let change = diff(replacing("return total", "return total + 1"))
    XCTAssertEqual(change.changedFunctions, ["price_with_tax"])
    XCTAssertTrue(change.isBodyOnly)
    XCTAssertFalse(change.isUnchanged)
  }

  func testAFunctionsDocstringIsModuleLevel() {
    // `f.__doc__` is set when the `def` runs, and read without calling `f`.
    let change = diff(replacing("Adds the tax.", "Adds the VAT."))
    XCTAssertEqual(change.changedFunctions, ["price_with_tax"])
    XCTAssertFalse(change.isBodyOnly)
    XCTAssertEqual(
      change.moduleLevelChanges, [#"module level: `"""Adds the VAT. …`"#])
    let oneLine = "def f(x): 'Doc.'\ndef g(x):\n    r\"\"\"Doc.\"\"\"\n    return x\n"
    XCTAssertFalse(
      DefinitionDiff(old: oneLine, new: oneLine.replacingOccurrences(of: "'Doc.'", with: "'Do.'")).isBodyOnly)
    XCTAssertFalse(
      DefinitionDiff(old: oneLine, new: oneLine.replacingOccurrences(of: "r\"\"\"Doc", with: "r\"\"\"Do")).isBodyOnly)
    // A string later in the body, or an f-string first (no docstring), is the body.
    let later = "def f(x):\n    y = 1\n    'note'\n    return f'{x}'\n"
    XCTAssertTrue(DefinitionDiff(old: later, new: later.replacingOccurrences(of: "'note'", with: "'nota'")).isBodyOnly)
    let formatted = "def f(x):\n    f'{x}'\n"
    XCTAssertTrue(DefinitionDiff(old: formatted, new: "def f(x):\n    f'{x}!'\n").isBodyOnly)
  }

  func testModuleAndClassDocstringsAreModuleLevel() {
    XCTAssertFalse(diff(replacing("Helpers for the shop.", "Helpers.")).isBodyOnly)
    XCTAssertFalse(diff(replacing("\"\"\"A cart.\"\"\"", "\"\"\"The cart.\"\"\"")).isBodyOnly)
  }

  func testMethodsOfNestedClassesAndAsyncFunctions() {
    XCTAssertEqual(
      diff(replacing("self.price * self.quantity", "self.price")).changedFunctions, ["Cart.Line.total"])
    let change = diff(replacing("return await get(url, timeout)", "return await get(url)"))
    XCTAssertEqual(change.changedFunctions, ["fetch"])
    XCTAssertTrue(change.isBodyOnly)
  }

  func testANestedFunctionBelongsToItsOutermostFunction() {
    let change = diff(replacing("return line.quantity", "return line.quantity * 2"))
    XCTAssertEqual(change.changedFunctions, ["Cart.size"])
    XCTAssertTrue(change.isBodyOnly)
    let definitions = PythonDefinitions(source: utils)
    XCTAssertEqual(definitions.unit(of: "Cart.size.<locals>.count"), "Cart.size")
    XCTAssertEqual(definitions.unit(of: "Cart.size.<locals>.<genexpr>"), "Cart.size")
    XCTAssertEqual(definitions.unit(of: "Cart.Line.total"), "Cart.Line.total")
    XCTAssertEqual(definitions.unit(of: "<lambda>"), PythonDefinitions.moduleLevel)
    XCTAssertEqual(definitions.unit(of: "Cart"), PythonDefinitions.moduleLevel)
    XCTAssertEqual(definitions.unit(of: "<module>"), PythonDefinitions.moduleLevel)
    XCTAssertEqual(definitions.unit(of: "gone"), PythonDefinitions.moduleLevel)
  }

  func testAGetterAndItsSetterAreOneUnit() {
    let change = diff(replacing("raise AttributeError(\"def size(): read only\")", "self._size = value"))
    XCTAssertEqual(change.changedFunctions, ["Cart.size"])
    XCTAssertTrue(change.isBodyOnly)
  }

  func testOneLineBodies() {
    XCTAssertEqual(diff(replacing("return {\"x\": x}", "return {\"x\": -x}")).changedFunctions, ["one_liner"])
    let method = diff(replacing("self.items.append(item)", "self.items.insert(0, item)"))
    XCTAssertEqual(method.changedFunctions, ["Cart.add"])
    XCTAssertTrue(method.isBodyOnly)
  }

  func testModuleLevelChanges() {
    let cases: [(String, String)] = [
      ("import decimal", "import decimal, fractions"),  // imports
      ("TAX = 20", "TAX = 21"),  // constants
      ("round(x, 2)", "round(x, 3)"),  // a lambda at module level
      ("currency = \"EUR\"", "currency = \"USD\""),  // a class body
      ("@cached", "@cached(1)"),  // a decorator
      ("def price_with_tax(cents):", "def price_with_tax(cents, rate=20):"),  // a signature
      ("2)) -> dict[str, int]:", "3)) -> dict[str, int]:"),  // a default, on a continuation line
      ("class Cart:", "class Cart(Base):"),  // a base class
    ]
    for (old, new) in cases {
      let change = diff(replacing(old, new))
      XCTAssertFalse(change.isBodyOnly, "\(old) → \(new)")
      XCTAssertFalse(change.moduleLevelChanges.isEmpty, "\(old) → \(new)")
    }
    XCTAssertEqual(diff(replacing("TAX = 20", "TAX = 21")).moduleLevelChanges, ["module level: `TAX = 21`"])
  }

  func testAddedAndRemovedDefinitionsAreModuleLevel() {
    let added = diff { $0 + "\ndef helper():\n    return 1\n" }
    XCTAssertEqual(added.addedFunctions, ["helper"])
    XCTAssertEqual(added.moduleLevelChanges, ["helper added"])
    let removed = diff(replacing("    def add(self, item): self.items.append(item)\n", ""))
    XCTAssertEqual(removed.removedFunctions, ["Cart.add"])
    XCTAssertFalse(removed.isBodyOnly)
  }

  func testStringsWithDefOrHashInsideAreNotDefinitions() {
    let source = """
      SQL = \"\"\"
      def not_a_function():
          pass
      \"\"\"
      MARK = "# not a comment"

      def real():
          text = '''
      def inner_text(): ...
      '''
          return text + "#"
      """
    let definitions = PythonDefinitions(source: source)
    XCTAssertEqual(Set(definitions.functions.keys), ["real"])
    let change = DefinitionDiff(old: source, new: source.replacingOccurrences(of: "def inner_text", with: "def other"))
    XCTAssertEqual(change.changedFunctions, ["real"])
    XCTAssertTrue(change.isBodyOnly)
    XCTAssertFalse(
      DefinitionDiff(old: source, new: source.replacingOccurrences(of: "# not a comment", with: "# no")).isBodyOnly)
  }

  func testTabsAndLineContinuations() {
    let source = "class A:\n\tdef f(self,\n\t      x):\n\t\ty = x + \\\n\t\t\t1\n\t\treturn y\n\nZ = 1 + \\\n  2\n"
    let definitions = PythonDefinitions(source: source)
    XCTAssertEqual(Set(definitions.functions.keys), ["A.f"])
    let body = DefinitionDiff(old: source, new: source.replacingOccurrences(of: "\t\t\t1", with: "\t\t\t2"))
    XCTAssertEqual(body.changedFunctions, ["A.f"])
    XCTAssertTrue(body.isBodyOnly)
    let module = DefinitionDiff(old: source, new: source.replacingOccurrences(of: "  2\n", with: "  3\n"))
    XCTAssertFalse(module.isBodyOnly)
    XCTAssertTrue(module.changedFunctions.isEmpty)
    // A tab is 8 columns, as Python reads it: re-indenting with spaces changes nothing.
    let spaces = source.replacingOccurrences(of: "\t", with: "        ")
    XCTAssertTrue(DefinitionDiff(old: source, new: spaces).isUnchanged)
  }

  func testDefinitionsInsideModuleLevelBlocks() {
    let source = """
      try:
          import ujson as json
      except ImportError:
          import json

      if json:
          def dumps(value):
              return json.dumps(value)
      else:
          def dumps(value):
              return repr(value)

      class B:
          if True:
              def m(self):
                  return 1
      """
    let definitions = PythonDefinitions(source: source)
    XCTAssertEqual(Set(definitions.functions.keys), ["dumps", "B.m"])
    let change = DefinitionDiff(old: source, new: source.replacingOccurrences(of: "repr(value)", with: "str(value)"))
    XCTAssertEqual(change.changedFunctions, ["dumps"])
    XCTAssertTrue(change.isBodyOnly)
  }

  func testAClassInsideAFunctionIsItsBody() {
    let source = "def factory():\n    class Local:\n        def m(self):\n            return 1\n    return Local\n"
    XCTAssertEqual(Set(PythonDefinitions(source: source).functions.keys), ["factory"])
    let change = DefinitionDiff(old: source, new: source.replacingOccurrences(of: "return 1", with: "return 2"))
    XCTAssertEqual(change.changedFunctions, ["factory"])
    XCTAssertTrue(change.isBodyOnly)
  }

  func testHeadersWithColonsInsideAndMultiLineDecorators() {
    let source = """
      @register(
          name="x:y",
      )
      def f(k=lambda x: x, s: "a:b" = {"k": 1}) -> "c:d": return k(s)

      class Meta(type): pass
      class A(Base, metaclass=Meta):
          def m(self): return 1
      """
    let definitions = PythonDefinitions(source: source)
    XCTAssertEqual(Set(definitions.functions.keys), ["f", "A.m"])
    func change(_ old: String, _ new: String) -> DefinitionDiff {
      XCTAssertTrue(source.contains(old), old)
      return DefinitionDiff(old: source, new: source.replacingOccurrences(of: old, with: new))
    }
    XCTAssertEqual(change("return k(s)", "return k(s) * 2").changedFunctions, ["f"])
    XCTAssertTrue(change("return k(s)", "return k(s) * 2").isBodyOnly)
    XCTAssertFalse(change("lambda x: x", "lambda x: -x").isBodyOnly)
    XCTAssertFalse(change("name=\"x:y\"", "name=\"x:z\"").isBodyOnly)
    XCTAssertFalse(change("class Meta(type): pass", "class Meta(type): x = 1").isBodyOnly)
    XCTAssertTrue(change("def m(self): return 1", "def m(self): return 2").isBodyOnly)
  }

  func testDecoratorOrderAndMovedMethodsAreModuleLevel() {
    let source =
      "@a\n@b\ndef f():\n    return 1\n\nclass A:\n    def m(self):\n        return 1\n\nclass B:\n    pass\n"
    XCTAssertFalse(
      DefinitionDiff(old: source, new: source.replacingOccurrences(of: "@a\n@b", with: "@b\n@a")).isBodyOnly)
    let moved = DefinitionDiff(
      old: source,
      new: source.replacingOccurrences(of: "    def m(self):\n        return 1\n", with: "    pass\n")
        .replacingOccurrences(of: "class B:\n    pass\n", with: "class B:\n    def m(self):\n        return 1\n"))
    XCTAssertEqual(moved.addedFunctions, ["B.m"])
    XCTAssertEqual(moved.removedFunctions, ["A.m"])
    XCTAssertFalse(moved.isBodyOnly)
  }

  func testWindowsLineEndings() {
    let source = "def f():\r\n    return 1\r\n\r\nX = 2\r\n"
    XCTAssertEqual(Set(PythonDefinitions(source: source).functions.keys), ["f"])
    XCTAssertTrue(
      DefinitionDiff(old: source, new: source.replacingOccurrences(of: "X = 2", with: "X = 2  # two")).isUnchanged)
    XCTAssertTrue(DefinitionDiff(old: source, new: source.replacingOccurrences(of: "\r\n", with: "\n")).isUnchanged)
  }

  func testFingerprintsAreStableAndNameTheModuleLevel() {
    let prints = DefinitionDiff.fingerprints(of: utils)
    XCTAssertEqual(prints, DefinitionDiff.fingerprints(of: utils))
    XCTAssertNotNil(prints[PythonDefinitions.moduleLevel])
    XCTAssertEqual(prints.count, 7)
    XCTAssertTrue(prints.values.allSatisfy { $0.count == 16 })
    // A known value: the same in every process and on every machine.
    XCTAssertEqual(PythonDefinitions.fingerprint(""), "cbf29ce484222325")
    let changed = DefinitionDiff.fingerprints(of: utils.replacingOccurrences(of: "return total", with: "return 0"))
    XCTAssertNotEqual(changed["price_with_tax"], prints["price_with_tax"])
    XCTAssertEqual(changed["Cart.add"], prints["Cart.add"])
    XCTAssertEqual(changed[PythonDefinitions.moduleLevel], prints[PythonDefinitions.moduleLevel])
  }

  func testBrokenSourceIsReadAsFarAsItGoes() {
    let source = "def f(:\n    return (1,\n\ndef g():\n    return 'unclosed\n"
    _ = PythonDefinitions(source: source)  // no crash
    XCTAssertTrue(DefinitionDiff(old: "", new: "").isUnchanged)
    XCTAssertEqual(DefinitionDiff(old: "", new: "x = 1\n").moduleLevelChanges, ["module level: `x = 1`"])
  }
}
