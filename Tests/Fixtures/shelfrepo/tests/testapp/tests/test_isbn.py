from django.test import SimpleTestCase

from shelf.isbn import normalise_isbn


class IsbnTests(SimpleTestCase):
    def test_dashes_go(self):
        self.assertEqual(normalise_isbn("0-441-17271-7"), "0441172717")
