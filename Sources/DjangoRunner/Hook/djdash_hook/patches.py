"""Patches of Django's test runner and of unittest, applied when `django.test.runner` is
first imported (`RunnerFinder`), whatever the entry point: djdash's options and labels,
the run's milestones (runner_started, project_loaded, suite_ready, databases, parallel
subsuites), and instrumenting every result (reporting).
"""

import functools
import json
import os
import sys
import types
import unittest

from .capture import forget_setup_queries, install_sql_capture, patch_test_atomics
from .channel import emit, hook_error
from .inert import inert_repr
from .reporting import hide_hook_frames, instrument, on_request_resolved, on_template_rendered, test_id_of
from .state import HOOK_FOLDER, state


def command_labels(test_labels):
    """The labels the command line itself carries (`manage.py test app`), not those a
    script chose for want of any (`runtests.py`: `sys.argv[1:] or ["app"]`): they go
    before the labels djdash gives a prepared runner or a warm run."""
    argv = set(sys.argv[1:])
    return [label for label in (test_labels or []) if label in argv]


def _warm_module():
    """The warm server's code, imported only in a runner that becomes one. Its bytecode is
    cached beside it, as sitecustomize does for the rest of the hook."""
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        from . import warm
    finally:
        sys.dont_write_bytecode = dont_write
    return warm


def _apply_options(original_init):
    """Wrap DiscoverRunner.__init__ so djdash's flags apply whatever the entry point."""
    import inspect

    signature = inspect.signature(original_init)
    parameters = signature.parameters
    var_keyword = next((p.name for p in parameters.values() if p.kind is p.VAR_KEYWORD), None)

    def __init__(self, *args, **kwargs):
        try:
            bound = signature.bind_partial(self, *args, **kwargs)
            options = dict(state.options)
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
            hook_error("runner options")
        original_init(self, *args, **kwargs)

    return __init__


def _test_ids(suite):
    from django.test.utils import iter_test_cases

    return [test_id_of(test) for test in iter_test_cases(suite)]


def _in_given_order(tests, classes, reverse=False, shuffler=None):
    """Django's reorder_tests without the reordering: the labels' own order, duplicates
    dropped. Used for exact-order runs (DJDASH_EXACT_ORDER), e.g. a polluter then its
    victim, where Django would otherwise group tests by class and type."""
    seen = set()
    for test in tests:
        if test not in seen:
            seen.add(test)
            yield test


def emit_runner_started(runner, labels):
    import django

    kind = type(runner)
    fields = {}
    if state.recording is not None:
        fields["recording"] = state.recording
    emit(
        "runner_started",
        pid=os.getpid(),
        django=django.get_version(),
        runner="%s.%s" % (kind.__module__, kind.__qualname__),
        labels=[str(label) for label in labels],
        **fields,
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
    hook = HOOK_FOLDER
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
    return [value if type(value) is str else inert_repr(value) for value in (values or [])]


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
                "loaders": [inert_repr(loader) if type(loader) is not str else loader for loader in options.get("loaders") or []],
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


def _follow_resolved_requests():
    """Which views each test's requests resolved to (`on_request_resolved`)."""
    try:
        from django.core.handlers.base import BaseHandler
    except Exception:
        hook_error("resolve_request")
        return
    original = getattr(BaseHandler, "resolve_request", None)  # Django 3.1+
    if original is None or getattr(original, "_djdash", False):
        return

    def resolve_request(self, request):
        match = original(self, request)
        if state.rendering is not None:
            try:
                on_request_resolved(match)
            except Exception:
                hook_error("resolve_request")
        return match

    resolve_request._djdash = True
    BaseHandler.resolve_request = resolve_request


def patch_runner_module(module):
    DiscoverRunner = module.DiscoverRunner
    ParallelTestSuite = module.ParallelTestSuite
    if os.environ.get("DJDASH_EXACT_ORDER") == "1":
        module.reorder_tests = _in_given_order

    DiscoverRunner.__init__ = _apply_options(DiscoverRunner.__init__)
    try:
        from django.test.signals import template_rendered

        template_rendered.connect(on_template_rendered, dispatch_uid="djdash-templates")
    except Exception:
        hook_error("template_rendered")
    _follow_resolved_requests()

    original_run_tests = DiscoverRunner.run_tests

    def run_tests(self, test_labels, *args, **kwargs):
        if state.warm and state.leader:
            if state.warm_served:  # a script that calls run_tests again: the server has ended
                return 0
            state.warm_served = True
            return _warm_module().serve(self, list(test_labels or []))
        if state.awaits_labels and state.leader:
            state.labels_given.wait()
            if state.given_labels is None:  # stopped before it was given any
                return 0
            # The command's own labels (`--command "manage.py test app"`) and djdash's, as
            # a cold run's command line has them; none given: what the script chose.
            if state.given_labels:
                test_labels = command_labels(test_labels) + list(state.given_labels)
        elif state.labels_inside is not None and state.leader:  # a script that takes no labels (DJDASH_LABELS)
            test_labels = list(state.labels_inside)
        try:
            _emit_project_loaded()
        except Exception:
            hook_error("project_loaded")
        emit_runner_started(self, test_labels or [])
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
            hook_error("suite_ready")
        return suite

    DiscoverRunner.build_suite = build_suite

    original_run_suite = DiscoverRunner.run_suite

    def run_suite(self, *args, **kwargs):
        forget_setup_queries()  # migrations and checks are not any test's setup
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
            hook_error("databases_ready")
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
        hook_error("watching the parallel pool")

    install_sql_capture()
    try:
        patch_test_atomics()
    except Exception:
        hook_error("marking TestCase atomics")


def _init_worker(*args, **kwargs):
    """Django's worker initializer, then an eager connection so a stop reaches us."""
    import django.test.runner

    django.test.runner._init_worker(*args, **kwargs)
    forget_setup_queries()  # cloning the test databases is not any test's setup
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
    if state.stop_requested:
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


def _telling_before_terminate(original_terminate):
    """multiprocessing's Pool.terminate, after `parallel_stopped` when a parallel run is
    going (its workers are about to be killed mid-test)."""

    @functools.wraps(original_terminate)
    def terminate(self):
        hook = state.before_pool_terminate
        if hook is not None:
            try:
                hook()
            except Exception:
                hook_error("parallel_stopped")
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
                    hook_error("parallel_stopped")
                return original_stop()

            result.stop = stop
        except Exception:
            hook_error("watching the parallel replay")
        # Django 6 runs its pool in a `with` block: an exception terminates the pool (and
        # the tests in its workers) before it leaves run(). Say so first.
        state.before_pool_terminate = lambda: tell("stop" if getattr(result, "shouldStop", False) else "error")  # noqa: E731
        try:
            value = original_run(self, result)
        except BaseException:
            try:
                tell("error")
            except Exception:
                hook_error("parallel_stopped")
            raise
        finally:
            state.before_pool_terminate = None
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


def patch_unittest():
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


def patch_excepthook():
    """An error that ends the process (a runner that crashes mid-run) is printed without
    the hook's frames: the patched run_tests and ParallelTestSuite.run are on its stack."""
    previous = sys.excepthook

    def excepthook(exctype, value, tb):
        try:
            tb = hide_hook_frames(value, tb)
        except Exception:
            pass
        return previous(exctype, value, tb)

    sys.excepthook = excepthook


class _PatchingLoader:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        try:
            patch_unittest()
            patch_runner_module(module)
        except Exception:
            hook_error("patching django.test.runner")

    def __getattr__(self, name):
        return getattr(self.loader, name)


class RunnerFinder:
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
