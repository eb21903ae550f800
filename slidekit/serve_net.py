"""The preview server's connections (slidekit/serve.py answers the requests).

One thread reads every request head and writes every answer and every reload stream without blocking, so a
client that is slow, silent or never reads costs a socket, never a thread; a few worker threads turn a whole
request head into an answer. This is what keeps pages served while other local processes hold connections
open (issue 19):

- a request head must be complete within HEAD_SECONDS of its first byte, however it trickles in, and a kept-alive
  connection may wait IDLE_SECONDS for its next request;
- reload streams are counted apart from the rest (`max_streams`), and cost no thread;
- when the connections reach `max_connections`, the one that has waited longest without sending a whole
  request is dropped to make room: a page request, sent at once, always gets in.
"""

from __future__ import annotations

import collections
import re
import selectors
import socket
import socketserver
import threading
import time
from dataclasses import dataclass
from typing import BinaryIO, Callable

HEAD_SECONDS = 10.0          # from the first byte of a request to the end of its head
IDLE_SECONDS = 30.0          # a connection waits this long for (the first byte of) a request
WRITE_IDLE_SECONDS = 30.0    # an answer the client takes nothing of for this long is dropped
LINGER_SECONDS = 2.0         # after an answer that closes: read what the client still sends, then close
MAX_HEAD = 128 * 1024        # a head longer than this is answered 414 or 431 without reading more
MAX_LINE = 65536             # http.server's own limit for the request line
MAX_CONNECTIONS = 1024
MAX_STREAMS = 512
WORKERS = 4
TICK = 0.2                   # how often deadlines and heartbeats are looked at
FILE_CHUNK = 256 * 1024

_HEAD_END = re.compile(rb"\n\r?\n")

READING, BUSY, WRITING, STREAM, LINGER = "reading", "busy", "writing", "stream", "linger"


@dataclass
class Answer:
    """What a worker made of a request: bytes to send, then a file's content, then what the connection does
    (`keep`: wait for the next request; `close`; `stream`: become a reload stream that has seen `version`)."""

    data: bytes
    file: BinaryIO | None = None
    after: str = "close"
    version: int | None = None


def plain_answer(status: int, reason: str, text: str, extra: str = "") -> Answer:
    body = text.encode("utf-8")
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n{extra}Connection: close\r\n\r\n")
    return Answer(head.encode("latin-1") + body)


def split_head(buffer: bytes) -> tuple[bytes, bytes] | None:
    """(the request head, what follows it) once the head is whole, else None. A first line without an
    HTTP version is a whole (HTTP/0.9) request by itself."""
    buffer = buffer.lstrip(b"\r\n")
    line_end = buffer.find(b"\n")
    if line_end < 0:
        return None
    if len(buffer[:line_end].split()) < 3:
        return buffer[:line_end + 1], buffer[line_end + 1:]
    end = _HEAD_END.search(buffer, line_end)
    if end is None:
        return None
    return buffer[:end.end()], buffer[end.end():]


class Connection:
    __slots__ = ("sock", "address", "state", "inbox", "since", "first_byte", "out", "file", "after",
                 "version", "progress")

    def __init__(self, sock: socket.socket, address, now: float) -> None:
        self.sock, self.address = sock, address
        self.state = READING
        self.inbox = b""
        self.since = now                 # waiting for a request since
        self.first_byte: float | None = None
        self.out = memoryview(b"")
        self.file: BinaryIO | None = None
        self.after = "close"
        self.version: int | None = None
        self.progress = now              # last time an answer moved


