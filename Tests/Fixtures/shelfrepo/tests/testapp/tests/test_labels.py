from django.test import SimpleTestCase

from shelf.labels import shelf_label


class LabelTests(SimpleTestCase):
    def test_label_names_the_pages(self):
        self.assertEqual(shelf_label("Dune", 412), "Dune (412 pages)")
