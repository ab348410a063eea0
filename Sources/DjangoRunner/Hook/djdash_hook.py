"""The djdash hook: reports every test of a Django run, live, from the process that ran it.

Loaded by djdash's sitecustomize when DJDASH_SOCKET is set. It patches Django's test
runner lazily, when `django.test.runner` is first imported, and never touches settings
or database connections at import time. Events are JSON lines on a Unix socket, one
connection per process, so parallel workers cannot interleave their records. The
protocol is documented in Sources/DjangoRunner/DjangoRunner.docc/EventProtocol.md.

Only the standard library and Django are used. Every patch reports its own failures as
`hook_error` events instead of breaking the user's run.
"""

import datetime
import decimal
import functools
import gc
import io
import json
import mmap
import os
import pathlib
import queue
import signal
import socket
import sys
import threading
import time
import traceback
import types
import unittest
import uuid
import weakref

PROTOCOL_VERSION = 1

# Limits that keep one event small enough to stream, whatever a test does.
OUTPUT_LIMIT = 1 << 20  # bytes kept per stream per test (head and tail halves)
TEXT_LIMIT = 256 << 10  # characters kept of a mail body or one SQL statement
QUERY_LIMIT = 50_000  # queries kept per test; the rest are counted
HOLD_LIMIT = 0.02  # seconds a passing test's result may wait to share a send with the next
PARAM_LIMIT = 1024  # characters kept of one query parameter's repr
PENDING_LIMIT = 1 << 20  # bytes of held lines; a line that does not fit is sent at once

_options = {}
_test_timeout = 0.0  # seconds per test (DJDASH_TEST_TIMEOUT); 0 means none
_stop_on_timeout = False  # DJDASH_STOP_ON_TIMEOUT: no test starts after one timed out
_project_root = ""
_channel = None
_channel_lock = threading.Lock()
_stop_requested = False
_results = weakref.WeakSet()  # results instrumented in this process
_plain_result = unittest.TestResult()  # formats tracebacks exactly as unittest does
_leader = False
_pid = os.getpid()
# DJDASH_AWAIT_LABELS: the runner starts before its labels are known (watch mode starts
# Python and Django while a save settles); run_tests waits for {"cmd": "run"}.
_awaits_labels = False
_given_labels = None
_labels_given = threading.Event()
_labels_inside = None  # DJDASH_LABELS: labels for run_tests from djdash, not the command line
# DJDASH_WARM: the runner becomes a warm server: test environment and databases set up
# once, then each {"cmd": "warm_run"} forks a child that runs the labels and exits.
_warm = False
_warm_served = False  # a warm server serves once, however often the script calls run_tests
_warm_requests = queue.Queue()


# --------------------------------------------------------------------------- channel


