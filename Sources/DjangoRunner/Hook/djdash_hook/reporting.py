"""Reporting: the result object of every process that runs tests is instrumented
(`instrument`), and each test's start, outcomes, subtests and end become events.

`_start_test` and `_stop_test` run on every test and are the hook's hot path: a plain
pass (no output, query, mail, subtest, template or import) costs a record, two held
lines and no call to json. Anything else goes through `_finish`, which builds the full
`test_finished` from the record and what capture collected.
"""

import functools
import io
import os
import signal
import sys
import threading
import time
import traceback
import types
import unittest

from .capture import Capture, has_new_mail, mails_since, query_json, unittest_buffers
from .channel import HOLD_LIMIT, abort, connect, emit, hook_error, json_id, request_stop, send_encoded
from .inert import MISSING, clip, described, inert_repr, instance_dict, plain
from .state import PACKAGE_FOLDER, state

_perf_counter = time.perf_counter
_modules = sys.modules

# ------------------------------------------------------------------------- problems

_plain_result = unittest.TestResult()  # formats tracebacks exactly as unittest does


def _frames(tb):
    frames = []
    for frame in traceback.extract_tb(tb):
        frames.append(
            {"file": frame.filename, "line": frame.lineno, "function": frame.name, "source": frame.line or ""}
        )
    return frames


def _is_hook_entry(entry):
    return entry.tb_frame.f_code.co_filename.startswith(PACKAGE_FOLDER)


def _without_hook_frames(tb):
    """A traceback less the hook's own frames, so what the user reads is their code and
    Django's: the execute wrapper a failing query went through, the marks around
    TestCase's atomics, a timed-out test's signal handler. Entries are relinked in place,
    so unittest's own report of the error leaves them out too."""
    while tb is not None and _is_hook_entry(tb):
        tb = tb.tb_next
    entry = tb
    while entry is not None:
        following = entry.tb_next
        if following is not None and _is_hook_entry(following):
            while following is not None and _is_hook_entry(following):
                following = following.tb_next
            entry.tb_next = following
        entry = following
    return tb


def hide_hook_frames(value, tb):
    """`tb` less the hook's frames, and the same for the exceptions `value` was raised
    from or while handling (their tracebacks are part of the text)."""
    tb = _without_hook_frames(tb)
    seen = {id(value)}
    chained = [getattr(value, "__cause__", None), getattr(value, "__context__", None)]
    while chained:
        exc = chained.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        inner = exc.__traceback__
        if inner is not None:
            cleaned = _without_hook_frames(inner)
            if cleaned is not inner:
                exc.__traceback__ = cleaned
        chained.append(exc.__cause__)
        chained.append(exc.__context__)
    return tb


def _without_hook_lines(text):
    """Traceback text less the hook's frames: the import error of a test module, which
    unittest's loader formats as text (in a warm run, the import passed through the
    warm server's code cache)."""
    if PACKAGE_FOLDER not in text:
        return text
    kept = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.startswith('  File "'):
            skipping = line.startswith('  File "' + PACKAGE_FOLDER)
        elif not (skipping and line.startswith("    ")):
            skipping = False
        if not skipping:
            kept.append(line)
    return "".join(kept)


def _problem(outcome, test, err):
    """Describe one failure or error: exception, message, frames and unittest's text,
    none of them with the hook's own frames."""
    exctype, value, tb = err
    try:
        tb = hide_hook_frames(value, tb)
        err = (exctype, value, tb)
    except Exception:
        pass
    try:
        text = _plain_result._exc_info_to_string(err, test)
    except Exception:
        text = "".join(traceback.format_exception(exctype, value, tb))
    cleaner = getattr(_plain_result, "_clean_tracebacks", None)
    try:
        tb = cleaner(exctype, value, tb, test) if cleaner else tb
    except Exception:
        pass
    try:
        message = str(value)
    except Exception:
        message = "<unprintable %s>" % getattr(exctype, "__name__", "exception")
    return {
        "outcome": outcome,
        "exception": getattr(exctype, "__qualname__", str(exctype)),
        "message": clip(_without_hook_lines(message)),
        "traceback": _frames(tb),
        "traceback_text": clip(_without_hook_lines(text)),
    }


_kinds = {}  # type -> kind


def _kind_of(test):
    kind = _kinds.get(type(test))
    if kind is None:
        kind = _kinds[type(test)] = _kind_of_type(test)
    return kind


