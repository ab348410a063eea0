#!/usr/bin/env python3
"""Writes djdash's platform wheel from a built binary and the files it ships.

Called by build-wheel, which builds the binary and knows the version and the tag. The
layout is the one maturin gives ruff and uv: the binary is a script of the wheel (pip
and uv install it as PREFIX/bin/djdash), a small Python package finds it for
``python -m djdash``, and the data djdash reads at run time goes under
PREFIX/share/djdash (hook, demo, themes), which the binary finds from its own path.

Standard library only: the wheel format is a zip with a RECORD of hashes (PEP 427).
"""

import argparse
import base64
import hashlib
import os
import stat
import zipfile

# Files a run of the demo or of Python leaves behind: never shipped.
SKIPPED_NAMES = {"__pycache__", ".venv", ".djdash", ".DS_Store"}
SKIPPED_SUFFIXES = (".pyc", ".sqlite3")

# A fixed date for every entry, so the same inputs give the same wheel.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def files_under(folder):
    """(relative path, absolute path) of every shipped file under folder, sorted."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_NAMES)
        for name in sorted(files):
            if name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES):
                continue
            path = os.path.join(root, name)
            found.append((os.path.relpath(path, folder), path))
    return found


def metadata(version, readme):
    lines = [
        "Metadata-Version: 2.1",
        "Name: djdash",
        "Version: " + version,
        "Summary: A live terminal dashboard for a Django project's tests, run through Django's own runner.",
        "Keywords: django,testing,test-runner,tui,dashboard",
        "Requires-Python: >=3.8",
        "Classifier: Development Status :: 4 - Beta",
        "Classifier: Environment :: Console :: Curses",
        "Classifier: Framework :: Django",
        "Classifier: Intended Audience :: Developers",
        "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Topic :: Software Development :: Testing",
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(lines) + "\n\n" + readme


class Wheel:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        self.records = []

    def add(self, name, data, executable=False):
        info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
        mode = 0o755 if executable else 0o644
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        self.records.append("%s,%s,%d" % (name, record_hash(data), len(data)))

    def add_file(self, name, path, executable=False):
        with open(path, "rb") as handle:
            self.add(name, handle.read(), executable=executable)

    def close(self, record_name):
        lines = self.records + [record_name + ",,"]
        info = zipfile.ZipInfo(record_name, date_time=ZIP_DATE)
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, "\n".join(lines) + "\n")
        self.zip.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--platform", required=True, help="e.g. manylinux_2_34_x86_64")
    parser.add_argument("--package", required=True, help="the djdash Python package's folder")
    parser.add_argument("--hook", required=True)
    parser.add_argument("--demo", required=True)
    parser.add_argument("--themes", required=True)
    parser.add_argument("--readme", required=True)
    parser.add_argument("--out", required=True, help="the folder to write the wheel into")
    args = parser.parse_args()

    version = args.version
    tag = "py3-none-" + args.platform
    name = "djdash-%s-%s.whl" % (version, tag)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, name)
    data = "djdash-%s.data" % version
    info = "djdash-%s.dist-info" % version

    wheel = Wheel(path + ".part")
    for relative, source in files_under(args.package):
        with open(source, "rb") as handle:
            content = handle.read()
        if relative == "__init__.py":
            content = content.replace(b"@VERSION@", version.encode("ascii"))
        wheel.add("djdash/" + relative, content)
    wheel.add_file(data + "/scripts/djdash", args.binary, executable=True)
    for folder, source in (("hook", args.hook), ("demo", args.demo), ("themes", args.themes)):
        for relative, file in files_under(source):
            wheel.add_file("%s/data/share/djdash/%s/%s" % (data, folder, relative), file)
    with open(args.readme, encoding="utf-8") as handle:
        readme = handle.read()
    wheel.add(info + "/METADATA", metadata(version, readme).encode("utf-8"))
    wheel_file = "Wheel-Version: 1.0\nGenerator: djdash build-wheel\nRoot-Is-Purelib: false\nTag: %s\n" % tag
    wheel.add(info + "/WHEEL", wheel_file.encode("ascii"))
    wheel.close(info + "/RECORD")
    os.replace(path + ".part", path)
    print(path)


if __name__ == "__main__":
    main()
