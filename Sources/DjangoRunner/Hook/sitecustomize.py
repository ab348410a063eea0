"""djdash's entry into every Python process of a test run.

djdash puts this folder first on PYTHONPATH, so Python imports this file at start-up
in the runner and in every parallel worker (fork and spawn alike). It installs the hook
only when djdash started the run (DJDASH_SOCKET is set), and then hands over to the
project's or the system's own sitecustomize, if there is one, so nothing is shadowed.
"""

import os
import sys


def _install_djdash_hook():
    if not os.environ.get("DJDASH_SOCKET"):
        return
    try:
        # The hook's own bytecode is cached beside it even under PYTHONDONTWRITEBYTECODE
        # (which is about the project's files): compiling it costs every process of
        # every run about 12 ms. Where the folder is read-only, Python just skips it.
        dont_write = sys.dont_write_bytecode
        sys.dont_write_bytecode = False
        try:
            import djdash_hook
        finally:
            sys.dont_write_bytecode = dont_write

        djdash_hook.install()
    except Exception as exc:  # never break the user's run because of the hook
        sys.stderr.write("djdash: the test hook could not be installed: %r\n" % (exc,))


def _chain_to_next_sitecustomize():
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    others = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None or spec.origin == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_install_djdash_hook()
_chain_to_next_sitecustomize()