class _Pending:
    """Every line a process sends, written here first, where djdash can read it if the
    process dies.

    A passing test's result and every test_started wait here to share one send (the
    flush thread sends them within HOLD_LIMIT), so a test costs no system call of its
    own; only a result that follows no other within HOLD_LIMIT (the run's first) goes
    at once. With DJDASH_RUN_DIR the buffer is a shared mapping of `pending-<pid>` there:
    a process that dies (a segfault, os._exit, SIGKILL) leaves its unsent lines in the
    file, and djdash reads them when the connection ends, so the results before the
    crash and the test it was running are still known.

    The file starts with a 32-byte ASCII header, "<base:20> <capacity:10>\n": the bytes
    sent on the connection before the first line in the file, and the room for lines.
    The lines follow, sent or not, and end at the first zero byte; djdash skips as many
    bytes as it received past `base`. Holding a line is one `mmap.write`: a single call,
    atomic under the GIL, with no lock and no header to keep up to date. When the room
    is full, what is unsent is sent, the room is cleared and `base` moves on, in that
    order, so a reader never takes a line twice; a line cut short by the process dying
    mid-copy has no newline yet and is not taken.

    Lines are written by the thread that runs the tests. Sends (and the clearing) hold
    the channel lock; holding a line does not, so a second thread holding lines while
    the room is cleared could lose one from the file (never from the connection).
    """

    HEADER = 32

    def __init__(self, folder, capacity):
        self.capacity = capacity
        self.base = 0  # bytes sent on the connection before the first line in the room
        self.sent = self.HEADER  # offset in the map up to which lines were sent
        self.durable = False
        self.map = None
        if folder:
            try:
                fd = os.open(os.path.join(folder, "pending-%d" % os.getpid()), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.ftruncate(fd, self.HEADER + capacity)
                    self.map = mmap.mmap(fd, self.HEADER + capacity)
                finally:
                    os.close(fd)
                self.durable = True
            except (OSError, ValueError):
                self.map = None
        if self.map is None:
            self.map = mmap.mmap(-1, self.HEADER + capacity)
        self._write_header()
        self.map.seek(self.HEADER)
        # Holds a line: raises ValueError when it does not fit (see _Channel.send_line).
        self.hold = self.map.write

    def _write_header(self):
        self.map[0 : self.HEADER] = b"%020d %010d\n" % (self.base, self.capacity)

    def unsent(self):
        """The lines held and not sent yet."""
        return self.map[self.sent : self.map.tell()]

    def mark_sent(self, count):
        self.sent += count

    def clear(self):
        """Empties the room once everything in it was sent."""
        used = self.map.tell() - self.HEADER
        if used:
            self.map[self.HEADER : self.HEADER + used] = bytes(used)
        self.map.seek(self.HEADER)
        self.sent = self.HEADER
        self.base += used
        self._write_header()

    def sent_outside(self, count):
        """`count` bytes went out without passing through the room (a line too large
        for it): `base` moves past them. The room must be empty."""
        self.base += count
        self._write_header()


class _Channel:
    """One process's connection to djdash: JSON lines out, commands in."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.pid = os.getpid()
        self.last_result_sent = float("-inf")  # time.perf_counter() of the last result sent at once
        self.pending = _Pending(os.environ.get("DJDASH_RUN_DIR"), PENDING_LIMIT)
        self.hold = self.pending.hold
        self.durable = self.pending.durable
        # The lines of every test, with this process's pid already in (see _start_test).
        self.started_line = b'{"event":"test_started","id":%%s,"pid":%d}\n' % self.pid
        self.passed_line = b'{"event":"test_finished","id":%%s,"pid":%d,"outcome":"pass","duration":%%.6f}\n' % self.pid
        for target, name in ((self._read_commands, "djdash-commands"), (self._flush_held, "djdash-flush")):
            thread = threading.Thread(target=target, name=name)
            thread.daemon = True
            thread.start()

    def send_line(self, line, hold=False):
        """Send now, after whatever is held; or, with `hold`, keep the line for the next
        send (see _Pending), for at most two HOLD_LIMIT ticks. The hot paths call
        `self.hold` themselves and come here only when the line does not fit."""
        if hold:
            try:
                self.hold(line)
                return
            except ValueError:
                pass
        with _channel_lock:
            pending = self.pending
            try:
                pending.hold(line)
            except ValueError:  # the room is full: send what it has and start it over
                self._send_held()
                pending.clear()
                try:
                    pending.hold(line)
                except ValueError:  # larger than the room: straight out
                    self.sock.sendall(line)
                    pending.sent_outside(len(line))
                    return
            if not hold:
                self._send_held()

    def _send_held(self):
        """Sends what is held. Called with the channel lock held."""
        data = self.pending.unsent()
        if data:
            self.sock.sendall(data)
            self.pending.mark_sent(len(data))

    def _flush_held(self):
        """Ticks on its own (never woken per test, which would cost more than it saves)."""
        pending = self.pending
        while True:
            time.sleep(HOLD_LIMIT)
            if pending.map.tell() > pending.sent:
                with _channel_lock:
                    try:
                        self._send_held()
                    except OSError:
                        pass  # the main thread's next send reports it

    def _read_commands(self):
        pending = b""
        while True:
            try:
                chunk = self.sock.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                _abort("djdash went away")
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                try:
                    message = json.loads(line)
                    command = message.get("cmd")
                except (ValueError, AttributeError):
                    continue
                if command == "run":
                    _give_labels(message.get("labels"))
                elif command == "warm_run":
                    _warm_requests.put(message)
                elif command == "stop":
                    _request_stop()
                elif command == "abort":
                    _abort("djdash asked for a hard stop")


def _connect():
    global _channel
    if _channel is not None and _channel.pid == _pid:
        return _channel
    path = os.environ.get("DJDASH_SOCKET")
    if not path:
        return None
    try:
        _channel = _Channel(path)
    except OSError as exc:
        # djdash started this run and is gone (or never listened): nobody would see the
        # results and nobody could stop the run, so leave rather than run on as an orphan.
        _abort("cannot reach djdash at %s (%s)" % (path, exc))
    hello = {
        "event": "hello",
        "protocol": PROTOCOL_VERSION,
        "pid": _pid,
        "ppid": os.getppid(),
        "role": "leader" if _leader else "worker",
        "python": "%d.%d.%d" % sys.version_info[:3],
    }
    _send(json.dumps(hello))  # the channel is set: _send finds it at once
    return _channel


# json.dumps(text, ensure_ascii=False) for one string, without building an encoder each call.
_json_string = json.encoder.encode_basestring


# json.dumps(value, ensure_ascii=False, default=repr, separators=(",", ":")), with the C
# encoder made once: json.dumps builds a new one on every call, which costs more than
# encoding most events. No circular check: events are built here from plain values.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_chunks = (
    _c_make_encoder(None, repr, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    if _c_make_encoder is not None
    else None
)


def _to_json(value):
    if _encode_chunks is None:
        return json.dumps(value, ensure_ascii=False, default=repr, separators=(",", ":"))
    return "".join(_encode_chunks(value, 0))


def emit(event, _hold=False, **fields):
    """Send one event to djdash."""
    fields["event"] = event
    _send(_to_json(fields), _hold)


def _send(line, hold=False):
    """Send one JSON line (without its newline); a broken channel means djdash is gone."""
    _send_encoded(line.encode("utf-8", "replace") + b"\n", hold)


def _send_encoded(data, hold=False):
    """Send one encoded line, or with `hold` a result that may wait to share a send.
    (_stop_test has the `hold` part inline for a plain pass.)"""
    channel = _channel if _channel is not None and _channel.pid == _pid else _connect()
    if channel is None:
        return
    if hold:
        # The first result of a run, or the first after a slow test, goes at once: it is
        # what the user waits for. Within a burst of fast tests, passes share sends.
        now = _perf_counter()
        if now - channel.last_result_sent >= HOLD_LIMIT:
            channel.last_result_sent = now
            hold = False
        else:
            try:
                channel.hold(data)
                return
            except ValueError:
                pass  # the room is full: send_line makes room
    try:
        channel.send_line(data, hold)
    except OSError:
        _abort("lost the connection to djdash")


def _json_id(test_id):
    """A test id as an encoded JSON string, formatted straight into the lines of every test."""
    return _json_string(test_id).encode("utf-8", "replace")


def _give_labels(labels):
    global _given_labels
    if isinstance(labels, list) and all(isinstance(label, str) for label in labels):
        _given_labels = labels
        _labels_given.set()


def _request_stop():
    global _stop_requested
    _stop_requested = True
    _labels_given.set()  # a run still waiting for its labels ends without tests
    _warm_requests.put(None)  # a warm server ends
    for result in list(_results):
        try:
            result.stop()
        except Exception:
            pass


def _abort(reason):
    """Leave at once, taking the whole run's process group along."""
    try:
        sys.stderr.write("djdash: %s; stopping the test run now\n" % reason)
        sys.stderr.flush()
    except Exception:
        pass
    channel = _channel
    if channel is not None and channel.pid == _pid and channel.pending.unsent() and _channel_lock.acquire(timeout=0.2):
        try:  # results held for batching were finished: send them if djdash still listens
            channel.sock.settimeout(0.2)
            channel._send_held()
        except Exception:
            pass
        finally:
            _channel_lock.release()
    group = os.environ.get("DJDASH_PGID")
    if group and group.isdigit() and os.getpgrp() == int(group):
        try:
            os.killpg(int(group), signal.SIGKILL)
        except OSError:
            pass
    os._exit(130)


def _after_fork_in_child():
    global _channel, _channel_lock, _leader, _pid, _capture
    _channel = None  # reconnect lazily: never share the parent's socket
    _channel_lock = threading.Lock()  # another thread may have held the parent's at the fork
    _leader = False
    _pid = os.getpid()
    _capture = None
    _enable_crash_report()


def _enable_crash_report():
    """Point faulthandler at a per-process file djdash reads if the process dies."""
    folder = os.environ.get("DJDASH_RUN_DIR")
    if not folder:
        return
    try:
        import faulthandler

        path = os.path.join(folder, "crash-%d.txt" % os.getpid())
        handle = open(path, "w")
        faulthandler.enable(file=handle, all_threads=True)
        _enable_crash_report.handle = handle  # keep it open for the process' life
    except Exception:
        pass


def _hook_error(where):
    emit("hook_error", where=where, traceback=traceback.format_exc())


# ------------------------------------------------------------------------ formatting


def _clip(text, limit=TEXT_LIMIT):
    if len(text) <= limit:
        return text
    return text[:limit] + "\n… [%d more characters cut by djdash]" % (len(text) - limit)


def _described(value, limit=TEXT_LIMIT):
    """A str as it is (clipped), anything else as _inert_repr's text: a skip reason."""
    return _clip(value if type(value) is str else _inert_repr(value), limit)


def _plain(value, limit=PARAM_LIMIT):
    """A JSON-safe copy of a value that runs none of the value's own code: primitives as
    they are, anything else as _inert_repr's text."""
    kind = type(value)
    if kind is str:
        return _clip(value, limit)
    if kind is int or kind is bool or value is None:
        return value
    if kind is float and value == value and value not in (_INF, -_INF):
        return value
    return _clip(_inert_repr(value), limit)


_INF = float("inf")
_INERT_ITEMS = 50  # items of a container shown before "…"
_MISSING = object()
# Types whose repr is the standard library's own, never a subclass's (checked by exact type).
_STDLIB_REPR = frozenset(
    (int, float, complex, bool, str, bytes, bytearray, type(None), range, type(Ellipsis), decimal.Decimal,
     uuid.UUID, datetime.date, datetime.datetime, datetime.time, datetime.timedelta, datetime.timezone,
     pathlib.PurePosixPath, pathlib.PosixPath)
)  # fmt: skip
_CONTAINERS = (list, tuple, set, frozenset, dict)


def _inert_repr(value, depth=0):
    """repr() for the types whose repr is the standard library's own, and containers of
    them; for anything else what can be read off its type and instance dict without
    running its code: `<app.models.Product object>`, a model instance's primary key, a
    QuerySet's model and whether the test evaluated it.

    It never calls a method of the value (no `repr`, `__str__`, `__eq__`, properties, no
    `isinstance`, which asks a lazy object for its `__class__` and so evaluates it): a
    subtest's parameters are formatted while the test may be inside `assertNumQueries`,
    a transaction or a mock. It never raises.
    """
    try:
        kind = type(value)
        if (kind is str or kind is bytes or kind is bytearray) and len(value) > PARAM_LIMIT:
            return "%s… (%d more)" % (repr(value[:PARAM_LIMIT]), len(value) - PARAM_LIMIT)
        if kind in _STDLIB_REPR:
            tzinfo = getattr(value, "tzinfo", None) if kind is datetime.datetime or kind is datetime.time else None
            if tzinfo is not None and type(tzinfo).__module__ not in ("datetime", "zoneinfo"):
                return "<%s with a %s>" % (kind.__name__, type(tzinfo).__qualname__)
            return repr(value)
        if kind is memoryview:
            return "<memoryview of %d bytes>" % value.nbytes
        if kind in _CONTAINERS:
            return _inert_container(value, kind, depth)
        fields = _instance_dict(value)
        if _class_attribute(kind, "_member_map_") is not None:  # an Enum member (Django's choices too)
            return "%s.%s" % (kind.__qualname__, fields.get("_name_", "?"))
        meta = _class_attribute(kind, "_meta")
        pk = getattr(meta, "pk", None) if type(meta).__name__ == "Options" else None
        if pk is not None:  # a model instance
            attname = pk.attname
            key = _inert_repr(fields[attname], depth + 1) if attname in fields else "?"
            return "<%s.%s: pk=%s>" % (kind.__module__, kind.__qualname__, key)
        if any(base.__name__ == "QuerySet" and base.__module__ == "django.db.models.query" for base in kind.__mro__):
            model = getattr(fields.get("model"), "__name__", "?")
            cache = fields.get("_result_cache")
            if type(cache) is list:
                return "<%s of %s: %d rows, as evaluated by the test>" % (kind.__name__, model, len(cache))
            return "<%s of %s, not evaluated>" % (kind.__name__, model)
        return "<%s.%s object>" % (kind.__module__, kind.__qualname__)
    except Exception:
        return "<a value djdash could not describe>"


def _inert_container(value, kind, depth):
    if depth >= 3:
        return "%s(…)" % kind.__name__
    items = list(dict.items(value) if kind is dict else value)  # the built-in types' own iteration
    parts = [
        ("%s: %s" % (_inert_repr(item[0], depth + 1), _inert_repr(item[1], depth + 1)))
        if kind is dict
        else _inert_repr(item, depth + 1)
        for item in items[:_INERT_ITEMS]
    ]
    if len(items) > _INERT_ITEMS:
        parts.append("… %d more" % (len(items) - _INERT_ITEMS))
    body = ", ".join(parts)
    if kind is list:
        return "[%s]" % body
    if kind is tuple:
        return "(%s,)" % body if len(items) == 1 else "(%s)" % body
    if kind is dict:
        return "{%s}" % body
    return "%s({%s})" % (kind.__name__, body) if items else "%s()" % kind.__name__


def _class_attribute(kind, name):
    """`name` from the class dicts along `kind`'s MRO: no metaclass __getattr__, no descriptor."""
    for base in kind.__mro__:
        found = base.__dict__.get(name, _MISSING)
        if found is not _MISSING:
            return found
    return None


def _instance_dict(value):
    try:
        fields = object.__getattribute__(value, "__dict__")
    except Exception:
        return {}
    return fields if type(fields) is dict else {}


def _frames(tb):
    frames = []
    for frame in traceback.extract_tb(tb):
        frames.append(
            {"file": frame.filename, "line": frame.lineno, "function": frame.name, "source": frame.line or ""}
        )
    return frames


def _without_hook_frames(tb):
    """Cut a traceback where it enters this module (the timeout's signal handler), so
    it ends in the user's code, where the test was when it was stopped."""
    previous, entry = None, tb
    while entry is not None:
        if entry.tb_frame.f_code.co_filename == __file__ and previous is not None:
            previous.tb_next = None
            break
        previous, entry = entry, entry.tb_next
    return tb


def _problem(outcome, test, err):
    """Describe one failure or error: exception, message, frames and unittest's text."""
    exctype, value, tb = err
    if exctype is TestTimeout:
        tb = _without_hook_frames(tb)
        err = (exctype, value, tb)
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
        "message": _clip(message),
        "traceback": _frames(tb),
        "traceback_text": _clip(text),
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


# ------------------------------------------------------------------- test timeout


class TestTimeout(Exception):
    """Raised inside a test that ran longer than djdash's --test-timeout."""


def _on_alarm(signum, frame):
    raise TestTimeout("the test ran longer than its %g s timeout (djdash --test-timeout)" % _test_timeout)


def _arm_timeout():
    """Start the test's timer; returns the previous SIGALRM handler, or None if unarmed."""
    if _test_timeout <= 0 or threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, _test_timeout)
    return previous


