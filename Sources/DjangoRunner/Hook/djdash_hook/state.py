"""The one state object of a process: what install() read from the environment, and
what the hook keeps while the process runs tests.

Every module reads and writes it as `state.<field>`; nothing else the hook keeps changes
after import, except memos of facts that hold for the whole process (a test class's id
prefix, a source file's kind), which stay beside the code that uses them. A process
forked from one that had the hook (a parallel worker, a warm server's child) keeps the
state, less what belongs to the process that made it: see `reset_after_fork`.
"""

import os
import queue
import threading
import weakref

# The folder of the hook's own modules (to tell its frames apart), and the folder djdash
# puts on PYTHONPATH (never a project's source folder).
PACKAGE_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep
HOOK_FOLDER = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


class State:
    __slots__ = (
        # From the environment, once (install)
        "options",
        "test_timeout",
        "stop_on_timeout",
        "project_root",
        "leader",
        "awaits_labels",
        "labels_inside",
        "warm",
        "recording",
        # This process and its connection (channel)
        "pid",
        "channel",
        "channel_lock",
        "stop_requested",
        "results",
        "given_labels",
        "labels_given",
        "warm_served",
        "warm_requests",
        "before_pool_terminate",
        # The test running (reporting, capture)
        "current",
        "setup_queries",
        "queries",
        "query_overflow",
        "atomics_thread",
        "rendering",
        "capture",
        "mail",
        "recorder",
    )

    def __init__(self):
        self.options = {}  # DJDASH_OPTIONS: DiscoverRunner keyword arguments
        self.test_timeout = 0.0  # seconds per test (DJDASH_TEST_TIMEOUT); 0 means none
        self.stop_on_timeout = False  # DJDASH_STOP_ON_TIMEOUT: no test starts after one timed out
        self.project_root = ""  # DJDASH_PROJECT_ROOT, ending in a separator
        self.leader = False  # the first Python process of the run (the runner)
        # DJDASH_AWAIT_LABELS: the runner starts before its labels are known (watch mode
        # starts Python and Django while a save settles); run_tests waits for {"cmd": "run"}.
        self.awaits_labels = False
        self.labels_inside = None  # DJDASH_LABELS: labels for run_tests from djdash, not the command line
        # DJDASH_WARM: the runner becomes a warm server: test environment and databases set
        # up once, then each {"cmd": "warm_run"} forks a child that runs the labels and exits.
        self.warm = False
        # DJDASH_RECORD=1: how this process records what each test executes
        # ("sys.monitoring" or "unavailable"), else None: not asked for, nothing installed.
        self.recording = None

        self.pid = os.getpid()
        self.channel = None  # this process's connection to djdash (channel._Channel), made lazily
        self.channel_lock = threading.Lock()  # held while sending
        self.stop_requested = False
        self.results = weakref.WeakSet()  # results instrumented in this process
        self.given_labels = None  # the labels of {"cmd": "run"}
        self.labels_given = threading.Event()
        self.warm_served = False  # a warm server serves once, however often the script calls run_tests
        self.warm_requests = queue.Queue()  # {"cmd": "warm_run"} messages; None ends the server
        self.before_pool_terminate = None  # set while ParallelTestSuite.run runs (patches)

        self.current = {}  # id(result) -> the _Record of the test that result is running
        self.setup_queries = []  # queries since the last test ended: class and fixture setup
        self.queries = self.setup_queries  # where the execute wrapper appends: the test's list or setup's
        self.query_overflow = 0  # queries past QUERY_LIMIT, counted for the test's result
        # The thread inside TestCase._enter_atomics, _rollback_atomics or _fixture_teardown
        # (Django's test isolation, see capture.patch_test_atomics), else None.
        self.atomics_thread = None
        self.rendering = None  # the _Record of the test running, if any (template_rendered adds to it)
        self.capture = None  # the process's pair of output streams, reused from test to test
        self.mail = None  # django.core.mail, once imported
        self.recorder = None  # recording.Recorder while recording, else None (the hot path checks it)

    def reset_after_fork(self):
        """In a forked child: what belonged to the parent process goes."""
        self.channel = None  # reconnect lazily: never share the parent's socket
        self.channel_lock = threading.Lock()  # another thread may have held the parent's at the fork
        self.leader = False
        self.pid = os.getpid()
        self.capture = None


state = State()
