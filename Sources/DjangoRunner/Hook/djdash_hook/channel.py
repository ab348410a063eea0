"""The channel: one process's connection to djdash, JSON lines out and commands in.

Every line goes through a pending room first (`_Pending`), which djdash reads if the
process dies; passing results and `test_started` wait there to share one send. The
command reader thread applies djdash's commands (run, warm_run, stop, abort).
"""

import json
import mmap
import os
import signal
import socket
import sys
import threading
import time
import traceback

from .state import state

PROTOCOL_VERSION = 1
HOLD_LIMIT = 0.02  # seconds a passing test's result may wait to share a send with the next
PENDING_LIMIT = 1 << 20  # bytes of held lines; a line that does not fit is sent at once

_perf_counter = time.perf_counter


class _Pending:
    """Every line a process sends, written here first, where djdash can read it if the
    process dies.

    A passing test's result and every test_started wait here to share one send (the
    flush thread sends them within HOLD_LIMIT), so a test costs no system call of its
    own; only a result that follows no other within HOLD_LIMIT (the run's first) goes
    at once. With DJDASH_RUN_DIR the buffer is a shared mapping of `pending-<pid>` there:
    a process that dies (a segfault, os._exit, SIGKILL) leaves its unsent lines in the
    file, and djdash reads them when the connection ends, so the results before the
    crash and the test it was running are still known.

    The file starts with a 32-byte ASCII header, "<base:20> <capacity:10>\n": the bytes
    sent on the connection before the first line in the file, and the room for lines.
    The lines follow, sent or not, and end at the first zero byte; djdash skips as many
    bytes as it received past `base`. Holding a line is one `mmap.write`: a single call,
    atomic under the GIL, with no lock and no header to keep up to date. When the room
    is full, what is unsent is sent, the room is cleared and `base` moves on, in that
    order, so a reader never takes a line twice; a line cut short by the process dying
    mid-copy has no newline yet and is not taken.

    Lines are written by the thread that runs the tests. Sends (and the clearing) hold
    the channel lock; holding a line does not, so a second thread holding lines while
    the room is cleared could lose one from the file (never from the connection).
    """

    HEADER = 32

    def __init__(self, folder, capacity):
        self.capacity = capacity
        self.base = 0  # bytes sent on the connection before the first line in the room
        self.sent = self.HEADER  # offset in the map up to which lines were sent
        self.durable = False
        self.map = None
        if folder:
            try:
                fd = os.open(os.path.join(folder, "pending-%d" % os.getpid()), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.ftruncate(fd, self.HEADER + capacity)
                    self.map = mmap.mmap(fd, self.HEADER + capacity)
                finally:
                    os.close(fd)
                self.durable = True
            except (OSError, ValueError):
                self.map = None
        if self.map is None:
            self.map = mmap.mmap(-1, self.HEADER + capacity)
        self._write_header()
        self.map.seek(self.HEADER)
        # Holds a line: raises ValueError when it does not fit (see _Channel.send_line).
        self.hold = self.map.write

    def _write_header(self):
        self.map[0 : self.HEADER] = b"%020d %010d\n" % (self.base, self.capacity)

    def unsent(self):
        """The lines held and not sent yet."""
        return self.map[self.sent : self.map.tell()]

    def mark_sent(self, count):
        self.sent += count

    def clear(self):
        """Empties the room once everything in it was sent."""
        used = self.map.tell() - self.HEADER
        if used:
            self.map[self.HEADER : self.HEADER + used] = bytes(used)
        self.map.seek(self.HEADER)
        self.sent = self.HEADER
        self.base += used
        self._write_header()

    def sent_outside(self, count):
        """`count` bytes went out without passing through the room (a line too large
        for it): `base` moves past them. The room must be empty."""
        self.base += count
        self._write_header()


class _Channel:
    """One process's connection to djdash: JSON lines out, commands in."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.pid = os.getpid()
        self.last_result_sent = float("-inf")  # time.perf_counter() of the last result sent at once
        self.pending = _Pending(os.environ.get("DJDASH_RUN_DIR"), PENDING_LIMIT)
        self.hold = self.pending.hold
        self.durable = self.pending.durable
        # The lines of every test, with this process's pid already in (see _start_test).
        self.started_line = b'{"event":"test_started","id":%%s,"pid":%d}\n' % self.pid
        self.passed_line = b'{"event":"test_finished","id":%%s,"pid":%d,"outcome":"pass","duration":%%.6f}\n' % self.pid
        for target, name in ((self._read_commands, "djdash-commands"), (self._flush_held, "djdash-flush")):
            thread = threading.Thread(target=target, name=name)
            thread.daemon = True
            thread.start()

    def send_line(self, line, hold=False):
        """Send now, after whatever is held; or, with `hold`, keep the line for the next
        send (see _Pending), for at most two HOLD_LIMIT ticks. The hot paths call
        `self.hold` themselves and come here only when the line does not fit."""
        if hold:
            try:
                self.hold(line)
                return
            except ValueError:
                pass
        with state.channel_lock:
            pending = self.pending
            try:
                pending.hold(line)
            except ValueError:  # the room is full: send what it has and start it over
                self._send_held()
                pending.clear()
                try:
                    pending.hold(line)
                except ValueError:  # larger than the room: straight out
                    self.sock.sendall(line)
                    pending.sent_outside(len(line))
                    return
            if not hold:
                self._send_held()

    def _send_held(self):
        """Sends what is held. Called with the channel lock held."""
        data = self.pending.unsent()
        if data:
            self.sock.sendall(data)
            self.pending.mark_sent(len(data))

    def _flush_held(self):
        """Ticks on its own (never woken per test, which would cost more than it saves)."""
        pending = self.pending
        while True:
            time.sleep(HOLD_LIMIT)
            if pending.map.tell() > pending.sent:
                with state.channel_lock:
                    try:
                        self._send_held()
                    except OSError:
                        pass  # the main thread's next send reports it

    def _read_commands(self):
        pending = b""
        while True:
            try:
                chunk = self.sock.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                abort("djdash went away")
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                try:
                    message = json.loads(line)
                    command = message.get("cmd")
                except (ValueError, AttributeError):
                    continue
                if command == "run":
                    give_labels(message.get("labels"))
                elif command == "warm_run":
                    state.warm_requests.put(message)
                elif command == "stop":
                    request_stop()
                elif command == "abort":
                    abort("djdash asked for a hard stop")


def connect():
    """This process's channel, connecting (and saying hello) on first use; None outside a
    djdash run."""
    channel = state.channel
    if channel is not None and channel.pid == state.pid:
        return channel
    path = os.environ.get("DJDASH_SOCKET")
    if not path:
        return None
    try:
        state.channel = _Channel(path)
    except OSError as exc:
        # djdash started this run and is gone (or never listened): nobody would see the
        # results and nobody could stop the run, so leave rather than run on as an orphan.
        abort("cannot reach djdash at %s (%s)" % (path, exc))
    hello = {
        "event": "hello",
        "protocol": PROTOCOL_VERSION,
        "pid": state.pid,
        "ppid": os.getppid(),
        "role": "leader" if state.leader else "worker",
        "python": "%d.%d.%d" % sys.version_info[:3],
    }
    send(json.dumps(hello))  # the channel is set: send finds it at once
    return state.channel


# json.dumps(text, ensure_ascii=False) for one string, without building an encoder each call.
_json_string = json.encoder.encode_basestring


# json.dumps(value, ensure_ascii=False, default=repr, separators=(",", ":")), with the C
# encoder made once: json.dumps builds a new one on every call, which costs more than
# encoding most events. No circular check: events are built here from plain values.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_chunks = (
    _c_make_encoder(None, repr, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    if _c_make_encoder is not None
    else None
)


def _to_json(value):
    if _encode_chunks is None:
        return json.dumps(value, ensure_ascii=False, default=repr, separators=(",", ":"))
    return "".join(_encode_chunks(value, 0))


def emit(event, _hold=False, **fields):
    """Send one event to djdash."""
    fields["event"] = event
    send(_to_json(fields), _hold)


def send(line, hold=False):
    """Send one JSON line (without its newline); a broken channel means djdash is gone."""
    send_encoded(line.encode("utf-8", "replace") + b"\n", hold)


def send_encoded(data, hold=False):
    """Send one encoded line, or with `hold` a result that may wait to share a send.
    (reporting's _stop_test has the `hold` part inline for a plain pass.)"""
    channel = state.channel
    if channel is None or channel.pid != state.pid:
        channel = connect()
        if channel is None:
            return
    if hold:
        # The first result of a run, or the first after a slow test, goes at once: it is
        # what the user waits for. Within a burst of fast tests, passes share sends.
        now = _perf_counter()
        if now - channel.last_result_sent >= HOLD_LIMIT:
            channel.last_result_sent = now
            hold = False
        else:
            try:
                channel.hold(data)
                return
            except ValueError:
                pass  # the room is full: send_line makes room
    try:
        channel.send_line(data, hold)
    except OSError:
        abort("lost the connection to djdash")


def json_id(test_id):
    """A test id as an encoded JSON string, formatted straight into the lines of every test."""
    return _json_string(test_id).encode("utf-8", "replace")


def give_labels(labels):
    if isinstance(labels, list) and all(isinstance(label, str) for label in labels):
        state.given_labels = labels
        state.labels_given.set()


def request_stop():
    state.stop_requested = True
    state.labels_given.set()  # a run still waiting for its labels ends without tests
    state.warm_requests.put(None)  # a warm server ends
    for result in list(state.results):
        try:
            result.stop()
        except Exception:
            pass


def abort(reason):
    """Leave at once, taking the whole run's process group along."""
    try:
        sys.stderr.write("djdash: %s; stopping the test run now\n" % reason)
        sys.stderr.flush()
    except Exception:
        pass
    channel = state.channel
    lock = state.channel_lock
    if channel is not None and channel.pid == state.pid and channel.pending.unsent() and lock.acquire(timeout=0.2):
        try:  # results held for batching were finished: send them if djdash still listens
            channel.sock.settimeout(0.2)
            channel._send_held()
        except Exception:
            pass
        finally:
            lock.release()
    group = os.environ.get("DJDASH_PGID")
    if group and group.isdigit() and os.getpgrp() == int(group):
        try:
            os.killpg(int(group), signal.SIGKILL)
        except OSError:
            pass
    os._exit(130)


def send_held():
    """Sends what this process holds, if it has a channel (a warm child before it exits)."""
    channel = state.channel
    if channel is not None:
        with state.channel_lock:
            channel._send_held()


def enable_crash_report():
    """Point faulthandler at a per-process file djdash reads if the process dies."""
    folder = os.environ.get("DJDASH_RUN_DIR")
    if not folder:
        return
    try:
        import faulthandler

        path = os.path.join(folder, "crash-%d.txt" % os.getpid())
        handle = open(path, "w")
        faulthandler.enable(file=handle, all_threads=True)
        enable_crash_report.handle = handle  # keep it open for the process' life
    except Exception:
        pass


def hook_error(where):
    emit("hook_error", where=where, traceback=traceback.format_exc())
