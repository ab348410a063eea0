"""Tests of djdash's Python hook by itself, run on every supported Django version.

Run: python -m unittest discover -s Tests/HookTests (with the hook folder on
PYTHONPATH). The Swift test HookSelfTests runs this in each test venv.
"""

import email.message
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest
from email.mime.text import MIMEText

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=[],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    django.setup()

import djdash_hook  # noqa: E402  (needs settings for the mail tests only)
from djdash_hook import capture, inert, patches, reporting  # noqa: E402
from djdash_hook import channel as hook_channel  # noqa: E402
from djdash_hook.state import state  # noqa: E402
from django.core.mail import EmailMessage, EmailMultiAlternatives  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

HOOK_DIR = os.path.dirname(os.path.dirname(os.path.abspath(djdash_hook.__file__)))


class MailSerialisationTests(unittest.TestCase):
    def test_every_field_of_a_rich_message(self):
        message = EmailMultiAlternatives(
            subject=gettext_lazy("Order shipped"),
            body="Your order shipped.",
            from_email="shop@example.com",
            to=["ann@example.com"],
            cc=["cc@example.com"],
            bcc=["audit@example.com"],
            reply_to=["help@example.com"],
            headers={"X-Order": "42"},
        )
        message.attach_alternative("<p>Your <b>order</b> shipped.</p>", "text/html")
        message.attach("note.txt", "hello", "text/plain")
        message.attach("logo.png", bytes(range(256)) * 4, "image/png")
        message.attach(MIMEText("mime part body"))
        entry = capture.mail_json(message)
        self.assertEqual(entry["subject"], "Order shipped")
        self.assertEqual(entry["from"], "shop@example.com")
        self.assertEqual(entry["to"], ["ann@example.com"])
        self.assertEqual(entry["cc"], ["cc@example.com"])
        self.assertEqual(entry["bcc"], ["audit@example.com"])
        self.assertEqual(entry["reply_to"], ["help@example.com"])
        self.assertEqual(entry["headers"], {"X-Order": "42"})
        self.assertEqual(entry["body"], "Your order shipped.")
        self.assertEqual(entry["alternatives"], [{"mimetype": "text/html", "content": "<p>Your <b>order</b> shipped.</p>"}])
        attachments = entry["attachments"]
        self.assertEqual(attachments[0], {"name": "note.txt", "mimetype": "text/plain", "size": 5})
        self.assertEqual(attachments[1], {"name": "logo.png", "mimetype": "image/png", "size": 1024})
        self.assertEqual(attachments[2]["mimetype"], "text/plain")
        self.assertEqual(attachments[2]["size"], len(b"mime part body"))
        json.dumps(entry)  # must be JSON-safe as it is

    def test_plain_message_has_empty_lists(self):
        entry = capture.mail_json(EmailMessage("Hi", "Body", "a@example.com", ["b@example.com"]))
        self.assertEqual((entry["cc"], entry["bcc"], entry["alternatives"], entry["attachments"]), ([], [], [], []))
        self.assertEqual(entry["content_subtype"], "plain")

    @unittest.skipUnless(django.VERSION >= (6, 0), "MIMEPart attachments and memoryview content came in 6.0")
    def test_every_attachment_shape_of_django_6(self):
        calls = []

        class ProjectMessage(EmailMessage):
            def __str__(self):
                calls.append("__str__")
                return "project code ran"

            __repr__ = __str__

        part = email.message.MIMEPart()
        part.set_content(b"%PDF-1.4 tiny", maintype="application", subtype="pdf", filename="report.pdf")
        message = EmailMessage("Shapes", "Body", "a@example.com", ["b@example.com"])
        message.attach(part)
        message.attach("view.bin", memoryview(b"abcdef"), "application/octet-stream")
        message.attach("array.bin", bytearray(b"xyz"), "application/octet-stream")
        message.attach("forwarded.eml", ProjectMessage("Inner", "Inner body", "c@example.com", ["d@example.com"]), "message/rfc822")
        message.message()  # Django accepts every one of them
        calls.clear()
        attachments = capture.mail_json(message)["attachments"]
        self.assertEqual(attachments[0], {"name": "report.pdf", "mimetype": "application/pdf", "size": 13})
        self.assertEqual(attachments[1], {"name": "view.bin", "mimetype": "application/octet-stream", "size": 6})
        self.assertEqual(attachments[2], {"name": "array.bin", "mimetype": "application/octet-stream", "size": 3})
        # A message's size is only known by serialising it, which would run its code.
        self.assertEqual(attachments[3], {"name": "forwarded.eml", "mimetype": "message/rfc822"})
        self.assertEqual(calls, [], "formatting ran the project's code")

    def test_formatting_runs_no_project_code(self):
        calls = []

        class Recorder:
            def __str__(self):
                calls.append("__str__")
                return "project code ran"

            __repr__ = __format__ = __str__

            def __bool__(self):
                calls.append("__bool__")
                return True

            def __len__(self):
                calls.append("__len__")
                return 1

        message = EmailMessage("Hi", "Body", "a@example.com", ["b@example.com"], headers={"X-Thing": Recorder()})
        message.attachments.append(("thing.bin", Recorder(), "application/octet-stream"))
        message.attachments.append((Recorder(), b"ab", Recorder()))
        entry = capture.mail_json(message)
        self.assertEqual(calls, [], "formatting ran the project's code")
        self.assertEqual(entry["headers"], {"X-Thing": "<Recorder>"})
        self.assertEqual(entry["attachments"][0], {"name": "thing.bin", "mimetype": "application/octet-stream"})
        self.assertEqual(entry["attachments"][1], {"name": "", "mimetype": "", "size": 2})
        json.dumps(entry)

    @unittest.skipUnless(django.VERSION >= (6, 1), "MAILERS came in Django 6.1")
    def test_each_message_names_the_mailer_that_sent_it(self):
        from django.core import mail
        from django.test.utils import override_settings

        locmem = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        mail.outbox = []
        with override_settings(MAILERS={"default": locmem, "notifications": locmem}):
            EmailMessage("One", "Body", "a@example.com", ["b@example.com"]).send()
            EmailMessage("Two", "Body", "a@example.com", ["b@example.com"]).send(using="notifications")
        entries = [capture.mail_json(message) for message in mail.outbox]
        self.assertEqual([entry.get("sent_using") for entry in entries], ["default", "notifications"])
        # The EMAIL_BACKEND way (no MAILERS) names no mailer: Django's sent_using is None.
        mail.outbox = []
        EmailMessage("Three", "Body", "a@example.com", ["b@example.com"]).send()
        self.assertNotIn("sent_using", capture.mail_json(mail.outbox[0]))


