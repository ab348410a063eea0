"""Tests whose verdicts change if anything but the test itself runs code while it runs.

Each passes under Django's own runner (but the two in FailingSubtestTests, which fail
under it too); a hook that formats a subtest's parameters with repr() inside the test,
calls their __eq__/__str__, evaluates a lazy object or queries, turns them red.
"""
import sys
import threading

from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.utils.functional import SimpleLazyObject

from .models import Item


class Watched:
    """A value that records every one of its methods called (repr, str, eq, …)."""

    calls = []

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        Watched.calls.append("repr")
        return "Watched(%s)" % self.name

    def __str__(self):
        Watched.calls.append("str")
        return self.name

    def __eq__(self, other):
        Watched.calls.append("eq")
        return self is other

    def __hash__(self):
        Watched.calls.append("hash")
        return id(self)

    def __getattr__(self, name):
        Watched.calls.append("getattr " + name)
        raise AttributeError(name)


class Unprintable:
    def __repr__(self):
        raise RuntimeError("this value cannot be printed")

    __str__ = __repr__


class SubtestParameterTests(TestCase):
    def test_a_queryset_parameter_is_not_evaluated_again(self):
        Item.objects.create(name="a")
        with self.assertNumQueries(1):
            with self.subTest(items=Item.objects.filter(name="a")):
                self.assertTrue(Item.objects.filter(name="a").exists())

    def test_a_model_instance_parameter_runs_none_of_its_code(self):
        item = Item.objects.create(name="b")
        with self.assertNumQueries(0):
            with self.subTest(item=item), self.subTest(items=[item]):
                self.assertEqual(item.name, "b")

    def test_no_method_of_a_parameter_is_called(self):
        Watched.calls = []
        watched = Watched("w")
        with self.subTest(watched, value=watched, nested=[watched, {"key": watched}]):
            pass
        self.assertEqual(Watched.calls, [])

    def test_a_lazy_parameter_is_not_evaluated(self):
        evaluated = []
        lazy = SimpleLazyObject(lambda: evaluated.append("set up") or 42)
        with self.subTest(lazy=lazy):
            pass
        self.assertEqual(evaluated, [])

    def test_a_parameter_whose_repr_raises(self):
        with self.subTest(value=Unprintable()):
            self.assertTrue(True)

    def test_huge_and_binary_parameters(self):
        with self.subTest(big="x" * 2_000_000, raw=bytes(range(256)) * 1000, text="caf\udce9"):
            pass


class FailingSubtestTests(SimpleTestCase):
    def test_a_failing_subtest_is_reported_with_its_parameters(self):
        for number in (1, 2):
            with self.subTest(number=number, watched=Watched("n%d" % number)):
                self.assertEqual(number, 1)

    def test_a_skipped_subtest_with_an_object_as_reason(self):
        with self.subTest(case="skipped"):
            self.skipTest(Watched("reason"))
        self.fail("a later failure")


class ThreadQueryTests(TransactionTestCase):
    def test_queries_from_another_thread(self):
        Item.objects.create(name="t")
        counts = []

        def count():
            try:
                counts.append(Item.objects.count())
            finally:
                connection.close()

        thread = threading.Thread(target=count, name="counting-thread")
        thread.start()
        thread.join()
        self.assertEqual(counts, [1])


class AsyncTests(TestCase):
    async def test_async_queries(self):
        await Item.objects.acreate(name="async")
        self.assertEqual(await Item.objects.acount(), 1)


class OutputTests(SimpleTestCase):
    def test_huge_output(self):
        sys.stdout.write("y" * 3_000_000 + "\n")

    def test_output_that_is_not_utf8(self):
        sys.stdout.flush()
        sys.stdout.buffer.write(b"\xff\xfe not utf-8 \xc3\x28\n")
        sys.stdout.buffer.flush()
        sys.stderr.write("a lone surrogate: \udcff\n")
