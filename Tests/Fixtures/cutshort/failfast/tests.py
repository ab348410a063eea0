"""What `--failfast --parallel 2` does with the other workers' tests.

Four classes, so four subsuites, handed out in this order (classes sort by name):

* AFailTests.test_fail fails after FAIL_AFTER seconds. Django's parent replays it,
  its failfast result stops, and Django terminates the pool.
* BSlowTests.test_a passes at once; test_b sleeps SLOW_SECONDS: it is still running
  when the pool is terminated, and the subsuite is never replayed.
* CQuickTests.test_quick passes after QUICK_SECONDS: its subsuite is done in a worker
  while the parent is still replaying the failure, and Django discards it.
* DSlowTests.test_hang sleeps SLOW_SECONDS: running when the pool is terminated.

The failure's message takes REPLAY_SECONDS to format in the parent process only (a
worker formats it at once): that is how long Django's parent spends replaying the
failure between `result.stop()` and `pool.terminate()`, long enough for CQuickTests
to finish in a worker. Django: "Ran 1 test", FAILED (failures=1), exit 1.
"""
import multiprocessing
import time

from django.test import SimpleTestCase

FAIL_AFTER = 0.5
QUICK_SECONDS = 0.2
REPLAY_SECONDS = 3.0
SLOW_SECONDS = 30.0


class SlowToFormat(AssertionError):
    """An assertion whose text takes REPLAY_SECONDS to format in Django's parent."""

    def __str__(self):
        if multiprocessing.parent_process() is None:
            time.sleep(REPLAY_SECONDS)
        return super().__str__()


class AFailTests(SimpleTestCase):
    def test_fail(self):
        time.sleep(FAIL_AFTER)
        raise SlowToFormat("the first failure stops the run")


class BSlowTests(SimpleTestCase):
    def test_a(self):
        pass

    def test_b(self):
        time.sleep(SLOW_SECONDS)


class CQuickTests(SimpleTestCase):
    def test_quick(self):
        time.sleep(QUICK_SECONDS)


class DSlowTests(SimpleTestCase):
    def test_hang(self):
        time.sleep(SLOW_SECONDS)
