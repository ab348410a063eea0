"""What a test does besides passing or failing, captured while it runs: its SQL queries
(a database execute wrapper), the mail it sends (Django's locmem outbox) and its output
(stand-ins for sys.stdout and sys.stderr).

The SQL wrapper runs on every query and the output streams on every test: both are hot
paths (see reporting).
"""

import io
import os
import sys
import threading
import time
import types

from .channel import hook_error
from .inert import PARAM_LIMIT, TEXT_LIMIT, class_attribute, clip, instance_dict, plain
from .state import PACKAGE_FOLDER, state

OUTPUT_LIMIT = 1 << 20  # bytes kept per stream per test (head and tail halves)
QUERY_LIMIT = 50_000  # queries kept per test; the rest are counted

# ------------------------------------------------------------------------------- SQL

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
            state.project_root
            and path.startswith(state.project_root)
            and "site-packages" not in path
            and "dist-packages" not in path
            and not path.startswith(PACKAGE_FOLDER)  # the hook's own modules
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
# Django's own transaction statements: between tests, with no project frame behind them,
# they are the test isolation machinery (TransactionTestCase's, a nested atomics' …).
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "PRAGMA foreign_key_check", "BEGIN")


_perf_counter = time.perf_counter


def _execute_wrapper(execute, sql, params, many, context):
    isolating = state.atomics_thread
    if isolating is not None and isolating == _get_ident():
        return execute(sql, params, many, context)  # Django's bookkeeping: not even timed
    start = _perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed = _perf_counter() - start
        target = state.queries
        if len(target) < QUERY_LIMIT:
            origin = _origin()
            if origin is not None or target is not state.setup_queries or not str(sql).startswith(_BOOKKEEPING):
                connection = context.get("connection") if context else None
                thread = None if _get_ident() == _MAIN_THREAD else threading.current_thread().name
                target.append((sql, params, many, getattr(connection, "alias", None), elapsed, thread, origin))
        else:
            state.query_overflow += 1


def patch_test_atomics():
    """Marks TestCase's own transaction work (see state.atomics_thread); skipped where Django
    has none of it."""
    from django.test import TestCase

    def marking(original):
        def marked(*args, **kwargs):
            outer = state.atomics_thread
            state.atomics_thread = _get_ident()
            try:
                return original(*args, **kwargs)
            finally:
                state.atomics_thread = outer

        marked.__wrapped__ = original
        return marked

    for name in ("_enter_atomics", "_rollback_atomics", "_fixture_teardown"):
        original = TestCase.__dict__.get(name)
        if isinstance(original, classmethod):
            setattr(TestCase, name, classmethod(marking(original.__func__)))
        elif isinstance(original, types.FunctionType):
            setattr(TestCase, name, marking(original))


def forget_setup_queries():
    del state.setup_queries[:]


# Parameter types JSON takes as they are (a str only up to PARAM_LIMIT: see plain).
_AS_THEY_ARE = frozenset((int, bool, type(None)))


def query_json(record):
    sql, params, many, alias, elapsed, thread, origin = record
    sql = str(sql)
    entry = {
        "sql": sql if len(sql) <= TEXT_LIMIT else clip(sql),
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
            v if type(v) in _AS_THEY_ARE or (type(v) is str and len(v) <= PARAM_LIMIT) else plain(v) for v in params
        ]
    elif isinstance(params, dict):
        entry["params"] = {str(k): plain(v) for k, v in params.items()}
    elif params is not None:
        entry["params"] = [plain(params)]
    if origin is not None:
        entry["origin"] = {"file": origin[0], "line": origin[1], "function": origin[2]}
    return entry


def _wrap_connection(connection):
    wrappers = getattr(connection, "execute_wrappers", None)
    if wrappers is not None and _execute_wrapper not in wrappers:
        wrappers.append(_execute_wrapper)


def install_sql_capture():
    """Wrap every database connection, in every thread, whenever it is created."""
    try:
        from django.db.backends.base.base import BaseDatabaseWrapper
    except Exception:
        hook_error("sql capture")
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
        hook_error("sql capture of existing connections")


# ------------------------------------------------------------------------------ mail


def outbox():
    mail = sys.modules.get("django.core.mail")
    return getattr(mail, "outbox", None) if mail is not None else None


def _field(message, name, default=None):
    """A message's attribute without running its code: from the instance, else a plain
    class value; a property or other descriptor counts as absent."""
    values = instance_dict(message)
    if name in values:
        return values[name]
    value = class_attribute(type(message), name)
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


def mail_json(message):
    headers = _field(message, "extra_headers")
    entry = {
        "subject": clip(_text(_field(message, "subject"))),
        "from": _text(_field(message, "from_email")),
        "to": _addresses(_field(message, "to")),
        "cc": _addresses(_field(message, "cc")),
        "bcc": _addresses(_field(message, "bcc")),
        "reply_to": _addresses(_field(message, "reply_to")),
        "headers": {_text(k): _text(v) for k, v in dict.items(headers)} if issubclass(type(headers), dict) else {},
        "body": clip(_text(_field(message, "body"))),
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
            entry["alternatives"].append({"mimetype": _text(alternative[1]), "content": clip(_text(alternative[0]))})
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


def mails_since(record):
    box = outbox()
    if not box:
        return []
    start = record.outbox_start if box is record.outbox else 0
    if len(box) <= start:
        return []
    mails = []
    for message in list(box)[start:]:
        try:
            mails.append(mail_json(message))
        except Exception as exc:
            mails.append({"subject": "<djdash could not read this mail: %s>" % type(exc).__name__})
    return mails


def has_new_mail(record):
    """Whether the test sent mail (_stop_test has this inline for a plain pass)."""
    box = outbox()
    if not box:
        return False
    return box is not record.outbox or len(box) > record.outbox_start


# ---------------------------------------------------------------------------- output


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


class Capture:
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


class _Written:
    """How much a test wrote to one of unittest's buffers (the `total` of a _BoundedSink)."""

    __slots__ = ("buffer",)

    def __init__(self, buffer):
        self.buffer = buffer

    @property
    def total(self):
        return self.buffer.tell()


class _UnittestBuffers:
    """Stands in for Capture when the result buffers output itself (`--buffer`).

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
        return tuple(clip(buffer.getvalue(), OUTPUT_LIMIT) for buffer in self.buffers)


def unittest_buffers(result):
    """The result's own output buffers when it buffers (`--buffer`), else None."""
    if result is None or not getattr(result, "buffer", False):
        return None
    if getattr(result, "_stdout_buffer", None) is not sys.stdout or getattr(result, "_stderr_buffer", None) is None:
        return None
    return _UnittestBuffers(result)
