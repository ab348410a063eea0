"""Function bodies refreshed in a warm child (warm servers only, Python 3.12+).

A save confined to function bodies of a module the warm server loaded at start-up need
not cost a cold run: the child forked for the run gives every live function of that
module whose code changed the new code (`function.__code__`), and nothing else of the
server is touched. The server never patches itself, so each child starts from the code
as it was loaded and applies every change since (djdash sends the files that differ).

It is sound only when nothing that ran before the fork depends on the old bodies, so
from the interpreter's start until `warm_ready` the server records, for each project
file, the code it imported (with the file's stamp when it was read) and which of the
project's code objects ran (sys.monitoring PY_START, each code once). A refresh is
refused, and the run goes cold, when:
  - the file was not recorded as imported, or no longer compiles;
  - anything outside function bodies differs (module level, class bodies);
  - a changed function ran while the server started (its results may be kept: a
    decorator, an app's ready(), a value computed at import);
  - a live function's code has no counterpart in the new source, or its closure's names
    differ (a code object cannot take another closure).
"""

import dis
import gc
import os
import sys
import types

_loaded = {}  # absolute path -> ((st_mtime_ns, st_size) before it was read, module code)
_ran = {}  # id(code) -> code: project code that ran while the server started
_watch = {"on": False, "root": "", "tool": None}
_MODULE_LEVEL_FLAGS = 0x0001 | 0x0002  # CO_OPTIMIZED | CO_NEWLOCALS: set for functions only
_BEHAVIOUR = (
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
    "co_flags",
    "co_code",
    "co_names",
    "co_varnames",
    "co_freevars",
    "co_cellvars",
    "co_exceptiontable",
)


def watch_start_up(project_root):
    """Records, until `stop_watching()`, the code of each project module imported and the
    project code that runs. Does nothing before Python 3.12 or without a project root:
    then no file is refreshable and every save of a loaded file restarts the server."""
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None or not project_root:
        return
    tool = next((tool for tool in (5, 4, 3, 2, 1, 0) if monitoring.get_tool(tool) is None), None)
    if tool is None:
        return
    from importlib.machinery import SourceFileLoader

    original = SourceFileLoader.get_code

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        if not _watch["on"] or not path.startswith(project_root):
            return original(self, fullname)
        try:
            status = os.stat(path)
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
        code = original(self, fullname)
        if stamp is not None and code is not None:
            _loaded[path] = (stamp, code)
        return code

    disable = monitoring.DISABLE

    def started(code, offset):
        if code.co_filename.startswith(project_root):
            _ran[id(code)] = code
        return disable

    SourceFileLoader.get_code = get_code
    monitoring.use_tool_id(tool, "djdash warm start-up")
    monitoring.register_callback(tool, monitoring.events.PY_START, started)
    monitoring.set_events(tool, monitoring.events.PY_START)
    _watch.update(on=True, root=project_root, tool=tool)


def stop_watching(loaded):
    """Ends the recording (at warm_ready); returns the stamps, `{path: [mtime_ns, size]}`,
    of the files of `loaded` (project-relative) recorded as imported: the refreshable
    ones. djdash keeps the text of those whose stamp is still the same."""
    if not _watch["on"]:
        return {}
    _watch["on"] = False
    monitoring = sys.monitoring
    monitoring.set_events(_watch["tool"], 0)
    monitoring.register_callback(_watch["tool"], monitoring.events.PY_START, None)
    monitoring.free_tool_id(_watch["tool"])
    stamps = {}
    for relative in loaded:
        entry = _loaded.get(os.path.join(_watch["root"], relative))
        if entry is not None:
            stamps[relative] = list(entry[0])
    return stamps


class Refused(Exception):
    """Why a refresh cannot be done: the run goes cold."""


def plan(paths):
    """What to change in a child for the current text of `paths` (absolute): a list of
    (function, new code). Raises Refused. Reads the server's objects, changes none."""
    changes = {}  # id(old code) -> (old, new) for every function code that differs
    gone = set()  # id(old code) of code without a counterpart in the new source
    files = set()
    for path in paths:
        entry = _loaded.get(path)
        if entry is None:
            raise Refused("%s was not recorded as loaded" % _relative(path))
        try:
            with open(path, "rb") as source:
                new_module = compile(source.read(), path, "exec", dont_inherit=True)
        except (OSError, SyntaxError, ValueError) as exc:
            raise Refused("%s does not compile: %s" % (_relative(path), exc)) from None
        _pair(entry[1], new_module, path, changes, gone)
        files.add(path)
    for old, new in changes.values():
        if not _same_behaviour(old, new) and id(old) in _ran:
            raise Refused("%s ran while the warm runner started" % _describe(old))
    known = set()
    for path in files:
        _collect(_loaded[path][1], known)
    gc.unfreeze()  # frozen objects are not listed; the server freezes again before a fork
    found = []
    for obj in gc.get_objects():
        if type(obj) is not types.FunctionType:
            continue
        code = obj.__code__
        if code.co_filename not in files:
            continue
        key = id(code)
        if key not in known:
            raise Refused("%s comes from another import of its file" % _describe(code))
        if key in gone:
            raise Refused("%s is live but no longer in the source" % _describe(code))
        if key in changes:
            new = changes[key][1]
            if new.co_freevars != code.co_freevars:
                raise Refused("%s closes over other names now" % _describe(code))
            found.append((obj, new))
    return found


