"""The djdash hook: reports every test of a Django run, live, from the process that ran it.

Loaded by djdash's sitecustomize when DJDASH_SOCKET is set, which then calls `install()`.
It patches Django's test runner lazily, when `django.test.runner` is first imported, and
never touches settings or database connections at import time. Events are JSON lines on
a Unix socket, one connection per process, so parallel workers cannot interleave their
records. The protocol is documented in
Sources/DjangoRunner/DjangoRunner.docc/EventProtocol.md.

The modules, by role:
  state      the one per-process state object (`state.state`), reset in a forked child
  channel    the connection to djdash: the pending room, sends, commands, abort
  inert      values described without running their code
  capture    what a test does: SQL queries, mail, stdout and stderr
  reporting  the result objects instrumented, each test's events (the hot path)
  patches    Django's test runner and unittest, patched when the runner is imported
  warm       the warm server, imported only in a runner that becomes one
  recording  what each test executed (DJDASH_RECORD=1 only): sys.monitoring on 3.12+

Only the standard library and Django are used. Every patch reports its own failures as
`hook_error` events instead of breaking the user's run.
"""

import json
import os
import sys

from .channel import PROTOCOL_VERSION, connect, emit, enable_crash_report
from .patches import RunnerFinder, patch_excepthook, patch_runner_module, patch_unittest
from .reporting import TestTimeout, instrument
from .state import state as _state

__all__ = ["PROTOCOL_VERSION", "TestTimeout", "emit", "install", "instrument"]


def install():
    """Set the hook up in this process: options, crash report, lazy runner patch."""
    try:
        _state.options = json.loads(os.environ.get("DJDASH_OPTIONS") or "{}")
    except ValueError:
        _state.options = {}
    try:
        _state.test_timeout = max(0.0, float(os.environ.get("DJDASH_TEST_TIMEOUT") or 0))
    except ValueError:
        _state.test_timeout = 0.0
    _state.stop_on_timeout = os.environ.get("DJDASH_STOP_ON_TIMEOUT") == "1"
    project_root = os.environ.get("DJDASH_PROJECT_ROOT", "")
    if project_root and not project_root.endswith(os.sep):
        project_root += os.sep
    _state.project_root = project_root
    if os.environ.get("DJDASH_RECORD") == "1":
        # As early as possible, so the first test's setup_executed has django.setup().
        # Kept in the environment: spawned parallel workers record too.
        _start_recording()
    if os.environ.get("DJDASH_ROLE") is None:
        # The first Python process of the run is the leader; everything it starts is not.
        _state.leader = True
        os.environ["DJDASH_ROLE"] = "child"
        _state.awaits_labels = os.environ.pop("DJDASH_AWAIT_LABELS", None) == "1"
        try:
            _state.labels_inside = json.loads(os.environ.pop("DJDASH_LABELS", None) or "null")
        except ValueError:
            _state.labels_inside = None
        _state.warm = os.environ.pop("DJDASH_WARM", None) == "1"
        if _state.warm:
            _watch_warm_start_up(project_root)
        if os.getpgrp() == os.getpid():
            # djdash starts the runner in a process group of its own: on abort, the whole
            # group goes. Never a group djdash did not make (a shell's, a test runner's).
            os.environ["DJDASH_PGID"] = str(os.getpgrp())
        connect()  # eagerly, so djdash knows the runner is alive
    enable_crash_report()
    patch_excepthook()
    os.register_at_fork(after_in_child=_after_fork_in_child)
    if "django.test.runner" in sys.modules:
        patch_unittest()
        patch_runner_module(sys.modules["django.test.runner"])
    else:
        sys.meta_path.insert(0, RunnerFinder())


def _watch_warm_start_up(project_root):
    """A warm server records, from now until it is ready, what it imported and ran of
    the project: what makes a save of function bodies refreshable in its children."""
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False  # its bytecode cached beside it, as sitecustomize does
    try:
        from .refresh import watch_start_up

        watch_start_up(project_root)
    except Exception:
        from .channel import hook_error

        hook_error("watching the warm start-up")
    finally:
        sys.dont_write_bytecode = dont_write


def _start_recording():
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False  # its bytecode cached beside it, as sitecustomize does
    try:
        from .recording import start

        _state.recording = start()
    except Exception:
        _state.recording = "unavailable"
        _state.recorder = None
        sys.stderr.write("djdash: recording what tests execute could not start: %r\n" % (sys.exc_info()[1],))
    finally:
        sys.dont_write_bytecode = dont_write


def _after_fork_in_child():
    _state.reset_after_fork()
    enable_crash_report()