class ConnectionLoop:
    """The thread that owns every client socket, and the workers that answer whole requests.

    `respond(head, whole, address)` runs in a worker and returns an Answer; `whole` is False for a head that
    passed MAX_HEAD. Other threads talk to the loop through `add`, `broadcast` and `reserve_stream` only."""

    def __init__(self, respond: Callable[[bytes, bool, object], Answer], *, max_connections: int = MAX_CONNECTIONS,
                 max_streams: int = MAX_STREAMS, workers: int = WORKERS,
                 heartbeat: Callable[[], float] = lambda: 10.0, log: Callable[[str], None] | None = None) -> None:
        self.respond = respond
        self.max_connections = max_connections
        self.max_streams = max_streams
        self.heartbeat = heartbeat
        self.log = log or (lambda message: None)
        self.selector = selectors.DefaultSelector()
        self.connections: dict[socket.socket, Connection] = {}
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._commands: collections.deque = collections.deque()
        self._jobs: collections.deque = collections.deque()
        self._jobs_ready = threading.Condition()
        self._stream_lock = threading.Lock()
        self._streams = 0                # reserved or open
        self._latest: tuple[int, bytes] | None = None
        self._next_beat = time.monotonic() + heartbeat()
        self._stopping = False
        self._threads = [threading.Thread(target=self._run, name="slidekit-connections", daemon=True)]
        self._threads += [threading.Thread(target=self._work, name=f"slidekit-worker-{n}", daemon=True)
                          for n in range(workers)]

    # other threads -------------------------------------------------------------------------------
    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping = True
        with self._jobs_ready:
            self._jobs_ready.notify_all()
        self._wake()
        for thread in self._threads:
            thread.join(timeout=5)
        for conn in list(self.connections.values()):
            self._close(conn)
        self.selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def add(self, sock: socket.socket, address) -> None:
        """A connection just accepted."""
        self._post(("add", sock, address))

    def broadcast(self, version: int, payload: bytes) -> None:
        """Send `payload` to every reload stream (and to those opened later that saw an older version)."""
        self._post(("broadcast", version, payload))

    def reserve_stream(self) -> bool:
        """Room for one more reload stream? (Given back when the stream closes.)"""
        with self._stream_lock:
            if self._streams >= self.max_streams:
                return False
            self._streams += 1
            return True

    @property
    def open_streams(self) -> int:
        return self._streams

    def _post(self, command: tuple) -> None:
        self._commands.append(command)
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except OSError:          # the pipe is full (the loop will look anyway) or closed (stopping)
            pass

    # workers ---------------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._jobs_ready:
                self._jobs_ready.wait_for(lambda: self._jobs or self._stopping)
                if self._stopping:
                    return
                conn, head, whole = self._jobs.popleft()
            try:
                answer = self.respond(head, whole, conn.address)
            except Exception as exc:  # noqa: BLE001 - a bug of ours answers 500, in one line on the console
                self.log(f"slidekit: internal error answering a request ({exc.__class__.__name__}: {exc})")
                answer = plain_answer(500, "Internal Server Error", "internal error\n")
            self._post(("answer", conn, answer))

    # the loop ------------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping:
            try:
                events = self.selector.select(TICK)
            except OSError:
                events = []
            for key, mask in events:
                if key.data is None:
                    try:
                        while self._wake_r.recv(4096):
                            pass
                    except OSError:
                        pass
                    continue
                conn = key.data
                if conn.state == WRITING:
                    self._write(conn)
                elif conn.state == READING:
                    self._read_head(conn)
                else:                                   # a stream or a lingering close: read and drop
                    self._read_drop(conn)
            while self._commands:
                self._command(self._commands.popleft())
            self._deadlines(time.monotonic())

    def _command(self, command: tuple) -> None:
        kind = command[0]
        if kind == "add":
            self._accept(command[1], command[2])
        elif kind == "answer":
            self._answer(command[1], command[2])
        elif kind == "broadcast":
            self._latest = (command[1], command[2])
            for conn in [c for c in self.connections.values() if c.state == STREAM]:
                self._send_event(conn, command[2])
                conn.version = command[1]

    def _accept(self, sock: socket.socket, address) -> None:
        now = time.monotonic()
        if len(self.connections) >= self.max_connections:
            waiting = [c for c in self.connections.values() if c.state == READING]
            if waiting:
                self._close(min(waiting, key=lambda c: c.first_byte or c.since))
            else:
                try:
                    sock.setblocking(False)
                    sock.send(plain_answer(503, "Service Unavailable", "busy\n", "Retry-After: 1\r\n").data)
                except OSError:
                    pass
                sock.close()
                return
        sock.setblocking(False)
        conn = Connection(sock, address, now)
        self.connections[sock] = conn
        self.selector.register(sock, selectors.EVENT_READ, conn)

    def _read_head(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        if conn.first_byte is None:
            conn.first_byte = time.monotonic()
        conn.inbox += data
        self._dispatch(conn)

    def _dispatch(self, conn: Connection) -> None:
        """Hand a whole head (or one too long to wait for) to a worker."""
        found = split_head(conn.inbox)
        if found is None and len(conn.inbox) <= MAX_HEAD:
            return
        head, conn.inbox = found if found is not None else (conn.inbox, b"")
        conn.state = BUSY
        self.selector.unregister(conn.sock)
        with self._jobs_ready:
            self._jobs.append((conn, head, found is not None))
            self._jobs_ready.notify()

    def _answer(self, conn: Connection, answer: Answer) -> None:
        if conn.sock not in self.connections:               # dropped meanwhile (stopping)
            if answer.after == "stream":
                self._release_stream()
            return
        conn.out, conn.file, conn.after, conn.version = memoryview(answer.data), answer.file, answer.after, answer.version
        conn.state, conn.progress = WRITING, time.monotonic()
        self.selector.register(conn.sock, selectors.EVENT_WRITE, conn)
        self._write(conn)

    def _write(self, conn: Connection) -> None:
        while True:
            if not conn.out:
                chunk = b""
                if conn.file is not None:
                    try:
                        chunk = conn.file.read(FILE_CHUNK)
                    except OSError:
                        conn.after = "close"
                    if not chunk:
                        conn.file.close()
                        conn.file = None
                if not chunk:
                    self._written(conn)
                    return
                conn.out = memoryview(chunk)
            try:
                sent = conn.sock.send(conn.out)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._close(conn)
                return
            conn.out = conn.out[sent:]
            conn.progress = time.monotonic()

    def _written(self, conn: Connection) -> None:
        """The answer is out: what the connection does next."""
        now = time.monotonic()
        if conn.after == "stream":
            conn.state = STREAM
            self.selector.modify(conn.sock, selectors.EVENT_READ, conn)
            if self._latest is not None and self._latest[0] != conn.version:
                self._send_event(conn, self._latest[1])         # a change made while it was being answered
                conn.version = self._latest[0]
        elif conn.after == "keep":
            conn.state, conn.since, conn.first_byte = READING, now, (now if conn.inbox else None)
            self.selector.modify(conn.sock, selectors.EVENT_READ, conn)
            self._dispatch(conn)                               # a request sent behind the last one
        else:
            # Close gently: what the client is still sending would otherwise reset the connection and
            # could destroy the answer before it is read.
            try:
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                self._close(conn)
                return
            conn.state, conn.progress = LINGER, now
            self.selector.modify(conn.sock, selectors.EVENT_READ, conn)

    def _read_drop(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)

    def _send_event(self, conn: Connection, payload: bytes) -> None:
        """A reload stream's event: a few bytes, sent at once or the stream is closed (its reader is stuck;
        the browser opens a new one)."""
        try:
            if conn.sock.send(payload) == len(payload):
                return
        except OSError:
            pass
        self._close(conn)

    def _deadlines(self, now: float) -> None:
        beat = now >= self._next_beat
        if beat:
            self._next_beat = now + self.heartbeat()
        for conn in list(self.connections.values()):
            if conn.state == READING:
                late = (now - conn.first_byte > HEAD_SECONDS) if conn.first_byte is not None \
                    else (now - conn.since > IDLE_SECONDS)
                if late:
                    self._close(conn)
            elif conn.state == WRITING:
                if now - conn.progress > WRITE_IDLE_SECONDS:
                    self._close(conn)
            elif conn.state == LINGER:
                if now - conn.progress > LINGER_SECONDS:
                    self._close(conn)
            elif conn.state == STREAM and beat:
                self._send_event(conn, b": ping\n\n")

    def _close(self, conn: Connection) -> None:
        if self.connections.pop(conn.sock, None) is None:
            return
        if conn.state != BUSY:
            try:
                self.selector.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
        if conn.file is not None:
            conn.file.close()
            conn.file = None
        if conn.state == STREAM or (conn.state == WRITING and conn.after == "stream"):
            self._release_stream()
        conn.state = "closed"
        try:
            conn.sock.close()
        except OSError:
            pass

    def _release_stream(self) -> None:
        with self._stream_lock:
            self._streams -= 1


class Listener(socketserver.TCPServer):
    """Accepts connections and gives them to the loop (no thread per connection)."""

    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address, loop: ConnectionLoop) -> None:
        self.loop = loop
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, None)

    def process_request(self, request, client_address):
        self.loop.add(request, client_address)

    def handle_error(self, request, client_address):      # nothing is handled in this thread
        pass