def _disarm_timeout(previous):
    if previous is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------- SQL capture


_setup_queries = []  # queries since the last test ended: class and fixture setup
_queries = _setup_queries  # where the execute wrapper appends: the running test's list or setup's
_query_overflow = [0]
# co_filename -> _PROJECT, _LIBRARY or _BOUNDARY. By file, not by code object: a string
# keeps its hash, a code object hashes its constants and names on every look-up.
_origin_cache = {}


_PROJECT, _LIBRARY, _BOUNDARY = 1, 0, -1
# Frames of the test machinery: above them lies only the runner, never the test's code.
_BOUNDARY_FILES = (
    os.sep + os.path.join("unittest", "case.py"),
    os.sep + os.path.join("django", "test", "testcases.py"),
)


def _classify(frame):
    path = frame.f_code.co_filename
    kind = _origin_cache.get(path)
    if kind is None:
        if path.endswith(_BOUNDARY_FILES):
            kind = _BOUNDARY
        elif (
            _project_root
            and path.startswith(_project_root)
            and "site-packages" not in path
            and "dist-packages" not in path
            and path != __file__
            # The entry script (manage.py, runtests.py) is on every stack: never an origin.
            and frame.f_globals.get("__name__") != "__main__"
        ):
            kind = _PROJECT
        else:
            kind = _LIBRARY
        _origin_cache[path] = kind
    return kind


def _origin():
    """The innermost project frame that issued the query, searched up to the test
    machinery (Django's own savepoints and fixtures have none)."""
    frame = sys._getframe(2)
    cache = _origin_cache
    while frame is not None:
        kind = cache.get(frame.f_code.co_filename)
        if kind is None:
            kind = _classify(frame)
        if kind == _LIBRARY:  # most frames: one dictionary look-up each
            frame = frame.f_back
            continue
        if kind == _PROJECT:
            return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        if kind == _BOUNDARY:
            return None
        frame = frame.f_back
    return None


_MAIN_THREAD = threading.main_thread().ident
_get_ident = threading.get_ident
# The thread inside TestCase._enter_atomics, _rollback_atomics or _fixture_teardown (Django
# opening and rolling back the transactions around a class and a test, and checking
# deferred constraints), else None: every statement there is Django's test isolation,
# run without being timed or recorded.
_atomics_thread = None
# Django's own transaction statements: between tests, with no project frame behind them,
# they are the test isolation machinery (TransactionTestCase's, a nested atomics' …).
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "PRAGMA foreign_key_check", "BEGIN")


_perf_counter = time.perf_counter
_modules = sys.modules


def _execute_wrapper(execute, sql, params, many, context):
    if _atomics_thread is not None and _atomics_thread == _get_ident():
        return execute(sql, params, many, context)  # Django's bookkeeping: not even timed
    start = _perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed = _perf_counter() - start
        target = _queries
        if len(target) < QUERY_LIMIT:
            origin = _origin()
            if origin is not None or target is not _setup_queries or not str(sql).startswith(_BOOKKEEPING):
                connection = context.get("connection") if context else None
                thread = None if _get_ident() == _MAIN_THREAD else threading.current_thread().name
                target.append((sql, params, many, getattr(connection, "alias", None), elapsed, thread, origin))
        else:
            _query_overflow[0] += 1


def _patch_test_atomics():
    """Marks TestCase's own transaction work (see _atomics_thread); skipped where Django
    has none of it."""
    from django.test import TestCase

    def marking(original):
        def marked(*args, **kwargs):
            global _atomics_thread
            outer = _atomics_thread
            _atomics_thread = _get_ident()
            try:
                return original(*args, **kwargs)
            finally:
                _atomics_thread = outer

        marked.__wrapped__ = original
        return marked

    for name in ("_enter_atomics", "_rollback_atomics", "_fixture_teardown"):
        original = TestCase.__dict__.get(name)
        if isinstance(original, classmethod):
            setattr(TestCase, name, classmethod(marking(original.__func__)))
        elif isinstance(original, types.FunctionType):
            setattr(TestCase, name, marking(original))


def _forget_setup_queries():
    del _setup_queries[:]


# Parameter types JSON takes as they are (a str only up to PARAM_LIMIT: see _plain).
_AS_THEY_ARE = frozenset((int, bool, type(None)))


def _query_json(record):
    sql, params, many, alias, elapsed, thread, origin = record
    sql = str(sql)
    entry = {
        "sql": sql if len(sql) <= TEXT_LIMIT else _clip(sql),
        "alias": alias,
        "duration": int(elapsed * 1e7) / 1e7,  # to 0.1 µs (round() costs more than the rest)
    }
    if thread is not None:  # absent: the main thread
        entry["thread"] = thread
    if many:
        rows = params if isinstance(params, (list, tuple)) else None
        entry["many"] = True
        entry["rows"] = len(rows) if rows is not None else None
        params = rows[0] if rows else None
    if isinstance(params, (list, tuple)):
        entry["params"] = [
            v if type(v) in _AS_THEY_ARE or (type(v) is str and len(v) <= PARAM_LIMIT) else _plain(v) for v in params
        ]
    elif isinstance(params, dict):
        entry["params"] = {str(k): _plain(v) for k, v in params.items()}
    elif params is not None:
        entry["params"] = [_plain(params)]
    if origin is not None:
        entry["origin"] = {"file": origin[0], "line": origin[1], "function": origin[2]}
    return entry


def _wrap_connection(connection):
    wrappers = getattr(connection, "execute_wrappers", None)
    if wrappers is not None and _execute_wrapper not in wrappers:
        wrappers.append(_execute_wrapper)


def _install_sql_capture():
    """Wrap every database connection, in every thread, whenever it is created."""
    try:
        from django.db.backends.base.base import BaseDatabaseWrapper
    except Exception:
        _hook_error("sql capture")
        return
    original_init = BaseDatabaseWrapper.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        _wrap_connection(self)

    BaseDatabaseWrapper.__init__ = __init__
    try:
        from django.conf import settings
        from django.db import connections

        # Connections made before this (a runner imported after django.setup()) are
        # wrapped here. Before the entry point configured settings there can be none, and
        # asking `connections` would read settings.DATABASES: that configures them from
        # whatever DJANGO_SETTINGS_MODULE says, before a runtests.py's settings.configure().
        if settings.configured and "settings" in connections.__dict__:
            for connection in connections.all(initialized_only=True):
                _wrap_connection(connection)
    except TypeError:  # Django < 4.1 has no initialized_only
        pass
    except Exception:
        _hook_error("sql capture of existing connections")


