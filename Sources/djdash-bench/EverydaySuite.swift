import Foundation

/// The generated project's `shopbench` app: tests that do what a Django project's tests
/// usually do (pages through the test client with templates and queries, model work, form
/// validation, some plain logic), for the hook's cost on tests that are not trivial.
struct EverydaySuite {
  let tests: Int
  let failing: Int
  /// Relative path -> contents.
  let files: [String: String]

  static let label = "shopbench"
  static let testsPerClass = 20

  init(tests: Int) {
    var files: [String: String] = [
      "shopbench/__init__.py": "",
      "shopbench/views.py": Self.views,
      "shopbench/forms.py": Self.forms,
      "shopbench/urls.py": Self.urls,
      "shopbench/templates/shopbench/base.html": Self.baseTemplate,
      "shopbench/templates/shopbench/item_list.html": Self.listTemplate,
      "shopbench/templates/shopbench/item_detail.html": Self.detailTemplate,
      "shopbench/tests/__init__.py": "",
    ]
    var failing = 0
    let classes = max(1, (tests + Self.testsPerClass - 1) / Self.testsPerClass)
    var global = 0
    let perModule = 5
    for module in 0..<((classes + perModule - 1) / perModule) {
      var source = Self.testHeader
      for index in (module * perModule)..<min(classes, (module + 1) * perModule) {
        let count = min(Self.testsPerClass, tests - global)
        let usesDatabase = index % 3 != 2
        if usesDatabase {
          source += """


            class ShopPageTests\(index)(TestCase):
                @classmethod
                def setUpTestData(cls):
                    cls.items = [Item.objects.create(name="seed-%d" % n, qty=n) for n in range(5)]

            """
        } else {
          source += "\n\nclass ShopHelperTests\(index)(SimpleTestCase):\n"
        }
        for method in 0..<count {
          defer { global += 1 }
          let name = "test_\(String(format: "%04d", global))"
          source += "\n    def \(name)(self):\n"
          if global % 200 == 117 {
            failing += 1
            source +=
              usesDatabase
              ? "        self.assertContains(self.client.get(reverse(\"item-list\")), \"no such item\")\n"
              : "        self.assertEqual(slugify(\"Generated Failure\"), \"generated_failure\")\n"
            continue
          }
          source += usesDatabase ? Self.databaseTest(method, global) : Self.plainTest(method, global)
        }
      }
      files["shopbench/tests/test_everyday_\(String(format: "%02d", module)).py"] = source
    }
    self.tests = global
    self.failing = failing
    self.files = files
  }

  private static func databaseTest(_ method: Int, _ global: Int) -> String {
    switch method % 5 {
    case 0:
      return """
                response = self.client.get(reverse("item-list"))
                self.assertContains(response, "seed-\(global % 5)")

        """
    case 1:
      return """
                item = self.items[\(global % 5)]
                response = self.client.get(reverse("item-detail", args=[item.pk]))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["item"], item)

        """
    case 2:
      return """
                item = Item.objects.create(name="t\(global)", qty=\(global))
                Item.objects.filter(pk=item.pk).update(qty=F("qty") + 1)
                self.assertEqual(Item.objects.get(pk=item.pk).qty, \(global + 1))

        """
    case 3:
      return """
                form = ItemForm(data={"name": "t\(global)", "qty": "-\(global)"})
                self.assertFalse(form.is_valid())
                self.assertIn("qty", form.errors)

        """
    default:
      return """
                self.assertEqual(self.client.get(reverse("item-detail", args=[\(1_000_000 + global)])).status_code, 404)

        """
    }
  }

  private static func plainTest(_ method: Int, _ global: Int) -> String {
    switch method % 4 {
    case 0:
      return "        self.assertEqual(slugify(\"Item Number \(global)\"), \"item-number-\(global)\")\n"
    case 1:
      return "        self.assertEqual(reverse(\"item-detail\", args=[\(global)]), \"/items/\(global)/\")\n"
    case 2:
      return """
                form = ItemForm(data={"name": "t\(global)", "qty": "\(global)"})
                self.assertTrue(form.is_valid(), form.errors)

        """
    default:
      return """
                html = format_html("<b>{}</b> ×{}", "t\(global)", \(global))
                self.assertEqual(html, "<b>t\(global)</b> ×\(global)")

        """
    }
  }

  static let testHeader = """
    from django.db.models import F
    from django.test import SimpleTestCase, TestCase
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.text import slugify

    from bench.models import Item
    from shopbench.forms import ItemForm

    """

  static let views = """
    from django.shortcuts import get_object_or_404, render

    from bench.models import Item


    def item_list(request):
        items = Item.objects.order_by("name")
        return render(request, "shopbench/item_list.html", {"items": items, "total": items.count()})


    def item_detail(request, pk):
        item = get_object_or_404(Item, pk=pk)
        return render(request, "shopbench/item_detail.html", {"item": item})

    """

  static let forms = """
    from django import forms
    from django.core.exceptions import ValidationError

    from bench.models import Item


    class ItemForm(forms.ModelForm):
        class Meta:
            model = Item
            fields = ["name", "qty"]

        def clean_qty(self):
            qty = self.cleaned_data["qty"]
            if qty < 0:
                raise ValidationError("A quantity cannot be negative.")
            return qty

    """

  static let urls = """
    from django.urls import path

    from shopbench import views

    urlpatterns = [
        path("items/", views.item_list, name="item-list"),
        path("items/<int:pk>/", views.item_detail, name="item-detail"),
    ]

    """

  static let baseTemplate = """
    <!doctype html>
    <html><head><title>{% block title %}Shop{% endblock %}</title></head>
    <body>{% block content %}{% endblock %}</body></html>

    """

  static let listTemplate = """
    {% extends "shopbench/base.html" %}
    {% block title %}{{ total }} items{% endblock %}
    {% block content %}
    <ul>{% for item in items %}<li><a href="{% url 'item-detail' item.pk %}">{{ item.name }}</a> ({{ item.qty }})</li>{% empty %}<li>None yet.</li>{% endfor %}</ul>
    {% endblock %}

    """

  static let detailTemplate = """
    {% extends "shopbench/base.html" %}
    {% block title %}{{ item.name }}{% endblock %}
    {% block content %}<h1>{{ item.name|title }}</h1><p>{{ item.qty }} in stock, since {{ item.created|date:"Y-m-d" }}</p>{% endblock %}

    """
}
