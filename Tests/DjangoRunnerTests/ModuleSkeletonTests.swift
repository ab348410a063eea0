import XCTest

@testable import DjangoRunner

/// What of a module runs when it is imported: equal skeletons mean a change stayed
/// inside function bodies.
final class ModuleSkeletonTests: XCTestCase {
  private let models = """
    \"\"\"The shop's models.\"\"\"
    from django.db import models

    TAX = 20  # percent


    def price_with_tax(cents):
        \"\"\"Adds the tax.

    A docstring line at column 0.
    \"\"\"
        total = cents * (100 + TAX) // 100
        return total


    class Product(models.Model):
        name = models.CharField(max_length=50)

        @property
        def label(self):
            return "%s (%d)" % (
                self.name,
        len(self.name),
            )

        def save(self, *args,
                 **kwargs):
            super().save(*args, **kwargs)

    def one_liner(x): return {"x": x}
    """

  private func skeleton(_ source: String) -> ModuleSkeleton { ModuleSkeleton(source: source) }

  private func assertSame(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) {
    let changed = models.replacingOccurrences(of: old, with: new)
    XCTAssertNotEqual(changed, models, "the edit applies", file: file, line: line)
    XCTAssertEqual(skeleton(changed), skeleton(models), "\(old) → \(new)", file: file, line: line)
  }

  private func assertDiffers(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) {
    let changed = models.replacingOccurrences(of: old, with: new)
    XCTAssertNotEqual(changed, models, "the edit applies", file: file, line: line)
    XCTAssertNotEqual(skeleton(changed), skeleton(models), "\(old) → \(new)", file: file, line: line)
  }

  func testChangesInsideFunctionAndMethodBodiesKeepTheSkeleton() {
    assertSame("return total", "return total + 1")
    assertSame("A docstring line at column 0.", "Another line at column 0.")
    assertSame("len(self.name),", "len(self.name) + 1,")
    assertSame("super().save(*args, **kwargs)", "super().save(*args, **kwargs)\n        print('saved')")
    assertSame("return {\"x\": x}", "return {\"x\": x, \"y\": 1}")
    assertSame("# percent", "# per cent, as a whole number")
  }

  func testModuleLevelChangesChangeIt() {
    assertDiffers("TAX = 20", "TAX = 21")
    assertDiffers("name = models.CharField(max_length=50)", "name = models.CharField(max_length=80)")
    assertDiffers("    @property\n", "")
    assertDiffers("def price_with_tax(cents):", "def price_with_tax(cents, rate=20):")
    assertDiffers("**kwargs):", "**options):")
    assertDiffers("from django.db import models", "from django.db import models, transaction")
    assertDiffers("class Product(models.Model):", "class Product(models.Model):\n    ordering = ['name']")
    assertDiffers("def one_liner(x):", "def one_liner(y):")
  }

  func testANewFunctionChangesIt() {
    XCTAssertNotEqual(skeleton(models + "\ndef added():\n    pass\n"), skeleton(models))
  }
}
