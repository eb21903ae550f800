"""The live preview server: the built HTML of a deck (or a folder of decks) on 127.0.0.1, rebuilt when a
file changes; open pages reload themselves through Server-Sent Events and stay on their slide.

A build with errors keeps the last good slides on screen with the errors shown over them. Only files
inside the served folder are served (no `..`, no hidden files, no symlink leading out).
"""

from __future__ import annotations

import html
import json
import os
import mimetypes
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from .api import BuildOptions, build_file

EVENTS = "/__slidekit/events"
WATCHED_SUFFIXES = {".md", ".markdown", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif",
                    ".bmp", ".yaml", ".yml", ".json", ".toml", ".woff", ".woff2", ".ttf", ".otf", ""}
MAX_SCANNED_FILES = 5000
HEARTBEAT_SECONDS = 10.0
MAX_CLIENTS = 128            # connections served at once; more get a short 503 instead of a thread each
IDLE_SECONDS = 60.0          # a connection that sends nothing (or reads nothing) for this long is closed

_CLIENT = """<div id="sk-serve-error" role="alert" style="position:fixed;inset:auto 0 0 0;z-index:2147483647;\
max-height:60vh;overflow:auto;margin:0;padding:16px 20px;background:rgba(160,0,0,.94);color:#fff;\
font:15px/1.45 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;line-height:1.45">\
<strong>slidekit: this save has errors; the last good slides are shown</strong>
{errors}</div>"""

_SCRIPT = """<script id="sk-serve">(function () {
  var version = %d, source = new EventSource(%s);
  source.onmessage = function (event) {
    if (Number(event.data) !== version) { source.close(); location.reload(); }
  };
})();</script>"""


