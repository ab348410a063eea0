"""The warm server (DJDASH_WARM): the test environment and every database set up once in
the runner; each {"cmd": "warm_run"} forks a child that runs its labels and exits.

Imported only in a runner that becomes a warm server (patches._warm_module), never in a
plain run or a test worker.
"""

import gc
import os
import queue
import sys
import traceback

from . import refresh
from .channel import connect, emit, enable_crash_report, hook_error, send_held
from .patches import command_labels, emit_runner_started
from .reporting import hide_hook_frames
from .state import state



def _project_files_loaded():
    """Files of the project's modules this process has imported."""
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and state.project_root and os.path.abspath(path).startswith(state.project_root):
            files.add(os.path.abspath(path)[len(state.project_root) :])
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


def serve(runner, script_labels):
    """A warm server: the test environment and every database set up once; each warm
    run is a forked child, which sees the databases exactly as they are now. SQLite in
    memory is copied by the fork; any other test database is cloned for the run (as
    Django clones them for --parallel) and dropped after it. The server's own test
    databases get names of their own, so cold runs beside it never touch them.
    `script_labels` are those run_tests was given: a run with labels of its own runs
    them after the command line's (`command_labels`), one without runs these."""
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
    refreshable = refresh.stop_watching(loaded)
    _install_code_cache()
    emit("warm_ready", loaded=loaded, shared_databases=shared, refreshable=refreshable)
    compiling = _project_sources()
    count = 0
    try:
        while True:
            request = _next_warm_request(compiling)
            if request is None or state.stop_requested:
                break
            refreshed = _refresh_plan(request)
            if refreshed is None:
                continue
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
                _run_warm_child(runner, request, script_labels, refreshed)  # never returns
            emit("warm_child_started", child=pid, refreshed=len(refreshed))
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
        # djdash does not wait for the teardown (its user has the shell back): what Django
        # prints about it goes nowhere, so a closed pipe cannot cut it short.
        _detach_output()
        runner.teardown_databases(old_config)
        runner.teardown_test_environment()
    return 0


def _refresh_plan(request):
    """The functions a run's child gives new code (`refresh`: project files saved since
    they were loaded, in function bodies only), or None when that cannot be done: then
    `warm_refresh_refused` says why, no child is forked, and djdash runs it cold."""
    paths = [os.path.join(state.project_root, str(path)) for path in request.get("refresh") or []]
    if not paths:
        return []
    try:
        return refresh.plan(paths)
    except refresh.Refused as exc:
        reason = str(exc)
    except Exception as exc:
        hook_error("planning a refresh")
        reason = "planning it failed: %s: %s" % (type(exc).__name__, exc)
    emit("warm_refresh_refused", reason=reason)
    return None


def _detach_output():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    try:
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        os.close(quiet)
    except OSError:
        pass


_code_cache = {}  # path -> ((st_mtime_ns, st_size), code object) of project modules
_SKIPPED_FOLDERS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".venv", "venv",
                    ".djdash", ".mypy_cache", ".pytest_cache", "site-packages", "build", "dist"}


def _project_sources():
    """The project's .py files, for the warm server to compile while it waits (virtual
    environments, caches and VCS folders left out)."""
    root = state.project_root.rstrip(os.sep)
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
            return state.warm_requests.get_nowait()
        except queue.Empty:
            pass
        batch = [path for _, path in zip(range(16), compiling)]
        if not batch:
            return state.warm_requests.get()
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
        hook_error("warming up")
    try:
        for name in set(sys.modules) - before:
            path = getattr(sys.modules[name], "__file__", None)
            if path and state.project_root and os.path.abspath(path).startswith(state.project_root):
                del sys.modules[name]
        for signal, kept in receivers:
            signal.receivers[:] = kept
            signal.sender_receivers_cache.clear()
        registry.registered_checks, registry.deployment_checks = checks
        _forget_project_caches()
        gc.collect()
    except Exception:
        hook_error("warming up")


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


def _run_warm_child(runner, request, script_labels=(), refreshed=()):
    """In the forked child: give the refreshed functions their new code, become the
    leader of a run of its own (its own process group, socket and run folder), run the
    labels as run_tests would without creating or destroying databases, and exit."""
    code = 1
    try:
        refresh.apply(refreshed)
        os.setpgid(0, 0)
        os.environ["DJDASH_PGID"] = str(os.getpid())
        os.environ["DJDASH_SOCKET"] = request["socket"]
        os.environ["DJDASH_RUN_DIR"] = request["run_dir"]
        state.leader = True
        enable_crash_report()
        connect()
        own = [str(label) for label in request.get("labels") or []]
        labels = command_labels(script_labels) + own if own else list(script_labels)
        emit_runner_started(runner, labels)
        suite = runner.build_suite(labels)
        runner.run_checks(runner.get_databases(suite))
        result = runner.run_suite(suite)
        failures = runner.suite_result(suite, result)
        emit("runner_finished", failures=failures)
        code = 1 if failures else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, hide_hook_frames(exc, exc.__traceback__))
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            send_held()
        finally:
            os._exit(code)