# ---------------------------------------------------------------------- mail capture


def _outbox():
    mail = sys.modules.get("django.core.mail")
    return getattr(mail, "outbox", None) if mail is not None else None


def _field(message, name, default=None):
    """A message's attribute without running its code: from the instance, else a plain
    class value; a property or other descriptor counts as absent."""
    values = _instance_dict(message)
    if name in values:
        return values[name]
    value = _class_attribute(type(message), name)
    return default if value is None or hasattr(type(value), "__get__") else value


def _text(value):
    """A mail field as text without running the project's code: strings as they are,
    bytes decoded, Django's lazy strings (a translated subject) and email's Address
    objects through their own str(); anything else by its type's name, as Django's
    str() of it would run the project's __str__."""
    if value is None:
        return ""
    if issubclass(type(value), str):
        return str.__str__(value)
    if issubclass(type(value), (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    functional = sys.modules.get("django.utils.functional")
    if functional is not None and issubclass(type(value), functional.Promise):
        return str(value)
    registry = sys.modules.get("email.headerregistry")
    if registry is not None and type(value) in (registry.Address, registry.Group):
        return str(value)
    return "<%s>" % type(value).__name__


def _addresses(value):
    return [_text(address) for address in value] if issubclass(type(value), (list, tuple)) else []


def _mail_json(message):
    headers = _field(message, "extra_headers")
    entry = {
        "subject": _clip(_text(_field(message, "subject"))),
        "from": _text(_field(message, "from_email")),
        "to": _addresses(_field(message, "to")),
        "cc": _addresses(_field(message, "cc")),
        "bcc": _addresses(_field(message, "bcc")),
        "reply_to": _addresses(_field(message, "reply_to")),
        "headers": {_text(k): _text(v) for k, v in dict.items(headers)} if issubclass(type(headers), dict) else {},
        "body": _clip(_text(_field(message, "body"))),
        "content_subtype": _text(_field(message, "content_subtype", "plain")) or "plain",
        "alternatives": [],
        "attachments": [],
    }
    # Django 6.1's MAILERS: the alias of the mailer that sent it (None without MAILERS).
    sent_using = _field(message, "sent_using")
    if issubclass(type(sent_using), str):
        entry["sent_using"] = str.__str__(sent_using)
    alternatives = _field(message, "alternatives")
    for alternative in alternatives if issubclass(type(alternatives), (list, tuple)) else ():
        if issubclass(type(alternative), (list, tuple)) and len(alternative) >= 2:
            entry["alternatives"].append({"mimetype": _text(alternative[1]), "content": _clip(_text(alternative[0]))})
    attachments = _field(message, "attachments")
    for attachment in attachments if issubclass(type(attachments), (list, tuple)) else ():
        entry["attachments"].append(_attachment_json(attachment))
    return entry


def _attachment_json(attachment):
    """Name, type and size in bytes of one attachment, in any shape Django takes: a
    (filename, content, mimetype) tuple (EmailAttachment since 5.2), or a MIME part
    (MIMEBase; email.message.MIMEPart since 6.0). The size is left out when only the
    project's code could tell it (a message/rfc822 attachment, content of another type)."""
    parts = sys.modules.get("email.message")
    if parts is not None and issubclass(type(attachment), parts.Message):
        # Message's own methods, not overrides: a subclass's code never runs.
        Message = parts.Message
        name = Message.get_filename(attachment)
        entry = {
            "name": name if issubclass(type(name), str) else "",
            "mimetype": Message.get_content_type(attachment),
        }
        if not Message.is_multipart(attachment):
            payload = Message.get_payload(attachment, decode=True)
            if issubclass(type(payload), bytes):
                entry["size"] = len(payload)
        return entry
    if not issubclass(type(attachment), (list, tuple)) or len(attachment) < 3:
        return {"name": "", "mimetype": "<%s>" % type(attachment).__name__}
    name, content, mimetype = attachment[0], attachment[1], attachment[2]
    entry = {
        "name": str.__str__(name) if issubclass(type(name), str) else "",
        "mimetype": str.__str__(mimetype) if issubclass(type(mimetype), str) else "",
    }
    if issubclass(type(content), str):
        entry["size"] = len(str.encode(content, "utf-8", "surrogateescape"))
    elif issubclass(type(content), (bytes, bytearray)):
        entry["size"] = len(content)
    elif issubclass(type(content), memoryview):
        entry["size"] = content.nbytes
    return entry


# -------------------------------------------------------------------- output capture


class _BoundedSink(io.BufferedIOBase):
    """Keeps the head and the tail of what a test writes, and counts the rest.

    A buffered stream in its own right, so the text wrapper writes straight into it.
    """

    def __init__(self, limit):
        self.half = limit // 2
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        written = len(data)
        self.total += written
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.half:
                del self.tail[: len(self.tail) - self.half]
        return written

    def reset(self):
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def text(self):
        kept = len(self.head) + len(self.tail)
        body = bytes(self.head)
        if self.total > kept:
            body += ("\n… [%d bytes cut by djdash] …\n" % (self.total - kept)).encode()
        body += bytes(self.tail)
        return body.decode("utf-8", "replace")


class _Capture:
    """The pair of streams that stand in for sys.stdout and sys.stderr during a test.

    One pair per process, reused from test to test (building them costs more than most
    tests take); a test that runs tests of its own gets a fresh pair for those.
    """

    def __init__(self):
        self.sinks = (_BoundedSink(OUTPUT_LIMIT), _BoundedSink(OUTPUT_LIMIT))
        self.streams = tuple(
            io.TextIOWrapper(sink, encoding="utf-8", errors="backslashreplace", write_through=True)
            for sink in self.sinks
        )
        self.saved = None

    def finish(self):
        """Puts the previous streams back; returns what the test wrote, and resets."""
        if sys.stdout is self.streams[0] and sys.stderr is self.streams[1]:
            sys.stdout, sys.stderr = self.saved
        self.saved = None
        out, err = self.sinks
        if not (out.total or err.total):
            return "", ""
        texts = []
        for stream, sink in zip(self.streams, self.sinks):
            if sink.total:
                texts.append(sink.text())
                sink.reset()
            else:
                texts.append("")
        return texts[0], texts[1]


_capture = None  # the process's pair, reused from test to test (see _Record)


class _Written:
    """How much a test wrote to one of unittest's buffers (the `total` of a _BoundedSink)."""

    __slots__ = ("buffer",)

    def __init__(self, buffer):
        self.buffer = buffer

    @property
    def total(self):
        return self.buffer.tell()


class _UnittestBuffers:
    """Stands in for _Capture when the result buffers output itself (`--buffer`).

    unittest's StringIO buffers stay where it put them: its failure report reads them
    (`sys.stdout.getvalue()`) while the test runs, and would fail on djdash's streams.
    What the test wrote is read from them when it ends, before unittest empties them.
    """

    streams = (None, None)
    saved = None

    def __init__(self, result):
        self.buffers = (result._stdout_buffer, result._stderr_buffer)
        self.sinks = tuple(_Written(buffer) for buffer in self.buffers)

    def finish(self):
        return tuple(_clip(buffer.getvalue(), OUTPUT_LIMIT) for buffer in self.buffers)


def _unittest_buffers(result):
    """The result's own output buffers when it buffers (`--buffer`), else None."""
    if result is None or not getattr(result, "buffer", False):
        return None
    if getattr(result, "_stdout_buffer", None) is not sys.stdout or getattr(result, "_stderr_buffer", None) is None:
        return None
    return _UnittestBuffers(result)


# ---------------------------------------------------------------- result reporting


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
    problems = subtests = templates = ()

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


_rendering = None  # the _Record of the test running, if any (template_rendered adds to it)
_mail = None  # django.core.mail, once imported


def _begin(record, test, test_id, buffers=None):
    """Starts `record` for `test`: the queries from here are its own, its output is
    captured (by `buffers`, unittest's own, when the result buffers), the mail it sends
    is told apart from the outbox's earlier mail."""
    global _queries, _setup_queries, _capture, _rendering, _mail
    record.test = test
    record.test_id = test_id
    record.setup_queries = _setup_queries
    _queries = record.queries = []
    _setup_queries = []
    mail = _mail
    if mail is None:
        mail = _mail = _modules.get("django.core.mail")
    box = record.outbox = getattr(mail, "outbox", None) if mail is not None else None
    record.outbox_start = len(box) if box is not None else 0
    if buffers is not None:
        record.capture = buffers
    else:
        capture = _capture
        if capture is None:
            capture = _capture = _Capture()
        elif capture.saved is not None:  # a test running tests of its own
            capture = _Capture()
        capture.saved = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = capture.streams
        record.capture = capture
    _rendering = record
    record.modules_before = len(_modules)
    record.started = _perf_counter()
    return record


def _imported_since(record):
    """Project files of the modules the test imported first (sys.modules keeps insertion
    order, so they follow the ones there when it started): edges no import statement
    shows, for the selection. Costs one len() a test unless something was imported."""
    before = record.modules_before
    if len(_modules) <= before or not _project_root:
        return ()
    files = []
    for name in list(_modules)[before:]:
        module = _modules.get(name)
        path = getattr(module, "__file__", None) if type(module) is types.ModuleType else None
        if type(path) is str:
            path = os.path.abspath(path)  # a sys.path entry like "tests/.." leaves its dots in __file__
            if path.startswith(_project_root):
                files.append(path[len(_project_root) :])
    return files


def _on_template_rendered(sender, template=None, **kwargs):
    """Django's test environment signals every template it renders: which tests
    rendered which templates tells the selection what a template change affects."""
    name = getattr(template, "name", None)
    record = _rendering
    if name and record is not None:
        if not record.templates:
            record.templates = set()
        record.templates.add(str(name))
        record.plain = False


_current = {}  # id(result) -> _Record of the test that result is running


_RANK = {"pass": 0, "skip": 1, "xfail": 2, "xpass": 3, "fail": 4, "error": 5}


def _mails_since(record):
    box = _outbox()
    if not box:
        return []
    start = record.outbox_start if box is record.outbox else 0
    if len(box) <= start:
        return []
    mails = []
    for message in list(box)[start:]:
        try:
            mails.append(_mail_json(message))
        except Exception as exc:
            mails.append({"subject": "<djdash could not read this mail: %s>" % type(exc).__name__})
    return mails


def _finish(record, test_id, kind):
    """Send test_finished. Empty fields are left out (readers treat absent as empty);
    the --events file djdash writes always has them all."""
    global _queries, _rendering
    _disarm_timeout(record.alarm)
    if _stop_on_timeout and any(p["exception"] == TestTimeout.__qualname__ for p in record.problems):
        _request_stop()  # here, before the next test can start; djdash tells the others
    stdout, stderr = record.capture.finish()
    _queries = _setup_queries
    if _rendering is record:
        _rendering = None
    duration = _perf_counter() - record.started
    imported = _imported_since(record)
    if (
        record.outcome in (None, "pass")
        and kind == "test"
        and not imported
        and not (stdout or stderr or record.queries or record.setup_queries or record.subtests or record.templates)
        and not _query_overflow[0]
        and not _has_new_mail(record)
    ):
        # A plain pass, formatted directly (json.dumps costs more than the test).
        json_id = (record.json_id if test_id == record.test_id else None) or _json_id(test_id)
        channel = _channel if _channel is not None and _channel.pid == _pid else _connect()
        if channel is not None:
            _send_encoded(channel.passed_line % (json_id, duration), hold=True)
        return
    fields = {
        "id": test_id,
        "pid": _pid,
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
        fields["queries"] = [_query_json(q) for q in record.queries]
    if record.setup_queries:
        fields["setup_queries"] = [_query_json(q) for q in record.setup_queries]
    if _query_overflow[0]:
        fields["queries_dropped"], _query_overflow[0] = _query_overflow[0], 0
    mails = _mails_since(record)
    if mails:
        fields["mails"] = mails
    if record.subtests:
        fields["subtests"] = record.subtests
    if record.templates:
        fields["templates"] = sorted(record.templates)
    if imported:
        fields["imported"] = sorted(imported)
    # Results that need attention go at once; a pass may share the next test's send.
    emit("test_finished", _hold=fields["outcome"] in ("pass", "skip", "xfail"), **fields)


def _has_new_mail(record):
    """Whether the test sent mail (_stop_test has this inline for a plain pass)."""
    box = _outbox()
    if not box:
        return False
    return box is not record.outbox or len(box) > record.outbox_start


# type -> ("module.Class.", the same as the start of a JSON string: '"module.Class.' encoded)
# when the type keeps unittest's own id(), else None.
_id_prefixes = {}


def _id_prefix(cls):
    if getattr(cls, "id", None) is unittest.TestCase.id:
        prefix = "%s.%s." % (cls.__module__, cls.__qualname__)
        entry = (prefix, _json_id(prefix)[:-1])
    else:
        entry = None
    _id_prefixes[cls] = entry
    return entry


def _test_id(test):
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
            encoded = _json_id(test_id)
        # unittest swapped in its StringIO buffers (--buffer): they stay.
        buffers = _unittest_buffers(getattr(original, "__self__", None)) if type(sys.stdout) is io.StringIO else None
        record = _current[key] = _begin(_new_record(_Record), test, test_id, buffers)
        record.json_id = encoded
        channel = _channel if _channel is not None and _channel.pid == _pid else _connect()
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
                _abort("lost the connection to djdash")
        if _test_timeout > 0:
            record.alarm = _arm_timeout()
    except Exception:
        _hook_error("startTest")
    return value


def _stop_test(original, key, test):
    """result.stopTest on every test: a plain pass is reported on this short path (see
    _start_test); anything else through _finish."""
    global _queries, _rendering
    try:
        record = _current.pop(key, None)
        if record is None:
            pass
        elif (
            record.plain
            and record.test is test
            and record.alarm is None
            and len(_modules) == record.modules_before
            and not (record.queries or record.setup_queries or _query_overflow[0])
            and _kinds.get(type(test)) == "test"
            and not (record.capture.sinks[0].total or record.capture.sinks[1].total)
            and not (
                (box := getattr(_mail, "outbox", None)) and (box is not record.outbox or len(box) > record.outbox_start)
            )
        ):
            capture = record.capture
            streams = capture.streams
            if sys.stdout is streams[0] and sys.stderr is streams[1]:
                sys.stdout, sys.stderr = capture.saved
            capture.saved = None
            _queries = _setup_queries
            _rendering = None
            channel = _channel  # the one _start_test connected, if any
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
                    _abort("lost the connection to djdash")
        else:
            _finish(record, record.test_id if record.test is test else test.id(), _kind_of(test))
    except Exception:
        _hook_error("stopTest")
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
    record = _current.get(id(result))
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
        record.add_subtest(_subtest_json(test, "skip", None, _described(args[0])))
        return
    record.note(outcome)
    if outcome in ("fail", "error"):
        record.add_problem(_problem(outcome, test, args[0]))
    elif outcome == "skip":
        record.reason = _described(args[0])
    elif outcome == "xfail":
        record.add_problem(_problem("xfail", test, args[0]))


def _subtest_description(subtest):
    """unittest's `_subDescription()`, `[message] (name=value, …)`, with every value
    through _inert_repr: unittest's own calls repr() on the parameters, inside the test."""
    fields = _instance_dict(subtest)
    parts = []
    message = fields.get("_message", _MISSING)
    if message is not _MISSING and message is not getattr(unittest.case, "_subtest_msg_sentinel", None):
        parts.append("[%s]" % (message if type(message) is str else _inert_repr(message)))
    params = fields.get("params")
    if params:
        parts.append("(%s)" % ", ".join("%s=%s" % (key, _inert_repr(value)) for key, value in _param_items(params)))
    return " ".join(parts) or "(<subtest>)"


def _param_items(params):
    """A subtest's parameters (a ChainMap of the nested subTest calls' keywords)."""
    try:
        merged = {}
        for mapping in reversed(getattr(params, "maps", None) or [params]):
            if type(mapping) is dict:
                merged.update(mapping)
        return [(key if type(key) is str else _inert_repr(key), value) for key, value in merged.items()]
    except Exception:
        return []


def _subtest_json(subtest, outcome, problem, reason=""):
    entry = {
        "description": _subtest_description(subtest),
        "params": {key: _plain(value) for key, value in _param_items(_instance_dict(subtest).get("params"))},
        "outcome": outcome,
        "message": problem["message"] if problem else reason,
    }
    if problem:
        entry["exception"] = problem["exception"]
        entry["traceback"] = problem["traceback"]
        entry["traceback_text"] = problem["traceback_text"]
    return entry


def _on_subtest(result, test, subtest, err):
    record = _current.get(id(result))
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
    _results.add(result)
    picklable = _needs_picklable_errors(result)

    # One small wrapper per method (this runs several times for every test).
    key = id(result)  # of _current
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
                _hook_error(name)
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
                _hook_error("addSubTest")
            if picklable:
                err = _without_traceback(err)
            return original_subtest(test, subtest, err)

        result.addSubTest = addSubTest
    if _stop_requested:
        result.stop()


# ------------------------------------------------------------------- runner patches


def _apply_options(original_init):
    """Wrap DiscoverRunner.__init__ so djdash's flags apply whatever the entry point."""
    import inspect

    signature = inspect.signature(original_init)
    parameters = signature.parameters
    var_keyword = next((p.name for p in parameters.values() if p.kind is p.VAR_KEYWORD), None)

    def __init__(self, *args, **kwargs):
        try:
            bound = signature.bind_partial(self, *args, **kwargs)
            options = dict(_options)
            options["interactive"] = False  # djdash's runs never prompt
            if options.get("parallel") == "auto":
                from django.test.runner import get_max_test_processes

                options["parallel"] = get_max_test_processes()
            for name, value in options.items():
                if name in parameters and parameters[name].kind is not parameters[name].VAR_KEYWORD:
                    bound.arguments[name] = value
                elif var_keyword is not None:
                    bound.arguments.setdefault(var_keyword, {})[name] = value
            args, kwargs = bound.args[1:], bound.kwargs
        except Exception:
            _hook_error("runner options")
        original_init(self, *args, **kwargs)

    return __init__


def _test_ids(suite):
    from django.test.utils import iter_test_cases

    return [_test_id(test) for test in iter_test_cases(suite)]


def _in_given_order(tests, classes, reverse=False, shuffler=None):
    """Django's reorder_tests without the reordering: the labels' own order, duplicates
    dropped. Used for exact-order runs (DJDASH_EXACT_ORDER), e.g. a polluter then its
    victim, where Django would otherwise group tests by class and type."""
    seen = set()
    for test in tests:
        if test not in seen:
            seen.add(test)
            yield test


def _emit_runner_started(runner, labels):
    import django

    kind = type(runner)
    emit(
        "runner_started",
        pid=os.getpid(),
        django=django.get_version(),
        runner="%s.%s" % (kind.__module__, kind.__qualname__),
        labels=[str(label) for label in labels],
    )


def _source_folders():
    """sys.path as the runner has it, less the standard library, installed packages and
    djdash's own folder: where the project's code is imported from (an editable
    install's source folder included, through its .pth file)."""
    import site
    import sysconfig

    installed = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix) if p}
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            installed.add(os.path.realpath(sysconfig.get_path(name)))
        except Exception:
            pass
    try:
        installed.update(os.path.realpath(p) for p in site.getsitepackages() + [site.getusersitepackages()])
    except Exception:
        pass
    hook = os.path.dirname(os.path.realpath(__file__))
    folders = []
    for entry in sys.path:
        folder = os.path.realpath(entry or os.getcwd())
        if folder == hook or not os.path.isdir(folder) or folder in folders:
            continue
        if any(folder == root or folder.startswith(root + os.sep) for root in installed):
            continue
        folders.append(folder)
    return folders


def _setting(settings, name, default=None):
    try:
        return getattr(settings, name, default)
    except Exception:
        return default


def _dotted(values):
    """Dotted paths from a setting: strings only (a class or callable is named by type)."""
    return [value if type(value) is str else _inert_repr(value) for value in (values or [])]


def _emit_project_loaded():
    """What Django really loaded, for djdash's selection and watching: the source
    folders, settings, apps and the project modules django.setup() imported. Sent once per
    run, after the entry point configured settings and before any test."""
    from django.apps import apps
    from django.conf import settings

    folders = _source_folders()
    templates = []
    for engine in _setting(settings, "TEMPLATES", []) or []:
        if type(engine) is not dict:
            continue
        options = engine.get("OPTIONS") or {}
        templates.append(
            {
                "backend": str(engine.get("BACKEND", "")),
                "dirs": [str(d) for d in engine.get("DIRS") or []],
                "app_dirs": bool(engine.get("APP_DIRS", False)),
                "context_processors": _dotted(options.get("context_processors")),
                "builtins": _dotted(options.get("builtins")),
                "libraries": {str(k): str(v) for k, v in (options.get("libraries") or {}).items()},
                "loaders": [_inert_repr(loader) if type(loader) is not str else loader for loader in options.get("loaders") or []],
            }
        )
    storages = _setting(settings, "STORAGES", None)
    modules = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) if type(module) is types.ModuleType else None
        if path and any(path.startswith(folder + os.sep) for folder in folders):
            modules.append(os.path.realpath(path))
    emit(
        "project_loaded",
        directory=os.getcwd(),
        source_folders=folders,
        settings_module=_setting(settings, "SETTINGS_MODULE") or None,
        apps=[
            {"name": config.name, "label": config.label, "path": str(config.path)} for config in apps.get_app_configs()
        ],
        root_urlconf=str(_setting(settings, "ROOT_URLCONF", "") or "") or None,
        middleware=_dotted(_setting(settings, "MIDDLEWARE", [])),
        templates=templates,
        fixture_dirs=[str(d) for d in _setting(settings, "FIXTURE_DIRS", []) or []],
        authentication_backends=_dotted(_setting(settings, "AUTHENTICATION_BACKENDS", [])),
        email_backend=str(_setting(settings, "EMAIL_BACKEND", "") or ""),
        storages={str(k): str((v or {}).get("BACKEND", "")) for k, v in storages.items()} if type(storages) is dict else {},
        modules=sorted(set(modules)),
    )


