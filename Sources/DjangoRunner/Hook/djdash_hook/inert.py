"""Values described without running their code: a subtest's parameters, a skip reason,
a query's parameters, a setting that is not a string.

The hook observes and never runs a test's values' code (see `inert_repr`).
"""

import datetime
import decimal
import pathlib
import uuid

TEXT_LIMIT = 256 << 10  # characters kept of a mail body or one SQL statement
PARAM_LIMIT = 1024  # characters kept of one query parameter's repr

def clip(text, limit=TEXT_LIMIT):
    if len(text) <= limit:
        return text
    return text[:limit] + "\n… [%d more characters cut by djdash]" % (len(text) - limit)


def described(value, limit=TEXT_LIMIT):
    """A str as it is (clipped), anything else as inert_repr's text: a skip reason."""
    return clip(value if type(value) is str else inert_repr(value), limit)


def plain(value, limit=PARAM_LIMIT):
    """A JSON-safe copy of a value that runs none of the value's own code: primitives as
    they are, anything else as inert_repr's text."""
    kind = type(value)
    if kind is str:
        return clip(value, limit)
    if kind is int or kind is bool or value is None:
        return value
    if kind is float and value == value and value not in (_INF, -_INF):
        return value
    return clip(inert_repr(value), limit)


_INF = float("inf")
_INERT_ITEMS = 50  # items of a container shown before "…"
MISSING = object()
# Types whose repr is the standard library's own, never a subclass's (checked by exact type).
_STDLIB_REPR = frozenset(
    (int, float, complex, bool, str, bytes, bytearray, type(None), range, type(Ellipsis), decimal.Decimal,
     uuid.UUID, datetime.date, datetime.datetime, datetime.time, datetime.timedelta, datetime.timezone,
     pathlib.PurePosixPath, pathlib.PosixPath)
)  # fmt: skip
_CONTAINERS = (list, tuple, set, frozenset, dict)


def inert_repr(value, depth=0):
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
        fields = instance_dict(value)
        if class_attribute(kind, "_member_map_") is not None:  # an Enum member (Django's choices too)
            return "%s.%s" % (kind.__qualname__, fields.get("_name_", "?"))
        meta = class_attribute(kind, "_meta")
        pk = getattr(meta, "pk", None) if type(meta).__name__ == "Options" else None
        if pk is not None:  # a model instance
            attname = pk.attname
            key = inert_repr(fields[attname], depth + 1) if attname in fields else "?"
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
        ("%s: %s" % (inert_repr(item[0], depth + 1), inert_repr(item[1], depth + 1)))
        if kind is dict
        else inert_repr(item, depth + 1)
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


def class_attribute(kind, name):
    """`name` from the class dicts along `kind`'s MRO: no metaclass __getattr__, no descriptor."""
    for base in kind.__mro__:
        found = base.__dict__.get(name, MISSING)
        if found is not MISSING:
            return found
    return None


def instance_dict(value):
    try:
        fields = object.__getattribute__(value, "__dict__")
    except Exception:
        return {}
    return fields if type(fields) is dict else {}
