"""Django's own verdicts, for checking what djdash reports.

A DiscoverRunner that, after the run, writes {test_id: outcome} as JSON to the
path in DJDASH_ORACLE_OUT (nothing is written when it is unset). Outcomes come
from Django's result object only: every id seen by startTest plus every id in
errors, failures, skipped, expectedFailures and unexpectedSuccesses. A subtest
counts for its parent test; setUpClass and import-error holders keep their own
id. Precedence: error > fail > xpass > xfail > skip > pass. With --parallel the
workers' results are replayed into the parent's result, which is the one read;
the workers drop tracebacks first, because Django can only pickle them when
tblib is installed (without it, stock --parallel crashes on the first failure).
A process that runs several suites (a script calling run_tests twice) merges
them all into the file. With DJDASH_ORACLE_ORDER_OUT set, the ids of the tests
as they started (a subtest's under its test's id) are appended to that file,
one a line.

A project with manage.py (oracle folder on PYTHONPATH):

    DJDASH_ORACLE_OUT=out.json PYTHONPATH=/path/to/oracle \
        python manage.py test --testrunner djdash_oracle.OracleRunner LABELS

Any other entry point, with the project's own runner class kept: run it through
this module, which judges DiscoverRunner itself (and so every subclass of it,
whether the script builds DiscoverRunner directly, takes its class from
settings.TEST_RUNNER through get_runner, or goes through a management command):

    DJDASH_ORACLE_OUT=out.json python /path/to/oracle/djdash_oracle.py runtests.py LABELS
    DJDASH_ORACLE_OUT=out.json python /path/to/oracle/djdash_oracle.py -m django test LABELS

A script that parses no flags gets DiscoverRunner keyword arguments from
DJDASH_ORACLE_OPTIONS, a JSON object such as {"parallel": 2}, applied in
DiscoverRunner.__init__ (as djdash applies its own flags).
"""
import json
import os
import sys
import unittest

from django.test.runner import (
    DiscoverRunner,
    ParallelTestSuite,
    RemoteTestResult,
    RemoteTestRunner,
)

OUT_VARIABLE = "DJDASH_ORACLE_OUT"
OPTIONS_VARIABLE = "DJDASH_ORACLE_OPTIONS"
ORDER_VARIABLE = "DJDASH_ORACLE_ORDER_OUT"


def _test_id(test):
    if isinstance(test, unittest.case._SubTest):
        return test.test_case.id()
    return test.id()


class _RecordsStartedTests:
    def startTest(self, test):
        started = self.__dict__.setdefault("oracle_started", [])
        started.append(_test_id(test))
        super().startTest(test)


def _bare(err):
    return None if err is None else (err[0], err[1], None)


class _PicklableResult(RemoteTestResult):
    def addError(self, test, err):
        super().addError(test, _bare(err))

    def addFailure(self, test, err):
        super().addFailure(test, _bare(err))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, _bare(err))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, _bare(err))


class _PicklableRunner(RemoteTestRunner):
    resultclass = _PicklableResult


class _ParallelSuite(ParallelTestSuite):
    runner_class = _PicklableRunner


def _oracle_resultclass(base):
    return type("OracleResult", (_RecordsStartedTests, base or unittest.TextTestResult), {})


def _write_outcomes(result):
    path = os.environ.get(OUT_VARIABLE)
    if not path:
        return
    verdicts = {}
    if os.path.exists(path):  # an earlier suite of this process
        with open(path, encoding="utf-8") as handle:
            verdicts = json.load(handle)
    verdicts.update(outcomes(result))
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(verdicts, handle, indent=1, sort_keys=True)
    order_path = os.environ.get(ORDER_VARIABLE)
    if order_path:  # the order tests started in, one id a line, suite after suite
        with open(order_path, "a", encoding="utf-8") as handle:
            handle.writelines(test_id + "\n" for test_id in getattr(result, "oracle_started", []))


class OracleRunner(DiscoverRunner):
    parallel_test_suite = _ParallelSuite

    def get_resultclass(self):
        return _oracle_resultclass(super().get_resultclass())

    def suite_result(self, suite, result, **kwargs):
        _write_outcomes(result)
        return super().suite_result(suite, result, **kwargs)


def judge_in_place(runner_class=DiscoverRunner):
    """Make `runner_class` itself (and its subclasses) record Django's verdicts."""
    original_init = runner_class.__init__
    original_resultclass = runner_class.get_resultclass
    original_suite_result = runner_class.suite_result
    options = json.loads(os.environ.get(OPTIONS_VARIABLE) or "{}")

    def __init__(self, *args, **kwargs):
        kwargs.update(options)
        original_init(self, *args, **kwargs)

    def get_resultclass(self):
        return _oracle_resultclass(original_resultclass(self))

    def suite_result(self, suite, result, **kwargs):
        _write_outcomes(result)
        return original_suite_result(self, suite, result, **kwargs)

    runner_class.__init__ = __init__
    runner_class.get_resultclass = get_resultclass
    runner_class.suite_result = suite_result
    runner_class.parallel_test_suite = _ParallelSuite


def outcomes(result):
    """{test_id: outcome} from a unittest result."""
    def ids(entries):
        return {_test_id(entry[0]) for entry in entries}

    groups = [
        ("error", ids(result.errors)),
        ("fail", ids(result.failures)),
        ("xpass", {_test_id(test) for test in result.unexpectedSuccesses}),
        ("xfail", ids(result.expectedFailures)),
        ("skip", ids(result.skipped)),
    ]
    every = set(getattr(result, "oracle_started", []))
    for _, group in groups:
        every |= group
    verdicts = {}
    for test_id in every:
        verdicts[test_id] = next((name for name, group in groups if test_id in group), "pass")
    return verdicts


def _run(arguments):
    """Runs a script (or `-m module`) as Python would, with DiscoverRunner judged."""
    import runpy

    # The importable module, not this __main__ copy: parallel workers unpickle its classes.
    import djdash_oracle

    djdash_oracle.judge_in_place()
    if arguments[0] == "-m":
        sys.argv = [arguments[1], *arguments[2:]]
        sys.path[0] = os.getcwd()
        runpy.run_module(arguments[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(arguments)
        sys.path[0] = os.path.dirname(os.path.abspath(arguments[0]))
        runpy.run_path(arguments[0], run_name="__main__")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1:2] == ["-m"] and len(sys.argv) < 3:
        sys.exit("usage: python djdash_oracle.py SCRIPT [ARGS...] | -m MODULE [ARGS...]")
    _run(sys.argv[1:])