def _kind_of_type(test):
    if isinstance(test, unittest.suite._ErrorHolder):
        return "suite_error"
    if type(test).__name__ == "_FailedTest" and type(test).__module__ == "unittest.loader":
        return "load_error"
    return "test"


# ---------------------------------------------------------------------- test timeout


class TestTimeout(Exception):
    """Raised inside a test that ran longer than djdash's --test-timeout."""


def _on_alarm(signum, frame):
    raise TestTimeout("the test ran longer than its %g s timeout (djdash --test-timeout)" % state.test_timeout)


def _arm_timeout():
    """Start the test's timer; returns the previous SIGALRM handler, or None if unarmed."""
    if state.test_timeout <= 0 or threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, state.test_timeout)
    return previous


def _disarm_timeout(previous):
    if previous is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


# -------------------------------------------------------------------------- the test


class _Record:
    """What one process knows about the test it is running.

    Built on every test's hot path, so it sets only what every test needs: the rest are
    class-level defaults (lists that most tests never fill are a shared empty tuple until
    their first entry), and `plain` stays true while nothing but success happened (no
    outcome, subtest or template), so the end of a plain pass checks little.
    """

    json_id = None
    plain = True
    outcome = None
    alarm = None
    reason = ""
    problems = subtests = templates = resolved = ()
    executed = setup_executed = None  # sets of code objects, while recording (recording.Recorder)
    executed_templates = None  # project template files it rendered, while recording

    def __init__(self, test, test_id=None):
        _begin(self, test, test_id)

    def note(self, outcome):
        """An outcome, a subtest or a template: the result is not a plain pass."""
        self.plain = False
        if outcome is not None and (self.outcome is None or _RANK[outcome] > _RANK[self.outcome]):
            self.outcome = outcome

    def add_problem(self, problem):
        if not self.problems:
            self.problems = []
        self.problems.append(problem)

    def add_subtest(self, entry):
        self.plain = False
        if not self.subtests:
            self.subtests = []
        self.subtests.append(entry)


def _begin(record, test, test_id, buffers=None):
    """Starts `record` for `test`: the queries from here are its own, its output is
    captured (by `buffers`, unittest's own, when the result buffers), the mail it sends
    is told apart from the outbox's earlier mail."""
    record.test = test
    record.test_id = test_id
    record.setup_queries = state.setup_queries
    state.queries = record.queries = []
    state.setup_queries = []
    mail = state.mail
    if mail is None:
        mail = state.mail = _modules.get("django.core.mail")
    box = record.outbox = getattr(mail, "outbox", None) if mail is not None else None
    record.outbox_start = len(box) if box is not None else 0
    if buffers is not None:
        record.capture = buffers
    else:
        capture = state.capture
        if capture is None:
            capture = state.capture = Capture()
        elif capture.saved is not None:  # a test running tests of its own
            capture = Capture()
        capture.saved = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = capture.streams
        record.capture = capture
    state.rendering = record
    record.modules_before = len(_modules)
    recorder = state.recorder
    if recorder is not None:  # DJDASH_RECORD=1: what the test executes (recording)
        recorder.begin(record)
        record.plain = False
    record.started = _perf_counter()
    return record


def _imported_since(record):
    """Project files of the modules the test imported first (sys.modules keeps insertion
    order, so they follow the ones there when it started): edges no import statement
    shows, for the selection. Costs one len() a test unless something was imported."""
    before = record.modules_before
    if len(_modules) <= before or not state.project_root:
        return ()
    files = (_project_file(name) for name in list(_modules)[before:])
    return [path for path in files if path is not None]


def _project_file(name):
    """The file of the loaded module `name`, relative to the project root; None when it is
    not the project's (or not loaded, or has no file). Read off the module's dictionary."""
    module = _modules.get(name)
    path = module.__dict__.get("__file__") if type(module) is types.ModuleType else None
    if type(path) is not str:
        return None
    path = os.path.abspath(path)  # a sys.path entry like "tests/.." leaves its dots in __file__
    return path[len(state.project_root) :] if path.startswith(state.project_root) else None


def on_template_rendered(sender, template=None, **kwargs):
    """Django's test environment signals every template it renders: which tests
    rendered which templates tells the selection what a template change affects."""
    name = getattr(template, "name", None)
    record = state.rendering
    if state.recorder is not None:
        try:
            state.recorder.on_template(template, record)
        except Exception:  # never into the test that rendered it
            pass
    if name and record is not None:
        if not record.templates:
            record.templates = set()
        record.templates.add(str(name))
        record.plain = False


