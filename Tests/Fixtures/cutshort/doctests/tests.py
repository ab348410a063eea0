"""Doctests added by load_tests next to ordinary tests.

Serially every test passes: "Ran 4 tests", OK. With --parallel 2 Django's parent must
pickle each subsuite for its workers; the doctests' globals hold a module, so the
parent raises `TypeError: cannot pickle 'module' object` (from
ParallelTestSuite.run) and the runner crashes with that traceback, exit 1, no
summary, while the workers are running the first classes: QuickTests.test_quick
passes in a worker, SlowTests.test_slow sleeps SLOW_SECONDS and is still running
when the parent's pool is terminated at its exit.

The parent raises at once, before its workers may have started a test: the module
makes Django's parent linger EXIT_SECONDS at exit (an atexit handler, which runs
before multiprocessing terminates the pool), as a slow teardown would, so that
SlowTests.test_slow has surely started when the parent dies.
"""
import atexit
import doctest
import multiprocessing
import multiprocessing.util  # registers its exit function (which ends the pool) now
import time

from django.test import SimpleTestCase

from . import arith

SLOW_SECONDS = 3.0
EXIT_SECONDS = 1.0

if multiprocessing.parent_process() is None:
    atexit.register(time.sleep, EXIT_SECONDS)  # later registered, so run first


class QuickTests(SimpleTestCase):
    def test_quick(self):
        pass


class SlowTests(SimpleTestCase):
    def test_slow(self):
        time.sleep(SLOW_SECONDS)


def load_tests(loader, tests, pattern):
    tests.addTests(doctest.DocTestSuite(arith))
    return tests