class ParameterTests(unittest.TestCase):
    def test_primitives_are_kept_and_others_are_described(self):
        self.assertEqual(inert.plain(3), 3)
        self.assertEqual(inert.plain(None), None)
        self.assertEqual(inert.plain("x"), "x")
        self.assertEqual(inert.plain(b"\xff"), "b'\\xff'")
        self.assertEqual(inert.plain(float("nan")), "nan")
        self.assertEqual(inert.plain(float("inf")), "inf")

    def test_long_values_are_clipped(self):
        clipped = inert.plain("x" * 5000)
        self.assertTrue(clipped.startswith("x" * inert.PARAM_LIMIT))
        self.assertIn("more characters cut by djdash", clipped)

    def test_query_json_for_executemany_keeps_first_row_and_count(self):
        entry = capture.query_json(("INSERT", [(1, "a"), (2, "b")], True, "default", 0.5, None, None))
        self.assertEqual(entry["params"], [1, "a"])
        self.assertEqual(entry["rows"], 2)
        self.assertTrue(entry["many"])

    def test_query_json_with_named_parameters_and_origin(self):
        entry = capture.query_json(("SELECT %(a)s", {"a": 1}, False, "other", 0.1, "T", ("f.py", 3, "view")))
        self.assertEqual(entry["params"], {"a": 1})
        self.assertEqual(entry["alias"], "other")
        self.assertEqual(entry["origin"], {"file": "f.py", "line": 3, "function": "view"})
        self.assertEqual(entry["thread"], "T")

    def test_main_thread_and_missing_parameters_are_left_out(self):
        entry = capture.query_json(("BEGIN", None, False, "default", 0.1, None, None))
        self.assertEqual(entry, {"sql": "BEGIN", "alias": "default", "duration": 0.1})


class _Watched:
    """Records every method of it that anything calls."""

    calls = []

    def __repr__(self):
        _Watched.calls.append("repr")
        return "watched"

    def __str__(self):
        _Watched.calls.append("str")
        return "watched"

    def __eq__(self, other):
        _Watched.calls.append("eq")
        return self is other

    def __hash__(self):
        _Watched.calls.append("hash")
        return id(self)

    def __getattr__(self, name):
        _Watched.calls.append("getattr " + name)
        raise AttributeError(name)

    @property
    def __class__(self):
        _Watched.calls.append("__class__")
        return _Watched


class InertDescriptionTests(unittest.TestCase):
    """Values are described without running any of their code (a test may still be running)."""

    def setUp(self):
        _Watched.calls = []

    def test_no_method_of_a_value_is_called(self):
        watched = _Watched()
        values = (watched, [watched], {"k": watched}, (watched,), {watched}, [[[[watched]]]])
        _Watched.calls = []  # the set's own hash() above
        for value in values:
            inert.inert_repr(value)
            inert.plain(value)
        self.assertEqual(_Watched.calls, [])
        self.assertEqual(inert.inert_repr(watched), "<%s._Watched object>" % __name__)
        self.assertEqual(inert.inert_repr({"k": [watched]}), "{'k': [<%s._Watched object>]}" % __name__)

    def test_a_lazy_object_is_not_evaluated(self):
        from django.utils.functional import SimpleLazyObject, lazy

        evaluated = []
        lazy_object = SimpleLazyObject(lambda: evaluated.append(1) or 42)
        promise = lazy(lambda: evaluated.append(2) or "text", str)()
        self.assertEqual(inert.inert_repr(lazy_object), "<django.utils.functional.SimpleLazyObject object>")
        self.assertIn("__proxy__ object>", inert.inert_repr(promise))
        self.assertEqual(evaluated, [])

    def test_a_value_whose_repr_raises_is_described(self):
        class Unprintable:
            def __repr__(self):
                raise RuntimeError("no")

        self.assertTrue(inert.inert_repr(Unprintable()).endswith("Unprintable object>"))

    def test_standard_library_values_read_as_their_repr(self):
        import datetime
        import decimal
        import uuid

        stamp = datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)
        key = uuid.UUID(int=5)
        for value in (b"\x00\xff", decimal.Decimal("1.50"), key, stamp, datetime.date(2026, 1, 2), (1,), frozenset()):
            self.assertEqual(inert.inert_repr(value), repr(value))

    def test_a_subclass_of_a_standard_type_is_not_trusted(self):
        class Shouting(str):
            def __repr__(self):
                raise AssertionError("called")

        self.assertTrue(inert.inert_repr(Shouting("x")).endswith("Shouting object>"))

    def test_a_time_with_a_projects_own_tzinfo_does_not_ask_it(self):
        import datetime

        class Zone(datetime.tzinfo):
            def utcoffset(self, dt):
                raise AssertionError("called")

            def __repr__(self):
                raise AssertionError("called")

        described = inert.inert_repr(datetime.datetime(2026, 1, 1, tzinfo=Zone()))
        self.assertEqual(described, "<datetime with a %s>" % Zone.__qualname__)

    def test_huge_values_are_clipped_and_containers_shortened(self):
        self.assertLess(len(inert.inert_repr("x" * 100_000)), inert.PARAM_LIMIT + 100)
        self.assertIn("more)", inert.inert_repr(b"y" * 100_000))
        self.assertIn("… 950 more", inert.inert_repr(list(range(1000))))

    def test_an_enum_member_by_name(self):
        import enum

        class Kind(enum.Enum):
            BOOK = 1

            def __repr__(self):
                raise AssertionError("called")

        self.assertEqual(inert.inert_repr(Kind.BOOK), "%s.BOOK" % Kind.__qualname__)

    def test_a_subtests_description_and_parameters(self):
        watched = _Watched()
        subtests = []

        class Result(unittest.TestResult):
            def addSubTest(self, test, subtest, err):
                subtests.append(subtest)

        class Case(unittest.TestCase):
            def runTest(self):
                with self.subTest("message", outer=1):
                    with self.subTest(value=watched, text="t"):
                        pass

                with self.subTest("plain", number=2, text="t"):
                    pass

        Case().run(Result())
        inner, outer, plain = subtests
        self.assertEqual(
            reporting._subtest_description(inner), "(outer=1, value=<%s._Watched object>, text='t')" % __name__
        )
        _Watched.calls = []
        for subtest in (outer, plain):  # unittest's own text where repr() is harmless
            self.assertEqual(reporting._subtest_description(subtest), subtest._subDescription())
        entry = reporting._subtest_json(inner, "pass", None)
        self.assertEqual(entry["params"], {"outer": 1, "value": "<%s._Watched object>" % __name__, "text": "t"})
        self.assertEqual(_Watched.calls, [])


