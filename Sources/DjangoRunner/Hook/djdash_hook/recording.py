"""Recording: the project functions and methods (code objects) each test executed, for
selection at function precision. Only with DJDASH_RECORD=1; otherwise never imported.

Python 3.12+ (`sys.monitoring`), with two tools and nothing but PY_START events:

- *discovery* (a global PY_START): fires once per code object of the process (its
  callback always returns DISABLE, which turns the event off at that code's start
  for good). A code object from a project file is recorded for the period it first
  started in, and queued to be armed.
- *armed* (a local PY_START, only on project code objects): the first start of a code
  in a period records it and leaves the event on, so a function a test runs once (most
  of them) costs one callback; the second start returns DISABLE. At each period's
  boundary (a test starts, a test stops) the code objects disabled since the last one
  are armed again, by setting their local events to nothing and back, which re-arms a
  location DISABLE turned off (checked on 3.13: setting the same events again does not).

So a test costs a callback for each distinct project function it ran, and two callbacks
and a re-arm for one it ran more than once, however often; nothing for Django's or the
standard library's code, which never starts an event again after its first start.
Measured on 3.13 per test calling 20 functions: once each, disabling at the first start
costs 16 µs, at the second 11 µs; 100 times each, never disabling costs 220 µs, this 19
µs. `sys.monitoring.restart_events()` at each boundary would instead re-arm every code
object of the process, so each test would pay a callback for every Django and unittest
function it ran (270 µs a test on the bench's everyday suite).

Periods: a test (startTest to stopTest) records into its own set; between tests, the
process's setup set (setUpModule, setUpClass, setUpTestData, fixtures, the previous
tearDownClass; before the first test, django.setup() and discovery, and in a warm child
what its server ran before forking: the fork keeps the set). Code that an import runs is
setup even during a test: a module body (`<module>`) and anything started while a module
is being imported (a `<module>` frame that is not `__main__`'s is on the stack), checked
only once the test made sys.modules grow.

Python 3.11 has no sys.monitoring: recording is `unavailable` there.
"""

import os
import sys
import sysconfig

from .state import HOOK_FOLDER, PACKAGE_FOLDER, state

# Tool ids: two of the ones Python leaves unassigned, else any two free ones.
_PREFERRED_TOOLS = (4, 3, 5, 2, 1, 0)

_modules = sys.modules

# The unit a rendered template file is recorded as (PythonDefinitions.template in Swift).
TEMPLATE = "<template>"