def _project_files_loaded():
    """Files of the project's modules this process has imported."""
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and _project_root and os.path.abspath(path).startswith(_project_root):
            files.add(os.path.abspath(path)[len(_project_root) :])
    return sorted(files)


def _is_dummy(connection):
    """Django's stand-in when a project has no DATABASES: nothing to set up or clone."""
    return connection.settings_dict.get("ENGINE") == "django.db.backends.dummy"


def _shared_aliases(connections):
    """Aliases whose test database is not SQLite in memory: a fork shares them."""
    shared = []
    for alias in sorted(connections):
        connection = connections[alias]
        if _is_dummy(connection):
            continue
        name = connection.creation._get_test_db_name()
        if connection.vendor != "sqlite" or not connection.creation.is_in_memory_db(name):
            shared.append(alias)
    return shared


def _serve_warm(runner, command_labels):
    """A warm server: the test environment and every database set up once; each warm
    run is a forked child, which sees the databases exactly as they are now. SQLite in
    memory is copied by the fork; any other test database is cloned for the run (as
    Django clones them for --parallel) and dropped after it. The server's own test
    databases get names of their own, so cold runs beside it never touch them.
    `command_labels` (those the command itself carries) come before each run's own."""
    from django.db import connections

    shared = _shared_aliases(connections)
    for alias in shared:
        connection = connections[alias]
        name = str(connection.creation._get_test_db_name())
        root, extension = os.path.splitext(name) if connection.vendor == "sqlite" else (name, "")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = root + "_djdash_warm" + extension
    runner.setup_test_environment()
    aliases = {alias for alias in connections if not _is_dummy(connections[alias])}
    old_config = runner.setup_databases(aliases=aliases, serialized_aliases=aliases)
    loaded = _project_files_loaded()
    _prewarm(runner, aliases)
    _install_code_cache()
    emit("warm_ready", loaded=loaded, shared_databases=shared)
    compiling = _project_sources()
    count = 0
    try:
        while True:
            request = _next_warm_request(compiling)
            if request is None or _stop_requested:
                break
            count += 1
            suffix = "run%d" % count
            for alias in shared:
                connections[alias].close()  # never share a connection across the fork
                connections[alias].creation.clone_test_db(suffix=suffix, verbosity=0, autoclobber=True)
            # The server's objects never change in a child: out of the collector's sight
            # there, so a child's first collections do not walk the whole server.
            gc.freeze()
            pid = os.fork()
            if pid == 0:
                for alias in shared:
                    connection = connections[alias]
                    connection.settings_dict.update(connection.creation.get_test_db_clone_settings(suffix))
                _run_warm_child(runner, request, command_labels)  # never returns
            emit("warm_child_started", child=pid)
            _, status = os.waitpid(pid, 0)
            for alias in shared:
                connections[alias].creation.destroy_test_db(verbosity=0, suffix=suffix)
            emit(
                "warm_child_exited",
                child=pid,
                status=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            )
    finally:
        runner.teardown_databases(old_config)
        runner.teardown_test_environment()
    return 0