def on_request_resolved(match):
    """A test client request resolved to a view (`BaseHandler.resolve_request`): the
    view's project file is a dependency of the test that no URLconf in the source may
    show (`override_settings(ROOT_URLCONF=…)`, URLconfs built at run time). Read off the
    function and class objects' own dictionaries: no project code runs."""
    record = state.rendering
    if record is None or not state.project_root:
        return
    func = match.__dict__.get("func") if type(getattr(match, "__dict__", None)) is dict else None
    while type(func) is functools.partial:
        func = func.func
    if type(func) is not types.FunctionType:
        return
    view = func.__dict__.get("view_class") or func.__dict__.get("cls")  # Django's and DRF's as_view()
    owner = vars(view).get("__module__") if isinstance(view, type) else None
    path = _project_file(owner if type(owner) is str else func.__module__)
    if path is not None:
        if not record.resolved:
            record.resolved = set()
        record.resolved.add(path)
        record.plain = False


_RANK = {"pass": 0, "skip": 1, "xfail": 2, "xpass": 3, "fail": 4, "error": 5}


def _finish(record, test_id, kind):
    """Send test_finished. Empty fields are left out (readers treat absent as empty);
    the --events file djdash writes always has them all."""
    _disarm_timeout(record.alarm)
    if state.stop_on_timeout and any(p["exception"] == TestTimeout.__qualname__ for p in record.problems):
        request_stop()  # here, before the next test can start; djdash tells the others
    stdout, stderr = record.capture.finish()
    state.queries = state.setup_queries
    if state.rendering is record:
        state.rendering = None
    duration = _perf_counter() - record.started
    imported = _imported_since(record)
    executed = setup_executed = None
    recorder = state.recorder
    if recorder is not None and record.executed is not None:
        executed, setup_executed = recorder.finish(record)
    if (
        record.outcome in (None, "pass")
        and kind == "test"
        and not imported
        and not (executed or setup_executed)
        and not (
            stdout
            or stderr
            or record.queries
            or record.setup_queries
            or record.subtests
            or record.templates
            or record.resolved
        )
        and not state.query_overflow
        and not has_new_mail(record)
    ):
        # A plain pass, formatted directly (json.dumps costs more than the test).
        encoded = (record.json_id if test_id == record.test_id else None) or json_id(test_id)
        channel = state.channel
        if channel is None or channel.pid != state.pid:
            channel = connect()
        if channel is not None:
            send_encoded(channel.passed_line % (encoded, duration), hold=True)
        return
    fields = {
        "id": test_id,
        "pid": state.pid,
        "outcome": record.outcome or "pass",
        "duration": round(duration, 6),
    }
    if kind != "test":
        fields["kind"] = kind
    if record.problems:
        first = record.problems[0]
        fields["message"] = first["message"]
        fields["exception"] = first["exception"]
        fields["traceback"] = first["traceback"]
        fields["traceback_text"] = first["traceback_text"]
        fields["problems"] = record.problems
    elif record.reason:
        fields["message"] = record.reason
    if stdout:
        fields["stdout"] = stdout
    if stderr:
        fields["stderr"] = stderr
    if record.queries:
        fields["queries"] = [query_json(q) for q in record.queries]
    if record.setup_queries:
        fields["setup_queries"] = [query_json(q) for q in record.setup_queries]
    if state.query_overflow:
        fields["queries_dropped"], state.query_overflow = state.query_overflow, 0
    mails = mails_since(record)
    if mails:
        fields["mails"] = mails
    if record.subtests:
        fields["subtests"] = record.subtests
    if record.templates:
        fields["templates"] = sorted(record.templates)
    if imported:
        fields["imported"] = sorted(imported)
    if record.resolved:
        fields["resolved"] = sorted(record.resolved)
    if executed:
        fields["executed"] = executed
    if setup_executed:
        fields["setup_executed"] = setup_executed
    # Results that need attention go at once; a pass may share the next test's send.
    emit("test_finished", _hold=fields["outcome"] in ("pass", "skip", "xfail"), **fields)


# type -> ("module.Class.", the same as the start of a JSON string: '"module.Class.' encoded)
# when the type keeps unittest's own id(), else None.
_id_prefixes = {}


def _id_prefix(cls):
    if getattr(cls, "id", None) is unittest.TestCase.id:
        prefix = "%s.%s." % (cls.__module__, cls.__qualname__)
        entry = (prefix, json_id(prefix)[:-1])
    else:
        entry = None
    _id_prefixes[cls] = entry
    return entry