class PendingFileTests(unittest.TestCase):
    def read(self, folder):
        with open(os.path.join(folder, "pending-%d" % os.getpid()), "rb") as handle:
            return handle.read()

    def test_lines_are_in_the_file_until_the_room_is_cleared(self):
        with tempfile.TemporaryDirectory() as folder:
            pending = hook_channel._Pending(folder, 64)
            self.assertTrue(pending.durable)
            pending.sent_outside(10)  # e.g. a line sent before the room had any
            pending.hold(b'{"a":1}\n')
            pending.hold(b'{"b":2}\n')
            data = self.read(folder)
            self.assertEqual(data[:32], b"%020d %010d\n" % (10, 64))
            self.assertEqual(data[32:49], b'{"a":1}\n{"b":2}\n\0')
            self.assertEqual(bytes(pending.unsent()), b'{"a":1}\n{"b":2}\n')
            pending.mark_sent(8)
            self.assertEqual(bytes(pending.unsent()), b'{"b":2}\n')
            self.assertEqual(self.read(folder)[32:48], b'{"a":1}\n{"b":2}\n', "sent lines stay until cleared")
            pending.mark_sent(8)
            pending.clear()
            pending.hold(b'{"c":3}\n')
            data = self.read(folder)
            self.assertEqual(data[:32], b"%020d %010d\n" % (26, 64), "base moved past the cleared lines")
            self.assertEqual(data[32:], b'{"c":3}\n' + bytes(56), "the room was cleared")

    def test_a_line_that_does_not_fit_is_refused_and_no_folder_means_memory_only(self):
        pending = hook_channel._Pending(None, 8)
        self.assertFalse(pending.durable)
        with self.assertRaises(ValueError):
            pending.hold(b"123456789")
        pending.hold(b"12345678")
        self.assertEqual(bytes(pending.unsent()), b"12345678")


# djdash's ends stay open, as descriptors (a closed one makes the hook leave the process;
# a socket object left to the end of the process would warn).
_keep_open = []


def _connected_channel(room):
    """A real _Channel with a pending room of `room` bytes, its folder, and djdash's end."""
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "events.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    saved = (hook_channel.PENDING_LIMIT, os.environ.get("DJDASH_RUN_DIR"))
    hook_channel.PENDING_LIMIT = room
    os.environ["DJDASH_RUN_DIR"] = folder
    try:
        channel = hook_channel._Channel(path)
    finally:
        hook_channel.PENDING_LIMIT = saved[0]
        if saved[1] is None:
            del os.environ["DJDASH_RUN_DIR"]
        else:
            os.environ["DJDASH_RUN_DIR"] = saved[1]
    peer, _ = server.accept()
    peer.settimeout(5)
    _keep_open.append(server.detach())
    return channel, folder, peer


def _receive_lines(peer, count):
    received = b""
    while received.count(b"\n") < count:
        received += peer.recv(65536)
    return received.splitlines()


class ChannelTests(unittest.TestCase):
    """A real connection with a small room: every line arrives once, in order."""

    def test_lines_arrive_once_and_in_order_when_the_room_fills_up(self):
        channel, folder, peer = _connected_channel(64)
        lines = [b'{"n":%d}\n' % n for n in range(40)]  # 9 or 10 bytes each: the room takes 6
        lines[17] = b'{"big":"%s"}\n' % (b"x" * 100)  # larger than the room: straight out
        for line in lines[:30]:
            channel.send_line(line, hold=True)
        channel.send_line(lines[30])  # at once, after everything held
        for line in lines[31:]:
            channel.send_line(line, hold=True)
        with state.channel_lock:
            channel._send_held()
        expected = b"".join(lines)
        received = b""
        while len(received) < len(expected):
            received += peer.recv(65536)
        _keep_open.append(peer.detach())
        self.assertEqual(received, expected)
        with open(os.path.join(folder, "pending-%d" % os.getpid()), "rb") as handle:
            header = handle.read(32)
            room = handle.read()
        base = int(header.split()[0])
        held = room.split(b"\0", 1)[0]
        self.assertEqual(base + len(held), len(expected), "the file says where its lines sit in the stream")
        self.assertTrue(expected.endswith(held))


