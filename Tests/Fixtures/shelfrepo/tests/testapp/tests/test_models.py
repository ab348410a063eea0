from django.test import TestCase

from shelf.models import Book


class BookTests(TestCase):
    def test_a_book_is_saved(self):
        Book.objects.create(title="Dune", pages=412)
        self.assertEqual(Book.objects.count(), 1)
