#!/usr/bin/env python
"""The same app through manage.py, for runs with Django's own flags (--buffer, --debug-sql, …)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sideeffects.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