class TestLineTests(unittest.TestCase):
    """The lines of every test, built straight from bytes: each is JSON with the test's id."""

    def test_ids_that_need_escapes_and_ids_that_do_not(self):
        class Plain(unittest.TestCase):
            def test_a(self):
                pass

            def test_ünïcode(self):
                pass

        setattr(Plain, 'test "quoted" \\ back\tslash', Plain.test_a)

        class OwnId(unittest.TestCase):
            def id(self):
                return 'own "id"'

            def test_b(self):
                pass

        tests = [Plain("test_a"), Plain("test_ünïcode"), Plain('test "quoted" \\ back\tslash'), OwnId("test_b")]
        channel, _, peer = _connected_channel(1 << 16)
        saved = state.channel
        state.channel = channel
        try:
            for test in tests:
                reporting._start_test(lambda test: None, "key", test)
                reporting._stop_test(lambda test: None, "key", test)
            with state.channel_lock:
                channel._send_held()
        finally:
            state.channel = saved
        lines = _receive_lines(peer, 2 * len(tests))
        _keep_open.append(peer.detach())
        events = [json.loads(line) for line in lines]
        self.assertEqual([(e["event"], e["id"]) for e in events], [
            (event, test.id()) for test in tests for event in ("test_started", "test_finished")
        ])
        self.assertIn("<locals>.Plain.test_ünïcode", events[2]["id"])


class HookFramesTests(unittest.TestCase):
    """The hook's own frames never reach a reported traceback."""

    def failing_query(self):
        def execute(sql, params, many, context):
            raise RuntimeError("no such table: shop_item")

        capture._execute_wrapper(execute, "SELECT * FROM shop_item", None, False, {})

    def assertNoHookFrames(self, problem):
        package = os.path.dirname(reporting.__file__)
        files = [frame["file"] for frame in problem["traceback"]]
        self.assertFalse([f for f in files if f.startswith(package)], files)
        self.assertNotIn(package, problem["traceback_text"])
        self.assertIn("no such table", problem["traceback_text"])
        self.assertIn("failing_query", problem["traceback_text"])

    def test_a_query_error_and_an_error_raised_from_one(self):
        try:
            self.failing_query()
        except RuntimeError:
            direct = sys.exc_info()
        problem = reporting._problem("error", self, direct)
        self.assertNoHookFrames(problem)
        self.assertEqual(problem["traceback"][-1]["function"], "execute", "the user's frames stay")
        try:
            try:
                self.failing_query()
            except RuntimeError as exc:
                raise ValueError("the test's own error") from exc
        except ValueError:
            chained = sys.exc_info()
        self.assertNoHookFrames(reporting._problem("error", self, chained))

    def test_traceback_text_formatted_by_the_loader(self):
        hook_file = os.path.join(os.path.dirname(reporting.__file__), "warm.py")
        text = (
            "ImportError: Failed to import test module: shop.tests\n"
            "Traceback (most recent call last):\n"
            '  File "/p/unittest/loader.py", line 394, in _find_test_path\n'
            "    module = self._get_module_from_name(name)\n"
            '  File "%s", line 170, in get_code\n'
            "    return original(self, fullname)\n"
            "           ^^^^^^^^^^^^^^^^^^^^^^^^\n"
            '  File "/p/shop/tests.py", line 3\n'
            "    def (\n"
            "        ^\n"
            "SyntaxError: invalid syntax\n"
        ) % hook_file
        cleaned = reporting._without_hook_lines(text)
        self.assertNotIn("warm.py", cleaned)
        self.assertNotIn("original(self, fullname)", cleaned)
        self.assertEqual(len(cleaned.splitlines()), len(text.splitlines()) - 3)
        self.assertIn("    def (\n        ^\nSyntaxError", cleaned)


class BoundedSinkTests(unittest.TestCase):
    def test_small_output_is_kept_whole(self):
        sink = capture._BoundedSink(100)
        stream = io.TextIOWrapper(sink, encoding="utf-8", write_through=True)  # as _Capture does
        stream.write("hello\n")
        self.assertEqual(sink.text(), "hello\n")  # no flush needed: it writes straight through
        stream.buffer.write(b"raw\n")
        self.assertEqual(sink.text(), "hello\nraw\n")

    def test_large_output_keeps_head_and_tail_and_counts_the_rest(self):
        sink = capture._BoundedSink(20)
        for index in range(100):
            sink.write(b"%03d\n" % index)
        text = sink.text()
        self.assertTrue(text.startswith("000\n001\n"))
        self.assertTrue(text.endswith("098\n099\n"))
        self.assertIn("380 bytes cut by djdash", text)

    def test_invalid_utf8_is_replaced(self):
        sink = capture._BoundedSink(100)
        sink.write(b"ok \xff\xfe end")
        self.assertEqual(sink.text(), "ok \ufffd\ufffd end")