_code_cache = {}  # path -> ((st_mtime_ns, st_size), code object) of project modules
_SKIPPED_FOLDERS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".venv", "venv",
                    ".djdash", ".mypy_cache", ".pytest_cache", "site-packages", "build", "dist"}


def _project_sources():
    """The project's .py files, for the warm server to compile while it waits (virtual
    environments, caches and VCS folders left out)."""
    root = _project_root.rstrip(os.sep)
    if not root:
        return iter(())

    def walk():
        for folder, subfolders, files in os.walk(root):
            if "pyvenv.cfg" in files:
                subfolders[:] = []
                continue
            subfolders[:] = [name for name in subfolders if name not in _SKIPPED_FOLDERS and not name.startswith(".")]
            for name in files:
                if name.endswith(".py"):
                    yield os.path.join(folder, name)

    return walk()


def _compile_source(path):
    """Compiles `path` as importlib would, and keeps the code with the file's stamp."""
    try:
        stamp = os.stat(path)
        if stamp.st_size > 1 << 20:
            return
        with open(path, "rb") as source:
            data = source.read()
        code = compile(data, path, "exec", dont_inherit=True, optimize=-1)
    except (OSError, SyntaxError, ValueError):
        return  # the child's import reports it, as a cold run's would
    _code_cache[path] = ((stamp.st_mtime_ns, stamp.st_size), code)