def apply(found):
    """In the child: each function takes its new code."""
    for function, code in found:
        function.__code__ = code


def _pair(old, new, path, changes, gone, in_function=False):
    """Pairs the code objects of two versions of one file by qualified name (the n-th of
    a name with the n-th), recursively. Module and class-body code must not differ,
    unless the class is made by a function (then it is part of that function's body)."""
    module_level = not in_function and not _is_function(old)
    if module_level:
        if _outline(old) != _outline(new):
            raise Refused("%s changed outside function bodies (%s)" % (_relative(path), _describe(old)))
    elif _is_function(old) and old != new:
        changes[id(old)] = (old, new)
    old_children, new_children = _children(old), _children(new)
    for key, olds in old_children.items():
        news = new_children.get(key, [])
        if len(news) != len(olds):
            for code in olds:
                _forget(code, gone)
            continue
        for old_child, new_child in zip(olds, news):
            _pair(old_child, new_child, path, changes, gone, not module_level)
    if module_level:
        # What is defined at module level or in a class body is the same set of names.
        added = set(new_children) - set(old_children)
        if added:
            raise Refused("%s has new definitions: %s" % (_relative(path), ", ".join(sorted(added))))


def _is_function(code):
    return code.co_flags & _MODULE_LEVEL_FLAGS == _MODULE_LEVEL_FLAGS


def _forget(code, gone):
    ids = set()
    _collect(code, ids)
    gone.update(ids)


def _collect(code, ids):
    ids.add(id(code))
    for codes in _children(code).values():
        for child in codes:
            _collect(child, ids)


def _children(code):
    children = {}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            children.setdefault(getattr(const, "co_qualname", const.co_name), []).append(const)
    return children


def _outline(code):
    """What module or class-body code does, as (operation, value) pairs: nested code by
    name only, and what Python 3.13 stores for introspection only left out — a class's
    line (`__firstlineno__`: lines added above it change nothing) and the attributes
    its methods assign (`__static_attributes__`: read from their bodies)."""
    instructions = list(dis.get_instructions(code))
    outline = []
    for index, instruction in enumerate(instructions):
        value = instruction.argval
        if isinstance(value, types.CodeType):
            value = ("code", getattr(value, "co_qualname", value.co_name))
        elif instruction.opname == "LOAD_CONST" and index + 1 < len(instructions):
            if instructions[index + 1].argval in ("__firstlineno__", "__static_attributes__"):
                value = instructions[index + 1].argval
        outline.append((instruction.opname, type(value).__name__, value))
    return outline


def _same_behaviour(a, b):
    """Same bytecode, names and constants, line numbers aside; nested code objects
    compared alike (a class body defined in a function as module-level code is)."""
    if _is_function(a) != _is_function(b):
        return False
    if not _is_function(a):
        if _outline(a) != _outline(b):
            return False
    else:
        for field in _BEHAVIOUR:
            if getattr(a, field, None) != getattr(b, field, None):
                return False
        if len(a.co_consts) != len(b.co_consts):
            return False
        for x, y in zip(a.co_consts, b.co_consts):
            if isinstance(x, types.CodeType) != isinstance(y, types.CodeType):
                return False
            if not isinstance(x, types.CodeType) and (type(x) is not type(y) or x != y):
                return False
    nested = [const for const in a.co_consts if isinstance(const, types.CodeType)]
    others = [const for const in b.co_consts if isinstance(const, types.CodeType)]
    if len(nested) != len(others):
        return False
    for x, y in zip(nested, others):
        if getattr(x, "co_qualname", x.co_name) != getattr(y, "co_qualname", y.co_name):
            return False
        if not _same_behaviour(x, y):
            return False
    return True


def _describe(code):
    return "%s (%s:%d)" % (getattr(code, "co_qualname", code.co_name), _relative(code.co_filename), code.co_firstlineno)


def _relative(path):
    root = _watch["root"]
    return path[len(root) :] if root and path.startswith(root) else path