@dataclass
class DeckState:
    good_html: str | None = None            # the last build without errors
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Preview:
    """What the server shows: builds decks on demand, rebuilds those shown when files change."""

    def __init__(self, target: Path, options: Callable[[str], BuildOptions] | BuildOptions | None = None,
                 extra_watch: list[Path] | None = None, log: Callable[[str], None] | None = None) -> None:
        target = Path(target)
        self.single = target.resolve() if target.is_file() else None
        self.root = (target.parent if target.is_file() else target).resolve()
        self._options = options
        self.extra_watch = [Path(p).resolve() for p in extra_watch or [] if Path(p).exists()]
        self.log = log or (lambda message: None)
        self.states: dict[Path, DeckState] = {}
        self.version = 0
        self.changed = threading.Condition()
        self.build_lock = threading.RLock()
        self.stopped = threading.Event()
        self.ready = threading.Event()          # the watcher is watching
        self._watcher: threading.Thread | None = None

    # building ------------------------------------------------------------------------------------
    def options(self, fmt: str) -> BuildOptions:
        if callable(self._options):
            return self._options(fmt)
        base = self._options or BuildOptions()
        return BuildOptions(**{**base.__dict__, "format": fmt})

    def build(self, deck: Path) -> DeckState:
        """Build a deck's HTML; a build with errors keeps the previous good HTML."""
        with self.build_lock:
            previous = self.states.get(deck)
            # a new state, published once built: a request meanwhile never sees a half-made one
            state = DeckState(good_html=previous.good_html if previous else None)
            try:
                result = build_file(deck, self.options("html"))
                errors = [d.format() for d in result.diagnostics if d.level == "error"]
                warnings = [d.format() for d in result.diagnostics if d.level == "warning"]
                if result.output is None and not errors:
                    errors = [f"{deck.name}: error: the build gave no output"]
            except OSError as exc:
                result, errors, warnings = None, [f"{deck.name}: error: cannot read: {exc.strerror or exc}"], []
            except Exception as exc:  # noqa: BLE001 - the server must survive any deck
                result, errors, warnings = None, [f"{deck.name}: error: internal error "
                                                  f"({exc.__class__.__name__}: {exc})"], []
            if not errors and result is not None:
                state.good_html = str(result.output)
            state.errors, state.warnings = errors, warnings
            self.states[deck] = state
            for line in errors:
                self.log(line)
            return state

    def page(self, deck: Path) -> str:
        state = self.states.get(deck)
        if state is None:
            with self.build_lock:      # many first requests at once: one build, the others wait for it
                state = self.states.get(deck) or self.build(deck)
        body = state.good_html
        if body is None:
            body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(deck.name)}</title>"
                    "</head><body></body></html>")
        return inject(body, self.version, state.errors)

    def pdf(self, deck: Path) -> tuple[bytes | None, list[str]]:
        with self.build_lock:
            try:
                result = build_file(deck, self.options("pdf"))
            except Exception as exc:  # noqa: BLE001
                return None, [f"{deck.name}: error: {exc.__class__.__name__}: {exc}"]
        errors = [d.format() for d in result.diagnostics if d.level == "error"]
        return (result.output if isinstance(result.output, bytes) else None), errors

    def decks(self) -> list[Path]:
        if self.single:
            return [self.single]
        found = []
        for path in sorted(self.root.rglob("*.md")):
            rel = path.relative_to(self.root)
            if not any(part.startswith(".") or part == "node_modules" for part in rel.parts):
                found.append(path)
        return found

    def index(self) -> str:
        items = []
        for deck in self.decks():
            rel = deck.relative_to(self.root).as_posix()
            href = quote(rel)
            items.append(f'<li><a href="{href}">{html.escape(rel)}</a> · <a href="{href}?pdf">PDF</a></li>')
        listing = "\n".join(items) or "<li>No Markdown decks in this folder yet.</li>"
        body = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(self.root.name)}"
                "</title><style>body{font:18px/1.5 system-ui,sans-serif;max-width:48em;margin:2em auto;"
                "padding:0 1em}</style></head><body>"
                f"<h1>{html.escape(self.root.name)}</h1><ul>\n{listing}\n</ul></body></html>")
        return inject(body, self.version, [])

    # changes --------------------------------------------------------------------------------------
    def on_change(self, paths: set[Path]) -> None:
        """Rebuild the decks being shown, then tell the open pages."""
        relevant = {p for p in paths if p.suffix.lower() in WATCHED_SUFFIXES and not p.name.startswith(".#")}
        if not relevant:
            return
        for deck in list(self.states):
            if deck.exists():
                self.build(deck)
            else:
                self.states.pop(deck, None)
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.stopped.is_set(), timeout)
            return self.version

    def start(self) -> None:
        if self.single:
            self.build(self.single)
        self._watcher = threading.Thread(target=self._watch, name="slidekit-watch", daemon=True)
        self._watcher.start()
        self.ready.wait(10)    # a save made once start() returns is never missed

    def stop(self) -> None:
        self.stopped.set()
        with self.changed:
            self.changed.notify_all()
        if self._watcher is not None:
            self._watcher.join(timeout=5)

    def _watch(self) -> None:
        try:
            import watchfiles
        except ImportError:
            watchfiles = None
        if watchfiles is not None:
            before = self._snapshot()
            try:
                for changes in watchfiles.watch(self.root, *self.extra_watch, stop_event=self.stopped,
                                                debounce=60, step=20, rust_timeout=200, yield_on_timeout=True,
                                                raise_interrupt=False):
                    paths = {Path(path) for _, path in changes}
                    if not self.ready.is_set():
                        # the first yield comes once the watches are in place: catch up on what
                        # changed while they were being set up
                        now = self._snapshot()
                        paths |= {p for p in set(now) | set(before) if now.get(p) != before.get(p)}
                        self.ready.set()
                    if paths:
                        self.on_change(paths)
                return
            except Exception as exc:  # noqa: BLE001 - e.g. no inotify watches left: poll instead
                if self.stopped.is_set():
                    return
                self.log(f"slidekit: file watching failed ({exc}); polling instead")
        self._poll()

    def _snapshot(self) -> dict[Path, tuple[int, int]]:
        seen: dict[Path, tuple[int, int]] = {}
        for base in [self.root, *self.extra_watch]:
            paths = [base] if base.is_file() else base.rglob("*")
            for path in paths:
                if len(seen) >= MAX_SCANNED_FILES:
                    return seen
                try:
                    if path.suffix.lower() in WATCHED_SUFFIXES and path.is_file():
                        stat = path.stat()
                        seen[path] = (stat.st_mtime_ns, stat.st_size)
                except OSError:
                    continue
        return seen

    def _poll(self, interval: float = 0.2) -> None:
        before = self._snapshot()
        self.ready.set()
        while not self.stopped.wait(interval):
            now = self._snapshot()
            if now != before:
                self.on_change({p for p in set(now) | set(before) if now.get(p) != before.get(p)})
                before = now

    # paths ----------------------------------------------------------------------------------------
    def resolve(self, url_path: str) -> Path | None:
        """A URL path to a file inside the served folder, or None."""
        parts = [p for p in unquote(url_path).split("/") if p]
        if any(p in ("..", ".") or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return None
        candidate = self.root.joinpath(*parts) if parts else self.root
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        if resolved != self.root and self.root not in resolved.parents:
            return None
        return resolved


def inject(document: str, version: int, errors: list[str]) -> str:
    """The reload script (and the error banner) added before `</body>`."""
    extra = _SCRIPT % (version, json.dumps(EVENTS))
    if errors:
        extra = _CLIENT.format(errors=html.escape("\n".join(errors))) + extra
    at = document.lower().rfind("</body>")
    return document + extra if at < 0 else document[:at] + extra + document[at:]


class _Handler(BaseHTTPRequestHandler):
    preview: Preview
    server_version = "slidekit"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS     # socket timeout: a silent or stalled client cannot hold its thread forever

    def log_message(self, format, *args):  # noqa: A002 - quiet; errors are logged by the preview
        pass

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_file(self, path: Path, content_type: str) -> None:
        """A file streamed in chunks: a large file costs no memory per client."""
        try:
            stream = path.open("rb")
        except OSError:
            return self._text(HTTPStatus.NOT_FOUND, "not found")
        with stream:
            size = os.fstat(stream.fileno()).st_size
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                shutil.copyfileobj(stream, self.wfile, 64 * 1024)

    def _text(self, status: int, message: str) -> None:
        self._send(status, message.encode("utf-8"), "text/plain; charset=utf-8")

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_GET(self):  # noqa: N802
        preview = self.preview
        url = urlsplit(self.path)
        if url.path == EVENTS:
            return self._events()
        if url.path in ("", "/") and preview.single is not None:
            return self._send(HTTPStatus.FOUND, b"", "text/plain", {"Location": "/" + quote(preview.single.name)})
        if url.path in ("", "/"):
            return self._send(HTTPStatus.OK, preview.index().encode("utf-8"), "text/html; charset=utf-8")
        path = preview.resolve(url.path)
        if path is None or not path.is_file():
            return self._text(HTTPStatus.NOT_FOUND, "not found")
        if path.suffix.lower() in (".md", ".markdown") and (preview.single is None or path == preview.single):
            if "pdf" in url.query.split("&") or url.query.startswith("pdf"):
                data, errors = preview.pdf(path)
                if data is None:
                    return self._text(HTTPStatus.INTERNAL_SERVER_ERROR, "\n".join(errors) or "no PDF")
                return self._send(HTTPStatus.OK, data, "application/pdf",
                                  {"Content-Disposition": f'inline; filename="{path.stem}.pdf"'})
            return self._send(HTTPStatus.OK, preview.page(path).encode("utf-8"), "text/html; charset=utf-8")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._send_file(path, content_type)

    def _events(self) -> None:
        preview = self.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        seen = preview.version
        try:
            self.wfile.write(f"retry: 500\ndata: {seen}\n\n".encode())
            self.wfile.flush()
            while not preview.stopped.is_set():
                now = preview.wait_for_change(seen, HEARTBEAT_SECONDS)
                if preview.stopped.is_set():
                    break
                self.wfile.write(f"data: {now}\n\n".encode() if now != seen else b": ping\n\n")
                self.wfile.flush()
                seen = now
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


class _HTTPServer(ThreadingHTTPServer):
    """At most MAX_CLIENTS connections handled at once (the rest get a 503 and are closed), and a client
    that goes away mid-response is no error: no traceback on the console."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, handler, max_clients: int = MAX_CLIENTS) -> None:
        self.slots = threading.BoundedSemaphore(max_clients)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: 5\r\nRetry-After: 1\r\nConnection: close\r\n\r\nbusy\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address):
        import sys
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, socket.timeout)):
            return                       # the client left or stalled: nothing to report
        super().handle_error(request, client_address)


class PreviewServer:
    """The HTTP server and the watcher, started and stopped together (also as a context manager).
    It listens on 127.0.0.1 unless another `host` is asked for."""

    def __init__(self, preview: Preview, port: int = 0, host: str = "127.0.0.1",
                 max_clients: int = MAX_CLIENTS) -> None:
        handler = type("Handler", (_Handler,), {"preview": preview})
        self.preview = preview
        self.httpd = _HTTPServer((host, port), handler, max_clients)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def start(self) -> "PreviewServer":
        self.preview.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="slidekit-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.preview.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "PreviewServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def serve_until_interrupted(self) -> None:
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