def _next_warm_request(compiling):
    """The next warm_run request; until one comes, the project's modules are compiled a
    few at a time (a child then imports them as fast as from a .pyc, with nothing
    written: PYTHONDONTWRITEBYTECODE is respected)."""
    while True:
        try:
            return _warm_requests.get_nowait()
        except queue.Empty:
            pass
        batch = [path for _, path in zip(range(16), compiling)]
        if not batch:
            return _warm_requests.get()
        for path in batch:
            _compile_source(path)


def _install_code_cache():
    """Makes source imports take the compiled code of an unchanged file from _code_cache
    (same modification time to the nanosecond, and size); any other file is read and
    compiled as usual."""
    from importlib.machinery import SourceFileLoader

    original = SourceFileLoader.get_code

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        entry = _code_cache.get(path)
        if entry is not None:
            try:
                stamp = os.stat(path)
            except OSError:
                stamp = None
            if stamp is not None and (stamp.st_mtime_ns, stamp.st_size) == entry[0]:
                return entry[1]
        return original(self, fullname)

    SourceFileLoader.get_code = get_code


def _prewarm(runner, aliases):
    """Imports, once in the server, the Django code every run needs after the setup: the
    system checks (which every run does first: the URL, model, template and database
    checks and the management commands they load) and the test client. Whatever of the
    project that pulled in (the URLconf, views, forms, template tag libraries) is then
    forgotten again, with every cache that held it, so a child imports the project's code
    as it is on disk, exactly as a cold run does; only Django's own modules stay."""
    from django.core.checks.registry import registry
    from django.dispatch import Signal

    before = set(sys.modules)
    signals = [obj for obj in gc.get_objects() if isinstance(obj, Signal)]
    receivers = [(signal, list(signal.receivers)) for signal in signals]
    checks = (set(registry.registered_checks), set(registry.deployment_checks))
    stdout, stderr = sys.stdout, sys.stderr
    try:
        with open(os.devnull, "w") as quiet:
            sys.stdout = sys.stderr = quiet
            try:
                runner.run_checks(aliases)
            except BaseException:  # a failing check is the child's to report
                pass
            finally:
                sys.stdout, sys.stderr = stdout, stderr
        import django.test.client  # noqa: F401
    except Exception:
        _hook_error("warming up")
    try:
        for name in set(sys.modules) - before:
            path = getattr(sys.modules[name], "__file__", None)
            if path and _project_root and os.path.abspath(path).startswith(_project_root):
                del sys.modules[name]
        for signal, kept in receivers:
            signal.receivers[:] = kept
            signal.sender_receivers_cache.clear()
        registry.registered_checks, registry.deployment_checks = checks
        _forget_project_caches()
        gc.collect()
    except Exception:
        _hook_error("warming up")


def _forget_project_caches():
    """Django's caches that hold project code: the URL resolvers and the template
    engines (with their loaders' compiled templates and tag libraries)."""
    from django.urls import clear_url_caches, set_urlconf

    clear_url_caches()
    set_urlconf(None)
    from django.template import engines
    from django.template.engine import Engine

    engines.__dict__.pop("templates", None)
    engines._templates = None
    engines._engines = {}
    Engine.get_default.cache_clear()
    try:
        from django.forms.renderers import get_default_renderer

        get_default_renderer.cache_clear()
    except (ImportError, AttributeError):
        pass


def _run_warm_child(runner, request, command_labels=()):
    """In the forked child: become the leader of a run of its own (its own process group,
    socket and run folder), run the labels as run_tests would without creating or
    destroying databases, and exit."""
    global _leader
    code = 1
    try:
        os.setpgid(0, 0)
        os.environ["DJDASH_PGID"] = str(os.getpid())
        os.environ["DJDASH_SOCKET"] = request["socket"]
        os.environ["DJDASH_RUN_DIR"] = request["run_dir"]
        _leader = True
        _enable_crash_report()
        _connect()
        labels = list(command_labels) + [str(label) for label in request.get("labels") or []]
        _emit_runner_started(runner, labels)
        suite = runner.build_suite(labels)
        runner.run_checks(runner.get_databases(suite))
        result = runner.run_suite(suite)
        failures = runner.suite_result(suite, result)
        emit("runner_finished", failures=failures)
        code = 1 if failures else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            if _channel is not None:
                with _channel_lock:
                    _channel._send_held()
        finally:
            os._exit(code)


def _patch_runner_module(module):
    DiscoverRunner = module.DiscoverRunner
    ParallelTestSuite = module.ParallelTestSuite
    if os.environ.get("DJDASH_EXACT_ORDER") == "1":
        module.reorder_tests = _in_given_order

    DiscoverRunner.__init__ = _apply_options(DiscoverRunner.__init__)
    try:
        from django.test.signals import template_rendered

        template_rendered.connect(_on_template_rendered, dispatch_uid="djdash-templates")
    except Exception:
        _hook_error("template_rendered")

    original_run_tests = DiscoverRunner.run_tests

    def run_tests(self, test_labels, *args, **kwargs):
        if _warm and _leader:
            global _warm_served
            if _warm_served:  # a script that calls run_tests again: the server has ended
                return 0
            _warm_served = True
            return _serve_warm(self, list(test_labels or []))
        if _awaits_labels and _leader:
            _labels_given.wait()
            if _given_labels is None:  # stopped before it was given any
                return 0
            # The command's own labels (`--command "manage.py test app"`) and djdash's, as
            # a cold run's command line has them.
            test_labels = list(test_labels or []) + list(_given_labels)
        elif _labels_inside is not None and _leader:  # a script that takes no labels (DJDASH_LABELS)
            test_labels = list(_labels_inside)
        try:
            _emit_project_loaded()
        except Exception:
            _hook_error("project_loaded")
        _emit_runner_started(self, test_labels or [])
        failures = original_run_tests(self, test_labels, *args, **kwargs)
        emit("runner_finished", failures=failures)
        return failures

    DiscoverRunner.run_tests = run_tests

    original_build_suite = DiscoverRunner.build_suite

    def build_suite(self, *args, **kwargs):
        suite = original_build_suite(self, *args, **kwargs)
        try:
            shuffler = getattr(self, "_shuffler", None)
            parallel = isinstance(suite, ParallelTestSuite)
            emit(
                "suite_ready",
                tests=_test_ids(suite),
                processes=suite.processes if parallel else 1,
                subsuites=len(suite.subsuites) if parallel else None,
                shuffle_seed=getattr(shuffler, "seed", None),
            )
        except Exception:
            _hook_error("suite_ready")
        return suite

    DiscoverRunner.build_suite = build_suite

    original_run_suite = DiscoverRunner.run_suite

    def run_suite(self, *args, **kwargs):
        _forget_setup_queries()  # migrations and checks are not any test's setup
        return original_run_suite(self, *args, **kwargs)

    DiscoverRunner.run_suite = run_suite

    original_setup_databases = DiscoverRunner.setup_databases

    def setup_databases(self, *args, **kwargs):
        if not getattr(self, "keepdb", False):
            _drop_leftover_databases()
        old_config = original_setup_databases(self, *args, **kwargs)
        try:
            emit("databases_ready", databases=_database_names())
        except Exception:
            _hook_error("databases_ready")
        return old_config

    DiscoverRunner.setup_databases = setup_databases

    original_teardown_databases = DiscoverRunner.teardown_databases

    def teardown_databases(self, *args, **kwargs):
        value = original_teardown_databases(self, *args, **kwargs)
        emit("databases_destroyed")
        return value

    DiscoverRunner.teardown_databases = teardown_databases

    original_init_worker = ParallelTestSuite.init_worker

    if original_init_worker is module._init_worker:
        ParallelTestSuite.init_worker = _init_worker
    if ParallelTestSuite.run_subsuite is module._run_subsuite:
        ParallelTestSuite.run_subsuite = _run_subsuite
    ParallelTestSuite.run = _reporting_early_stop(ParallelTestSuite.run)
    try:
        import multiprocessing.pool

        multiprocessing.pool.Pool.terminate = _telling_before_terminate(multiprocessing.pool.Pool.terminate)
    except Exception:
        _hook_error("watching the parallel pool")

    _install_sql_capture()
    try:
        _patch_test_atomics()
    except Exception:
        _hook_error("marking TestCase atomics")


