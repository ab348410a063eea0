"""A module with doctests, loaded as tests by doctests/tests.py.

>>> double(2)
4
"""
import os  # the doctest's globals hold a module: they cannot be pickled


def double(value):
    """
    >>> double(3)
    6
    """
    return value * 2
