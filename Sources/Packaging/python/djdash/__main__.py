"""``python -m djdash ARGS``: runs the djdash binary with ARGS."""

import os
import sys

from djdash import find_djdash_bin


def main():
    binary = find_djdash_bin()
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