def _init_worker(*args, **kwargs):
    """Django's worker initializer, then an eager connection so a stop reaches us."""
    import django.test.runner

    django.test.runner._init_worker(*args, **kwargs)
    _forget_setup_queries()  # cloning the test databases is not any test's setup
    emit("worker_ready", databases=_database_names())


def _database_names():
    """The database NAME each alias uses in this process (test or clone names)."""
    from django.db import connections

    return {alias: str(connections[alias].settings_dict.get("NAME")) for alias in connections}


def _drop_leftover_databases():
    """Drop the test databases a hard-stopped run left behind (DJDASH_LEFTOVER_DATABASES:
    alias -> names), through Django's own backend, before this run creates its own."""
    try:
        leftovers = json.loads(os.environ.get("DJDASH_LEFTOVER_DATABASES") or "{}")
    except ValueError:
        return
    if not leftovers:
        return
    from django.db import connections

    for alias, names in leftovers.items():
        if alias not in connections:
            continue
        connection = connections[alias]
        for name in names:
            try:
                connection.creation._destroy_test_db(name, verbosity=0)
            except Exception:
                pass  # already gone, or not ours to drop: Django decides next
            if connection.vendor == "sqlite":
                for suffix in ("-journal", "-wal", "-shm"):  # a killed writer leaves these
                    try:
                        os.remove(name + suffix)
                    except OSError:
                        pass


def _run_subsuite(args):
    """Django's subsuite runner, skipped once a graceful stop was asked for."""
    import django.test.runner

    subsuite_index = args[1]
    if _stop_requested:
        emit("subsuite_finished", index=subsuite_index, skipped=True)
        return subsuite_index, []
    emit("subsuite_started", index=subsuite_index)
    value = django.test.runner._run_subsuite(args)
    emit("subsuite_finished", index=subsuite_index, skipped=False)
    return value


class _ReplayedSubsuites(list):
    """ParallelTestSuite.subsuites while its run() goes, noting which subsuites Django's
    parent replays: on 4.2 and 5.2 it reads `self.subsuites[index]` once for each
    subsuite whose results it takes from a worker, just before replaying them all. So
    the parent pays per subsuite, never per test."""

    __slots__ = ("replayed",)

    def __getitem__(self, index):
        if type(index) is int:
            self.replayed.append(index)
        return list.__getitem__(self, index)


_before_pool_terminate = None  # set while ParallelTestSuite.run runs: see _reporting_early_stop


def _telling_before_terminate(original_terminate):
    """multiprocessing's Pool.terminate, after `parallel_stopped` when a parallel run is
    going (its workers are about to be killed mid-test)."""

    @functools.wraps(original_terminate)
    def terminate(self):
        hook = _before_pool_terminate
        if hook is not None:
            try:
                hook()
            except Exception:
                _hook_error("parallel_stopped")
        return original_terminate(self)

    return terminate


def _reporting_early_stop(original_run):
    """Wraps ParallelTestSuite.run so djdash hears when Django's parent stops taking
    its workers' results before every subsuite is done.

    Once the parent's result is stopped (`--failfast`, unittest's Ctrl-C handler) it
    terminates its pool: tests running in the workers are killed, and subsuites the
    workers finished but the parent never replayed are dropped. If run() raises (a
    subsuite that cannot be pickled, say), the pool goes down with the runner. Either
    way `parallel_stopped` goes out first, with the subsuites the parent replayed, so
    djdash counts only what Django counted.
    """

    @functools.wraps(original_run)
    def run(self, result):
        subsuites = self.subsuites
        tracked = None
        told = []

        def tell(reason):
            if not told:
                told.append(reason)
                if tracked is None:  # not known: djdash then keeps every result
                    emit("parallel_stopped", reason=reason)
                else:
                    emit("parallel_stopped", reason=reason, replayed=sorted(set(tracked.replayed)))

        original_stop = None
        had_own_stop = False
        try:
            if isinstance(subsuites, list):
                tracked = _ReplayedSubsuites(subsuites)
                tracked.replayed = []
                self.subsuites = tracked
            had_own_stop = "stop" in getattr(result, "__dict__", ())
            original_stop = result.stop

            def stop():
                try:
                    tell("stop")
                except Exception:
                    _hook_error("parallel_stopped")
                return original_stop()

            result.stop = stop
        except Exception:
            _hook_error("watching the parallel replay")
        global _before_pool_terminate
        # Django 6 runs its pool in a `with` block: an exception terminates the pool (and
        # the tests in its workers) before it leaves run(). Say so first.
        _before_pool_terminate = lambda: tell("stop" if getattr(result, "shouldStop", False) else "error")  # noqa: E731
        try:
            value = original_run(self, result)
        except BaseException:
            try:
                tell("error")
            except Exception:
                _hook_error("parallel_stopped")
            raise
        finally:
            _before_pool_terminate = None
            if tracked is not None:
                self.subsuites = subsuites
            if original_stop is not None:
                try:
                    if had_own_stop:
                        result.stop = original_stop
                    else:
                        del result.stop
                except Exception:
                    pass
        if getattr(result, "shouldStop", False):  # stopped without stop(): said late, but said
            tell("stop")
        return value

    return run


def _patch_unittest():
    original_suite_run = unittest.TestSuite.run

    def suite_run(self, result, debug=False):
        instrument(result)
        return original_suite_run(self, result, debug)

    unittest.TestSuite.run = suite_run

    original_case_run = unittest.TestCase.run

    def case_run(self, result=None):
        if result is not None and not getattr(result, "_djdash_instrumented", False):
            instrument(result)
        return original_case_run(self, result)

    unittest.TestCase.run = case_run


class _PatchingLoader:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        try:
            _patch_unittest()
            _patch_runner_module(module)
        except Exception:
            _hook_error("patching django.test.runner")

    def __getattr__(self, name):
        return getattr(self.loader, name)


class _RunnerFinder:
    """Patches django.test.runner the moment it is first imported, then steps aside."""

    def find_spec(self, name, path, target=None):
        if name != "django.test.runner":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader)
        return spec


def install():
    """Set the hook up in this process: options, crash report, lazy runner patch."""
    global _options, _project_root, _leader, _test_timeout, _stop_on_timeout, _awaits_labels, _warm, _labels_inside
    try:
        _options = json.loads(os.environ.get("DJDASH_OPTIONS") or "{}")
    except ValueError:
        _options = {}
    try:
        _test_timeout = max(0.0, float(os.environ.get("DJDASH_TEST_TIMEOUT") or 0))
    except ValueError:
        _test_timeout = 0.0
    _stop_on_timeout = os.environ.get("DJDASH_STOP_ON_TIMEOUT") == "1"
    _project_root = os.environ.get("DJDASH_PROJECT_ROOT", "")
    if _project_root and not _project_root.endswith(os.sep):
        _project_root += os.sep
    if os.environ.get("DJDASH_ROLE") is None:
        # The first Python process of the run is the leader; everything it starts is not.
        _leader = True
        os.environ["DJDASH_ROLE"] = "child"
        _awaits_labels = os.environ.pop("DJDASH_AWAIT_LABELS", None) == "1"
        try:
            _labels_inside = json.loads(os.environ.pop("DJDASH_LABELS", None) or "null")
        except ValueError:
            _labels_inside = None
        _warm = os.environ.pop("DJDASH_WARM", None) == "1"
        if os.getpgrp() == os.getpid():
            # djdash starts the runner in a process group of its own: on abort, the whole
            # group goes. Never a group djdash did not make (a shell's, a test runner's).
            os.environ["DJDASH_PGID"] = str(os.getpgrp())
        _connect()  # eagerly, so djdash knows the runner is alive
    _enable_crash_report()
    os.register_at_fork(after_in_child=_after_fork_in_child)
    if "django.test.runner" in sys.modules:
        _patch_unittest()
        _patch_runner_module(sys.modules["django.test.runner"])
    else:
        sys.meta_path.insert(0, _RunnerFinder())