def test_id_of(test):
    """test.id(), without two calls and two formattings for the usual kind (_start_test
    has this inline)."""
    prefix = _id_prefixes.get(type(test), False)
    if prefix is False:
        prefix = _id_prefix(type(test))
    return test.id() if prefix is None else prefix[0] + test._testMethodName


# A _Record without calling the class (whose __init__ costs a slower call than _begin).
_new_record = object.__new__


def _start_test(original, key, test):
    """result.startTest on every test: a record, the streams captured, test_started
    held. Each call here costs a measurable share of a fast test, so this does its work
    inline (test.id() included: two calls and two formattings for the usual kind, and its
    JSON: a method name needs no escapes, so only the class's prefix is encoded, once)."""
    value = original(test)
    try:
        prefix = _id_prefixes.get(type(test), False)
        if prefix is False:
            prefix = _id_prefix(type(test))
        if prefix is not None and (name := test._testMethodName).isidentifier():
            test_id = prefix[0] + name
            encoded = prefix[1] + name.encode() + b'"'
        else:
            test_id = test.id() if prefix is None else prefix[0] + name
            encoded = json_id(test_id)
        # unittest swapped in its StringIO buffers (--buffer): they stay.
        buffers = unittest_buffers(getattr(original, "__self__", None)) if type(sys.stdout) is io.StringIO else None
        record = state.current[key] = _begin(_new_record(_Record), test, test_id, buffers)
        record.json_id = encoded
        channel = state.channel
        if channel is None or channel.pid != state.pid:
            channel = connect()
        if channel is not None:
            line = channel.started_line % encoded
            try:
                # Waits with the held lines when they are in the pending file (which djdash
                # reads if the process dies in the test), else goes at once so a crash is
                # still attributed.
                if channel.durable:
                    channel.hold(line)
                else:
                    channel.send_line(line)
            except ValueError:  # the room is full: send_line makes room
                channel.send_line(line, True)
            except OSError:
                abort("lost the connection to djdash")
        if state.test_timeout > 0:
            record.alarm = _arm_timeout()
    except Exception:
        hook_error("startTest")
    return value


def _stop_test(original, key, test):
    """result.stopTest on every test: a plain pass is reported on this short path (see
    _start_test); anything else through _finish."""
    try:
        record = state.current.pop(key, None)
        if record is None:
            pass
        elif (
            record.plain
            and record.test is test
            and record.alarm is None
            and len(_modules) == record.modules_before
            and not (record.queries or record.setup_queries or state.query_overflow)
            and _kinds.get(type(test)) == "test"
            and not (record.capture.sinks[0].total or record.capture.sinks[1].total)
            and not (
                (box := getattr(state.mail, "outbox", None))
                and (box is not record.outbox or len(box) > record.outbox_start)
            )
        ):
            capture = record.capture
            streams = capture.streams
            if sys.stdout is streams[0] and sys.stderr is streams[1]:
                sys.stdout, sys.stderr = capture.saved
            capture.saved = None
            state.queries = state.setup_queries
            state.rendering = None
            channel = state.channel  # the one _start_test connected, if any
            if channel is not None:
                now = _perf_counter()
                line = channel.passed_line % (record.json_id, now - record.started)
                try:
                    if now - channel.last_result_sent < HOLD_LIMIT:
                        channel.hold(line)
                    else:  # the first result in a while: the user is waiting for it
                        channel.last_result_sent = now
                        channel.send_line(line)
                except ValueError:  # the room is full: send_line makes room
                    channel.send_line(line, True)
                except OSError:
                    abort("lost the connection to djdash")
        else:
            _finish(record, record.test_id if record.test is test else test.id(), _kind_of(test))
    except Exception:
        hook_error("stopTest")
    return original(test)


# The outcomes djdash wraps. Not addSuccess: a test that ends with no other outcome passed,
# so success costs no wrapper of its own.
_OUTCOMES = {
    "addFailure": "fail",
    "addError": "error",
    "addSkip": "skip",
    "addExpectedFailure": "xfail",
    "addUnexpectedSuccess": "xpass",
}


def _on_outcome(result, outcome, test, args):
    record = state.current.get(id(result))
    parent = getattr(test, "test_case", test)  # a subtest reports to its test
    if record is None or record.test is not parent:
        # An error outside any test: setUpClass, setUpModule, tearDownClass, …
        record = _Record(parent)
        record.note(outcome)
        if outcome in ("fail", "error"):
            record.add_problem(_problem(outcome, parent, args[0]))
        _finish(record, parent.id(), _kind_of(parent))
        return
    if parent is not test and outcome == "skip":  # a skipped subtest
        record.add_subtest(_subtest_json(test, "skip", None, described(args[0])))
        return
    record.note(outcome)
    if outcome in ("fail", "error"):
        record.add_problem(_problem(outcome, test, args[0]))
    elif outcome == "skip":
        record.reason = described(args[0])
    elif outcome == "xfail":
        record.add_problem(_problem("xfail", test, args[0]))