class OptionTests(unittest.TestCase):
    def make_runner_class(self):
        class Runner:
            def __init__(self, pattern=None, verbosity=1, interactive=True, parallel=0, **kwargs):
                self.pattern, self.verbosity, self.interactive, self.parallel = pattern, verbosity, interactive, parallel
                self.extra = kwargs

        Runner.__init__ = patches._apply_options(Runner.__init__)
        return Runner

    def test_options_override_keywords_and_positionals(self):
        state.options = {"pattern": "check_*.py", "reverse": True}
        try:
            runner = self.make_runner_class()("given.py", 2)
        finally:
            state.options = {}
        self.assertEqual(runner.pattern, "check_*.py")
        self.assertEqual(runner.verbosity, 2)
        self.assertFalse(runner.interactive)  # djdash never lets a run prompt
        self.assertEqual(runner.extra, {"reverse": True})

    def test_parallel_auto_becomes_a_number(self):
        state.options = {"parallel": "auto"}
        try:
            runner = self.make_runner_class()()
        finally:
            state.options = {}
        self.assertIsInstance(runner.parallel, int)
        self.assertGreaterEqual(runner.parallel, 1)


class SitecustomizeTests(unittest.TestCase):
    def run_python(self, code, extra_path, env_extra=None):
        env = dict(os.environ)
        env.pop("DJDASH_SOCKET", None)
        env.update(env_extra or {})
        env["PYTHONPATH"] = os.pathsep.join([HOOK_DIR] + extra_path)
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)

    def test_chains_to_the_next_sitecustomize(self):
        with tempfile.TemporaryDirectory() as other:
            with open(os.path.join(other, "sitecustomize.py"), "w") as handle:
                handle.write("import builtins\nbuiltins.OTHER_SITECUSTOMIZE_RAN = True\n")
            result = self.run_python("import builtins; print(getattr(builtins, 'OTHER_SITECUSTOMIZE_RAN', False))", [other])
        self.assertEqual(result.stdout.strip(), "True", result.stderr)

    def test_without_socket_nothing_is_patched(self):
        result = self.run_python("import sys; print('djdash_hook' in sys.modules)", [])
        self.assertEqual(result.stdout.strip(), "False", result.stderr)

    def test_with_socket_the_leader_says_hello(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "s")
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            server.listen(1)
            lines = []

            def accept():
                connection, _ = server.accept()
                with connection.makefile("rb") as stream:
                    lines.extend(stream)

            thread = threading.Thread(target=accept)
            thread.start()
            # The runner module patched, as in every run: the warm server's code stays out.
            code = "import sys, django.test.runner; print('ran', 'djdash_hook.warm' in sys.modules)"
            result = self.run_python(code, [], {"DJDASH_SOCKET": path})
            thread.join(10)
            server.close()
        self.assertEqual(result.stdout.strip(), "ran False", result.stderr)
        hello = json.loads(lines[0])
        self.assertEqual((hello["event"], hello["role"], hello["protocol"]), ("hello", "leader", 1))

    def test_an_error_that_ends_the_process_is_printed_without_the_hooks_frames(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "s")
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            server.listen(1)
            thread = threading.Thread(target=lambda: server.accept()[0].makefile("rb").read())
            thread.start()
            code = (
                "from djdash_hook import capture\n"
                "def query(sql, params, many, context):\n"
                "    raise ZeroDivisionError('from the query')\n"
                "capture._execute_wrapper(query, 'SELECT 1', None, False, {})\n"
            )
            result = self.run_python(code, [], {"DJDASH_SOCKET": path})
            thread.join(10)
            server.close()
        self.assertIn("ZeroDivisionError: from the query", result.stderr)
        self.assertIn("in query", result.stderr, "the user's frames stay")
        self.assertNotIn(os.path.join(HOOK_DIR, "djdash_hook"), result.stderr)

    def test_an_unreachable_socket_means_djdash_is_gone_and_the_process_leaves(self):
        result = self.run_python("print('should not run')", [], {"DJDASH_SOCKET": "/nonexistent/djdash.sock"})
        self.assertEqual(result.returncode, 130)
        self.assertEqual(result.stdout, "")
        self.assertIn("cannot reach djdash", result.stderr)


_RECORDING_PROJECT = {
    "app/__init__.py": "",
    "app/helpers.py": """
REGISTRY = []


def registered(function):
    REGISTRY.append(function)
    return function


def compute():
    return 5


X = compute()


def helper():
    return 1


def unused():
    return 2


def for_class_setup():
    return 3


class Foo:
    def bar(self):
        def inner():
            return 3

        return inner() + (lambda: 4)()
""",
    "app/late.py": """
from app.helpers import registered


def at_import():
    return 1


Y = at_import()


@registered
def later():
    return 1
""",
    "venv/lib/python3/site-packages/extlib.py": "def outside():\n    return 1\n",
    "tests/__init__.py": "",
    "tests/test_things.py": """
import unittest

import extlib
from app import helpers


class Things(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        helpers.for_class_setup()

    def test_a_calls(self):
        helpers.helper()
        helpers.Foo().bar()
        extlib.outside()

    def test_b_calls_nothing(self):
        pass

    def test_c_calls_again(self):
        helpers.helper()
        helpers.helper()

    def test_d_imports(self):
        import app.late

        app.late.later()

    def test_e_calls_again(self):
        helpers.helper()

    def test_f_runs_a_test_of_its_own(self):
        class Inner(unittest.TestCase):
            def test_inner(self):
                helpers.unused()

        unittest.TestSuite([Inner("test_inner")]).run(unittest.TestResult())
        helpers.helper()
""",
    "run.py": """
import os
import sys
import unittest

import django.test.runner  # the hook patches unittest with it, as in every run

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "venv/lib/python3/site-packages"))
from djdash_hook.state import state

suite = unittest.defaultTestLoader.loadTestsFromName("tests.test_things")
unittest.TextTestRunner(stream=open(os.devnull, "w")).run(suite)
from djdash_hook.channel import send_held

send_held()  # the last passes wait to share a send
tools = [getattr(sys, "monitoring", None) and sys.monitoring.get_tool(tool) for tool in range(6)]
print(state.recording, "djdash_hook.recording" in sys.modules, [tool for tool in tools if tool])
""",
}