class Recorder:
    """The process's recording: the periods' sets and the code objects to re-arm."""

    def __init__(self, monitoring, discovery, armed):
        self.monitoring = monitoring
        self.discovery = discovery
        self.armed = armed
        # Code objects run outside any test since the last one ended, and by imports
        # during the test running: the test's setup_executed.
        self.setup = set()
        self.sink = self.setup  # the set of the period running: setup's, or the test's
        self.in_test = False
        self.modules_before = 0  # len(sys.modules) when the running test started
        self.rearm = []  # project code objects to arm, or disabled since the last boundary
        # Project template files rendered outside any test since the last one ended.
        self.setup_templates = set()
        self.paths = {}  # project code object -> its file, relative to the project root
        self.files = {}  # co_filename -> relative path, or None outside the project
        self.outside = _outside_folders()
        self.root = state.project_root

    # ------------------------------------------------------------------ callbacks

    def on_first_start(self, code, offset):
        """Discovery: the first start of any code object in this process. A project's
        is recorded, and armed at the next boundary. (An exception here would be raised
        in the project's code: none may leave.)"""
        try:
            path = self.files.get(code.co_filename, False)
            if path is False:
                path = self._project_path(code.co_filename)
            if path is not None:
                self.paths[code] = path
                if code.co_name == "<module>":
                    # An import: setup, whenever it runs. Never armed, as a module body
                    # runs once (a warm child's imports run its server's code objects
                    # again: the server's recording, which the child's first test
                    # carries, has them).
                    self.setup.add(code)
                else:
                    self._period_set().add(code)
                    self.rearm.append(code)
        except Exception:
            pass
        return self.DISABLE

    def on_armed_start(self, code, offset):
        """A project code object starts. The first time in a period it is recorded and
        stays armed (a function a test runs once, as most do, costs this one call); the
        second time it is disabled until the period's end, which re-arms it."""
        try:
            codes = self._period_set()
            if code in codes:
                self.rearm.append(code)
                return self.DISABLE
            codes.add(code)
        except Exception:
            pass

    def _period_set(self):
        """The set a start goes to: the test's, or setup's for what an import runs."""
        if self.in_test and len(_modules) > self.modules_before and _importing():
            return self.setup
        return self.sink

    def on_template(self, template, record):
        """A template was rendered (Django's `template_rendered`): its project file, as
        the unit `<template>`, executed by the test running (`record`) or, with none, by
        setup. Read off the template's origin; files outside the project are left out."""
        origin = getattr(template, "origin", None)
        filename = getattr(origin, "name", None)
        if type(filename) is not str:
            return
        path = self.files.get(filename, False)
        if path is False:
            path = self._project_path(filename)
        if path is None:
            return
        if record is None:
            self.setup_templates.add(path)
        else:
            if record.executed_templates is None:
                record.executed_templates = set()
            record.executed_templates.add(path)

    # ------------------------------------------------------------------- periods

    def begin(self, record):
        """A test starts: what setup recorded is its `setup_executed`; what it runs from
        here is its `executed`."""
        record.setup_executed = self.setup  # and what imports run during the test
        record.recording_outer = self.sink if self.in_test else None  # a test running tests of its own
        record.executed = self.sink = set()
        self.in_test = True
        self.modules_before = len(_modules)
        if self.rearm:
            self._rearm()

    def finish(self, record):
        """The test stops: recording goes back to setup. Returns (executed,
        setup_executed), each {path: [co_qualname]}."""
        if self.sink is record.executed:
            if record.recording_outer is not None:  # back to the test that ran this one
                self.sink = record.recording_outer
            else:
                self.in_test = False
                self.setup = self.sink = set()
        if self.rearm:
            self._rearm()
        executed = self.by_file(record.executed)
        setup = self.by_file(record.setup_executed)
        for path in record.executed_templates or ():
            executed[path] = [TEMPLATE]
        if self.setup_templates:
            for path in self.setup_templates:
                setup[path] = [TEMPLATE]
            self.setup_templates = set()
        return executed, setup

    def _rearm(self):
        codes, self.rearm = self.rearm, []
        set_local_events = self.monitoring.set_local_events
        armed = self.armed
        start = self.PY_START
        for code in codes:
            try:
                set_local_events(armed, code, 0)
                set_local_events(armed, code, start)
            except Exception:  # a code object monitoring cannot instrument: left out from now on
                pass

    def by_file(self, codes):
        if not codes:
            return {}
        paths = self.paths
        files = {}
        for code in list(codes):
            path = paths.get(code)
            if path is not None:
                names = files.get(path)
                if names is None:
                    names = files[path] = set()
                names.add(code.co_qualname)
        return {path: sorted(files[path]) for path in sorted(files)}

    # -------------------------------------------------------------------- files

    def _project_path(self, filename):
        path = None
        root = self.root
        if root and filename and filename[0] != "<":
            absolute = os.path.abspath(filename)
            if absolute.startswith(root) and not any(absolute.startswith(folder) for folder in self.outside):
                relative = absolute[len(root) :]
                parts = relative.split(os.sep)
                if "site-packages" not in parts and "dist-packages" not in parts:
                    path = relative
        self.files[filename] = path
        return path


def _outside_folders():
    """Folders whose code is never the project's, even inside the project root (a
    virtualenv in the project's folder): the standard library, installed packages, the
    hook's own."""
    folders = {PACKAGE_FOLDER, HOOK_FOLDER + os.sep}
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix):
        if prefix and prefix != os.sep:
            folders.add(os.path.abspath(prefix) + os.sep)
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            folders.add(os.path.abspath(sysconfig.get_path(name)) + os.sep)
        except Exception:
            pass
    return tuple(sorted(folders))


def _importing():
    """Whether a module is being imported: a `<module>` frame on the stack that is not
    the script's (`__main__`, at the bottom for the whole run)."""
    frame = sys._getframe(3)  # the code that started (above the callback, _period_set, this)
    while frame is not None:
        if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__") != "__main__":
            return True
        frame = frame.f_back
    return False


def start():
    """Begin recording in this process (install(), DJDASH_RECORD=1). Returns how:
    "sys.monitoring", or "unavailable" (Python before 3.12, no DJDASH_PROJECT_ROOT, or no
    two free tool ids)."""
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None or not state.project_root:
        # Without a project root nothing would be the project's: every test would seem to
        # have executed nothing, which a reader would take as a fact.
        return "unavailable"
    free = [tool for tool in _PREFERRED_TOOLS if monitoring.get_tool(tool) is None]
    if len(free) < 2:
        return "unavailable"
    discovery, armed = free[0], free[1]
    recorder = Recorder(monitoring, discovery, armed)
    recorder.DISABLE = monitoring.DISABLE
    recorder.PY_START = monitoring.events.PY_START
    monitoring.use_tool_id(discovery, "djdash discovery")
    monitoring.use_tool_id(armed, "djdash recording")
    monitoring.register_callback(armed, recorder.PY_START, recorder.on_armed_start)
    monitoring.register_callback(discovery, recorder.PY_START, recorder.on_first_start)
    monitoring.set_events(discovery, recorder.PY_START)
    state.recorder = recorder
    return "sys.monitoring"