def _subtest_description(subtest):
    """unittest's `_subDescription()`, `[message] (name=value, …)`, with every value
    through inert_repr: unittest's own calls repr() on the parameters, inside the test."""
    fields = instance_dict(subtest)
    parts = []
    message = fields.get("_message", MISSING)
    if message is not MISSING and message is not getattr(unittest.case, "_subtest_msg_sentinel", None):
        parts.append("[%s]" % (message if type(message) is str else inert_repr(message)))
    params = fields.get("params")
    if params:
        parts.append("(%s)" % ", ".join("%s=%s" % (key, inert_repr(value)) for key, value in _param_items(params)))
    return " ".join(parts) or "(<subtest>)"


def _param_items(params):
    """A subtest's parameters (a ChainMap of the nested subTest calls' keywords)."""
    try:
        merged = {}
        for mapping in reversed(getattr(params, "maps", None) or [params]):
            if type(mapping) is dict:
                merged.update(mapping)
        return [(key if type(key) is str else inert_repr(key), value) for key, value in merged.items()]
    except Exception:
        return []


def _subtest_json(subtest, outcome, problem, reason=""):
    entry = {
        "description": _subtest_description(subtest),
        "params": {key: plain(value) for key, value in _param_items(instance_dict(subtest).get("params"))},
        "outcome": outcome,
        "message": problem["message"] if problem else reason,
    }
    if problem:
        entry["exception"] = problem["exception"]
        entry["traceback"] = problem["traceback"]
        entry["traceback_text"] = problem["traceback_text"]
    return entry


def _on_subtest(result, test, subtest, err):
    record = state.current.get(id(result))
    if record is None:
        return
    if err is None:
        record.add_subtest(_subtest_json(subtest, "pass", None))
        return
    failed = issubclass(err[0], test.failureException)
    outcome = "fail" if failed else "error"
    problem = _problem(outcome, subtest, err)
    problem["subtest"] = _subtest_description(subtest)
    record.add_problem(problem)
    record.add_subtest(_subtest_json(subtest, outcome, problem))
    record.note(outcome)


def _needs_picklable_errors(result):
    """A parallel worker without tblib cannot send tracebacks back to Django's parent.

    Stock Django then aborts the whole run at the first failure. djdash already has the
    full traceback from the worker, so the parent only needs the exception itself.
    """
    runner = sys.modules.get("django.test.runner")
    if runner is None or not isinstance(result, getattr(runner, "RemoteTestResult", ())):
        return False
    return getattr(runner, "tblib", None) is None


def _without_traceback(arg):
    if isinstance(arg, tuple) and len(arg) == 3 and isinstance(arg[2], types.TracebackType):
        return (arg[0], arg[1], None)
    return arg


def instrument(result):
    """Report every test that runs against this result object, in this process."""
    if result is None or getattr(result, "_djdash_instrumented", False):
        return
    try:
        result._djdash_instrumented = True
    except Exception:
        return
    state.results.add(result)
    picklable = _needs_picklable_errors(result)

    # One small wrapper per method (this runs several times for every test).
    key = id(result)  # of state.current
    result.startTest = functools.partial(_start_test, result.startTest, key)
    result.stopTest = functools.partial(_stop_test, result.stopTest, key)

    def wrap_outcome(name, outcome):
        original = getattr(result, name, None)
        if original is None:
            return

        def wrapper(test, *rest):
            try:
                _on_outcome(result, outcome, test, rest)
            except Exception:
                hook_error(name)
            if picklable:
                rest = tuple(_without_traceback(arg) for arg in rest)
            return original(test, *rest)

        setattr(result, name, wrapper)

    for name, outcome in _OUTCOMES.items():
        wrap_outcome(name, outcome)
    original_subtest = getattr(result, "addSubTest", None)
    if original_subtest is not None:

        def addSubTest(test, subtest, err):
            try:
                _on_subtest(result, test, subtest, err)
            except Exception:
                hook_error("addSubTest")
            if picklable:
                err = _without_traceback(err)
            return original_subtest(test, subtest, err)

        result.addSubTest = addSubTest
    if state.stop_requested:
        result.stop()
