"""djdash: a live terminal dashboard for a Django project's tests.

djdash is a compiled program; this package only finds it. The wheel installs the binary
as a script (``bin/djdash`` of the environment) and its hook, demo and themes under
``share/djdash``. ``python -m djdash`` runs it.
"""

import os
import sys
import sysconfig

__version__ = "@VERSION@"


def find_djdash_bin():
    """The path of the djdash binary installed with this package."""
    name = "djdash"
    candidates = [sysconfig.get_path("scripts")]
    user_scheme = {"posix": "posix_user", "nt": "nt_user"}.get(os.name)
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    if user_scheme:
        candidates.append(sysconfig.get_path("scripts", scheme=user_scheme))
    # pip install --target DIR: the package in DIR/djdash, the binary in DIR/bin.
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin"))
    for folder in candidates:
        path = os.path.join(folder, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError("djdash's binary is not installed beside this package; looked in " + ", ".join(candidates))
