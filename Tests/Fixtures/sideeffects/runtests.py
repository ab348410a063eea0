#!/usr/bin/env python
"""Runs the sideeffects app's tests as many reusable apps do, and as djdash must cope with.

- It imports Django's test runner before it configures settings (a runner subclass, a
  version check): nothing may read settings before `settings.configure()` below.
- It parses its own options and takes no test labels: argparse rejects any label
  ("unrecognized arguments"), so djdash must hand labels to the runner inside.
"""
import argparse
import os
import sys

import django.test.runner  # noqa: F401  (before settings exist)
from django.conf import settings
from django.test.utils import get_runner

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run the sideeffects tests.")
    parser.add_argument("-v", "--verbosity", type=int, default=1)
    options = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    settings.configure(
        SECRET_KEY="sideeffects-fixture-not-secret",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "sideeffects"],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
    )
    django.setup()
    TestRunner = get_runner(settings)
    failures = TestRunner(verbosity=options.verbosity).run_tests(["sideeffects"])
    sys.exit(bool(failures))