class RecordingTests(unittest.TestCase):
    """DJDASH_RECORD=1: each test's test_finished says which project functions it ran."""

    def run_project(self, record=True, root=True):
        with tempfile.TemporaryDirectory() as project:
            for name, text in _RECORDING_PROJECT.items():
                path = os.path.join(project, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as handle:
                    handle.write(textwrap.dedent(text))
            path = os.path.join(project, "djdash.sock")
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            server.listen(1)
            lines = []

            def accept():
                connection, _ = server.accept()
                with connection, connection.makefile("rb") as stream:
                    lines.extend(stream)

            thread = threading.Thread(target=accept)
            thread.start()
            env = dict(os.environ)
            env.update({"DJDASH_SOCKET": path, "DJDASH_PROJECT_ROOT": project, "PYTHONPATH": os.pathsep.join([HOOK_DIR, project])})
            env.pop("DJDASH_ROLE", None)
            if not root:
                env.pop("DJDASH_PROJECT_ROOT")
            if record:
                env["DJDASH_RECORD"] = "1"
            else:
                env.pop("DJDASH_RECORD", None)
            result = subprocess.run(
                [sys.executable, "run.py"], cwd=project, env=env, capture_output=True, text=True, timeout=60
            )
            thread.join(10)
            server.close()
        self.assertEqual(result.returncode, 0, result.stderr)
        events = [json.loads(line) for line in lines]
        self.assertEqual([e for e in events if e["event"] == "hook_error"], [])
        finished = {e["id"].rsplit(".", 1)[1]: e for e in events if e["event"] == "test_finished"}
        return result.stdout.strip(), finished

    def test_not_asked_for_nothing_is_recorded(self):
        how, finished = self.run_project(record=False)
        self.assertEqual(how, "None False []", "nothing imported, no monitoring tool taken")
        for event in finished.values():
            self.assertNotIn("executed", event)
            self.assertNotIn("setup_executed", event)

    def test_unavailable_without_a_project_root(self):
        # Nothing would be the project's, and every test would seem to have run nothing.
        how, finished = self.run_project(root=False)
        self.assertEqual(how, "unavailable True []")
        for event in finished.values():
            self.assertNotIn("executed", event)

    @unittest.skipIf(hasattr(sys, "monitoring"), "Python 3.12+ records through sys.monitoring")
    def test_unavailable_before_python_3_12(self):
        how, finished = self.run_project()
        self.assertEqual(how, "unavailable True []")
        self.assertEqual(len(finished), 7)
        for event in finished.values():
            self.assertNotIn("executed", event)

    @unittest.skipUnless(hasattr(sys, "monitoring"), "sys.monitoring came in Python 3.12")
    def test_each_test_lists_the_project_functions_it_ran(self):
        how, finished = self.run_project()
        self.assertEqual(how, "sys.monitoring True ['djdash recording', 'djdash discovery']")
        tests = "tests/test_things.py"
        helpers = "app/helpers.py"
        a = finished["test_a_calls"]
        self.assertEqual(
            a["executed"],
            {
                helpers: ["Foo.bar", "Foo.bar.<locals>.<lambda>", "Foo.bar.<locals>.inner", "helper"],
                tests: ["Things.test_a_calls"],
            },
        )
        # Before the first test: the imports (module and class bodies, and what they
        # called), the script itself, and the class's setup.
        setup = a["setup_executed"]
        self.assertEqual(setup[helpers], ["<module>", "Foo", "compute", "for_class_setup"])
        self.assertIn("Things.setUpClass", setup[tests])
        self.assertIn("<module>", setup[tests])
        self.assertEqual(setup["run.py"], ["<module>"])
        self.assertNotIn("app/late.py", setup)
        self.assertFalse(any("site-packages" in path for path in list(a["executed"]) + list(setup)))

        self.assertEqual(finished["test_b_calls_nothing"]["executed"], {tests: ["Things.test_b_calls_nothing"]})
        self.assertNotIn("setup_executed", finished["test_b_calls_nothing"])
        # Armed for each test: a function the first test ran is seen again, once; and
        # after its second start in test_c turned it off, it is re-armed for test_e.
        self.assertEqual(finished["test_c_calls_again"]["executed"], {helpers: ["helper"], tests: ["Things.test_c_calls_again"]})
        self.assertEqual(finished["test_e_calls_again"]["executed"], {helpers: ["helper"], tests: ["Things.test_e_calls_again"]})

        # A test that runs a test of its own: each has its own, and the outer one goes on
        # recording after the inner one ended.
        outer = "Things.test_f_runs_a_test_of_its_own"
        self.assertEqual(finished["test_inner"]["executed"], {helpers: ["unused"], tests: [outer + ".<locals>.Inner.test_inner"]})
        self.assertEqual(
            finished["test_f_runs_a_test_of_its_own"]["executed"], {helpers: ["helper"], tests: [outer, outer + ".<locals>.Inner"]}
        )

        # What an import runs is setup, even during a test; what the test calls is its own.
        d = finished["test_d_imports"]
        self.assertEqual(d["executed"], {"app/late.py": ["later"], tests: ["Things.test_d_imports"]})
        self.assertEqual(d["setup_executed"], {"app/late.py": ["<module>", "at_import"], helpers: ["registered"]})


if __name__ == "__main__":
    unittest.main()


class ParallelStopTests(unittest.TestCase):
    """`_reporting_early_stop` around a stand-in for ParallelTestSuite.run, which reads
    `self.subsuites[index]` for each subsuite it replays and stops once
    `result.shouldStop` is set, as Django 4.2 and 5.2 do."""

    class Suite:
        def __init__(self, order, fail_at=None, raise_at=None):
            self.subsuites = [["t%d" % index] for index in range(4)]
            self.order = order  # the order the "workers" finish subsuites in
            self.fail_at = fail_at
            self.raise_at = raise_at

        def run(self, result):
            for index in self.order:
                if result.shouldStop:
                    break  # Django: pool.terminate()
                if index == self.raise_at:
                    raise TypeError("cannot pickle 'module' object")
                for test in list(self.subsuites[index]):
                    if index == self.fail_at:
                        result.stop()  # what a failfast result does in addFailure
            return result

    def run_suite(self, suite, events):
        kind = type(suite.subsuites)
        original_emit = patches.emit
        patches.emit = lambda event, _hold=False, **fields: events.append(dict(fields, event=event))
        result = unittest.TestResult()
        try:
            patches._reporting_early_stop(self.Suite.run)(suite, result)
        finally:
            patches.emit = original_emit
            self.assertIs(type(suite.subsuites), kind, "the subsuites are given back")
            self.assertNotIn("stop", vars(result), "the result's stop is its own again")
        return events

    def test_a_stop_names_the_subsuites_django_replayed(self):
        events = self.run_suite(self.Suite(order=[2, 0, 3, 1], fail_at=0), [])
        self.assertEqual(events, [{"event": "parallel_stopped", "reason": "stop", "replayed": [0, 2]}])

    def test_an_error_in_the_parent_is_said_before_it_propagates(self):
        events = []
        with self.assertRaises(TypeError):
            self.run_suite(self.Suite(order=[1, 3, 0, 2], raise_at=0), events)
        self.assertEqual(events, [{"event": "parallel_stopped", "reason": "error", "replayed": [1, 3]}])

    def test_subsuites_it_cannot_watch_are_not_named(self):
        suite = self.Suite(order=[2, 0, 3, 1], fail_at=0)
        suite.subsuites = tuple(suite.subsuites)
        self.assertEqual(self.run_suite(suite, []), [{"event": "parallel_stopped", "reason": "stop"}])

    def test_a_run_that_replays_everything_says_nothing(self):
        self.assertEqual(self.run_suite(self.Suite(order=[3, 2, 1, 0]), []), [])


class WarmRefreshTests(unittest.TestCase):
    """A warm child's functions given the new code of a save in function bodies
    (djdash_hook.refresh), and what it refuses: the run then goes cold."""

    def setUp(self):
        from djdash_hook import refresh

        self.refresh = refresh
        self.folder = tempfile.mkdtemp()
        self.saved = (dict(refresh._loaded), dict(refresh._ran), dict(refresh._watch))
        refresh._watch["root"] = self.folder + os.sep

    def tearDown(self):
        import shutil

        loaded, ran, watch = self.saved
        for name, kept in ((self.refresh._loaded, loaded), (self.refresh._ran, ran), (self.refresh._watch, watch)):
            name.clear()
            name.update(kept)
        shutil.rmtree(self.folder)

    def load(self, source):
        """Imports `source` as a module of the project, recorded as the server records it."""
        import types

        name = "refresh_fixture_%d" % len(os.listdir(self.folder))
        path = os.path.join(self.folder, name + ".py")
        self.save(path, source)
        with open(path, "rb") as file:
            code = compile(file.read(), path, "exec", dont_inherit=True)
        module = types.ModuleType(name)
        module.__file__ = path
        exec(code, module.__dict__)
        self.refresh._loaded[path] = ((0, 0), code)
        return path, module

    def save(self, path, source):
        with open(path, "w") as file:
            file.write(textwrap.dedent(source))

    def refreshed(self, path):
        found = self.refresh.plan([path])
        self.refresh.apply(found)
        return found

    def test_every_kind_of_function_takes_its_new_body(self):
        source = """\
            import functools

            def plain():
                return "old plain"

            def logged(function):
                @functools.wraps(function)
                def wrapper(*args):
                    return function(*args)
                return wrapper

            @logged
            def decorated():
                return "old decorated"

            def outer():
                def inner():
                    return "old inner"
                return inner()

            class Shelf:
                def method(self):
                    return "old method"

                @classmethod
                def made(cls):
                    return "old classmethod"

                @staticmethod
                def helper():
                    return "old staticmethod"

                @property
                def label(self):
                    return self._label

                @label.setter
                def label(self, value):
                    self._label = "old " + value

                class Inner:
                    def nested(self):
                        return "old nested class"
            """
        path, module = self.load(source)
        shelf = module.Shelf()
        bound = shelf.method
        self.save(path, source.replace('"old ', '"new '))
        found = self.refreshed(path)
        shelf.label = "setter"
        self.assertEqual(
            [
                module.plain(), module.decorated(), module.outer(), shelf.method(), bound(), module.Shelf.made(),
                module.Shelf.helper(), shelf.label, module.Shelf.Inner().nested(),
            ],
            [
                "new plain", "new decorated", "new inner", "new method", "new method", "new classmethod",
                "new staticmethod", "new setter", "new nested class",
            ],
        )
        self.assertEqual(
            sorted(function.__code__.co_qualname for function, _ in found),
            [
                "Shelf.Inner.nested", "Shelf.helper", "Shelf.label", "Shelf.made", "Shelf.method", "decorated",
                "outer", "plain",
            ],
        )

    def test_a_function_moved_by_lines_above_it_gets_its_new_line_numbers(self):
        path, module = self.load("def first():\n    return 1\n\ndef second():\n    return 2\n")
        self.save(path, "def first():\n    x = 1\n    return x\n\ndef second():\n    return 2\n")
        self.refreshed(path)
        self.assertEqual(module.second.__code__.co_firstlineno, 5)
        self.assertEqual(module.first(), 1)

    def test_lines_added_above_a_class_change_nothing_of_its_body(self):
        source = "class Shelf:\n    size = 3\n\n    def method(self):\n        return self.size\n"
        path, module = self.load(source)
        self.save(path, "\n\n" + source.replace("return self.size", "self.seen = True\n        return self.size + 1"))
        self.refreshed(path)
        self.assertEqual(module.Shelf().method(), 4)

    def test_a_class_made_by_a_function_that_ran_at_start_up_is_the_same_below_new_lines(self):
        source = """\
            def make():
                class Made:
                    pass

                return Made
            """
        path, module = self.load(source)
        make = self.refresh._loaded[path][1].co_consts[0]
        self.refresh._ran[id(make)] = make
        self.save(path, "# a line above\n\n" + textwrap.dedent(source))
        self.assertEqual([function.__name__ for function, _ in self.refreshed(path)], ["make"])
        self.save(path, textwrap.dedent(source).replace("pass", "size = 1"))
        with self.assertRaisesRegex(self.refresh.Refused, "make .*ran while the warm runner started"):
            self.refresh.plan([path])

    def test_a_closure_over_other_names_is_refused(self):
        path, module = self.load(
            """\
            def make():
                count = 0
                def counter():
                    return count
                return counter

            counter = make()
            """
        )
        self.save(
            path,
            """\
            def make():
                count = 0
                total = 1
                def counter():
                    return total
                return counter

            counter = make()
            """,
        )
        with self.assertRaisesRegex(self.refresh.Refused, "counter .*closes over other names"):
            self.refresh.plan([path])

    def test_a_changed_function_that_ran_at_start_up_is_refused(self):
        source = """\
            def tax():
                return 21

            RATE = tax()
            """
        path, module = self.load(source)
        old = [const for const in self.refresh._loaded[path][1].co_consts if hasattr(const, "co_code")][0]
        self.refresh._ran[id(old)] = old
        self.save(path, source.replace("21", "9"))
        with self.assertRaisesRegex(self.refresh.Refused, "tax .*ran while the warm runner started"):
            self.refresh.plan([path])
        # The same bytecode, other positions: its code is replaced (tracebacks), not refused.
        self.save(path, source.replace("return 21", "return  (21)"))
        self.assertEqual([function.__name__ for function, _ in self.refreshed(path)], ["tax"])

    def test_changes_outside_function_bodies_are_refused(self):
        source = """\
            RATE = 21

            class Shelf:
                size = 3

                def method(self):
                    return 1
            """
        changes = {
            "RATE = 21": "RATE = 9",
            "size = 3": "size = 4",
            "def method(self):\n        return 1": "def method(self):\n        return 1\n\n    def other(self):\n        return 2",
        }
        for before, after in changes.items():
            with self.subTest(after):
                path, module = self.load(source)
                self.save(path, textwrap.dedent(source).replace(before, after))
                with self.assertRaises(self.refresh.Refused):
                    self.refresh.plan([path])

    def test_a_live_function_gone_from_the_source_is_refused(self):
        path, module = self.load("def kept():\n    return 1\n\ndef dropped():\n    return 2\n")
        self.save(path, "def kept():\n    return 1\n")
        with self.assertRaisesRegex(self.refresh.Refused, "changed outside function bodies"):
            self.refresh.plan([path])

    def test_a_live_function_made_by_code_now_gone_is_refused(self):
        source = """\
            HANDLERS = []

            def register():
                HANDLERS.append(lambda: "old")
            """
        path, module = self.load(source)
        module.register()
        self.save(path, textwrap.dedent(source).replace('lambda: "old"', '"no lambda"'))
        with self.assertRaisesRegex(self.refresh.Refused, "register.<locals>.<lambda> .*no longer in the source"):
            self.refresh.plan([path])

    def test_a_file_that_no_longer_compiles_or_was_not_loaded_is_refused(self):
        path, module = self.load("def f():\n    return 1\n")
        self.save(path, "def f(:\n    return 1\n")
        with self.assertRaisesRegex(self.refresh.Refused, "does not compile"):
            self.refresh.plan([path])
        with self.assertRaisesRegex(self.refresh.Refused, "not recorded as loaded"):
            self.refresh.plan([os.path.join(self.folder, "other.py")])

    @unittest.skipIf(sys.version_info < (3, 12), "sys.monitoring is Python 3.12+")
    def test_the_start_up_records_imports_and_what_ran(self):
        import importlib.util
        from importlib.machinery import SourceFileLoader

        path = os.path.join(self.folder, "startup_fixture.py")
        self.save(path, "def called():\n    return 1\n\ndef not_called():\n    return 2\n\nVALUE = called()\n")
        original = SourceFileLoader.get_code
        try:
            self.refresh.watch_start_up(self.folder + os.sep)
            spec = importlib.util.spec_from_file_location("startup_fixture", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            stamps = self.refresh.stop_watching(["startup_fixture.py", "other.py"])
        finally:
            SourceFileLoader.get_code = original
        status = os.stat(path)
        self.assertEqual(stamps, {"startup_fixture.py": [status.st_mtime_ns, status.st_size]})
        ran = {code.co_name for code in self.refresh._ran.values() if code.co_filename == path}
        self.assertEqual(ran, {"<module>", "called"})
