"""The live preview server: the built HTML of a deck (or a folder of decks) on 127.0.0.1, rebuilt when a
file changes; open pages reload themselves through Server-Sent Events and move to the first slide the
save changed (`?follow=0`: they keep their slide). Each build's new diagnostics are printed on the console.

A build with errors keeps the last good slides on screen with the errors shown over them. Only files
inside the served folder are served (no `..`, no hidden files, no symlink leading out), only to requests
that name this server's loopback Host (DNS rebinding). Connections are handled by serve_net.py.
"""

from __future__ import annotations

import collections
import hashlib
import html
import io
import ipaddress
import json
import mimetypes
import os
import threading
import time
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from .api import BuildOptions, build_file
from .diagnostics import Diagnostic
from .serve_net import (MAX_CONNECTIONS, MAX_LINE, MAX_STREAMS, Answer, ConnectionLoop, Listener,
                        plain_answer)

EVENTS = "/__slidekit/events"
WATCHED_SUFFIXES = {".md", ".markdown", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif",
                    ".bmp", ".yaml", ".yml", ".json", ".toml", ".woff", ".woff2", ".ttf", ".otf", ""}
MAX_SCANNED_FILES = 5000
HEARTBEAT_SECONDS = 10.0
MAX_PATH = 4096              # a longer address is answered 414

# at the bottom: the viewer's toolbar, at the top right, stays usable
_CLIENT = """<div id="sk-serve-error" role="alert" style="position:fixed;inset:auto 0 0 0;z-index:2147483647;\
max-height:60vh;overflow:auto;margin:0;padding:16px 20px;background:rgba(160,0,0,.94);color:#fff;\
font:15px/1.45 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;line-height:1.45">\
<strong>slidekit: this save has errors; the last good slides are shown</strong>
{errors}</div>"""

# The served page only (never a built file): reload on a change; after the reload, show the first slide whose
# content changed (`?follow=0` keeps the slide shown). It runs in <head>, so the viewer starts on that slide.
_SCRIPT = """<script id="sk-serve">(function () {
  var version = %d, slides = %s, key = 'slidekit-serve:' + location.pathname;
  var follow = new URLSearchParams(location.search).get('follow') !== '0';
  try {
    var before = JSON.parse(sessionStorage.getItem(key) || 'null');
    sessionStorage.removeItem(key);
    if (follow && before && slides.length) {
      var n = 0;
      while (n < slides.length && n < before.length && slides[n] === before[n]) n++;
      if (n < slides.length || n < before.length) {
        history.replaceState(history.state, '', '#' + (Math.min(n, slides.length - 1) + 1));
      }
    }
  } catch (e) { /* no sessionStorage: the page keeps its slide */ }
  var source = new EventSource(%s);
  source.onmessage = function (event) {
    if (Number(event.data) === version) return;
    source.close();
    try { sessionStorage.setItem(key, JSON.stringify(slides)); } catch (e) { /* off */ }
    location.reload();
  };
})();</script>"""


@dataclass
class DeckState:
    good_html: str | None = None            # the last build without errors
    fingerprints: list[str] = field(default_factory=list)   # of its slides, to find the first that changed
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reported: list[tuple] = field(default_factory=list)      # what was printed of this build's diagnostics


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
        self.listeners: list[Callable[[int], None]] = []      # told each new version (the reload streams)
        self._watcher: threading.Thread | None = None

    # building ------------------------------------------------------------------------------------
    def options(self, fmt: str) -> BuildOptions:
        if callable(self._options):
            return self._options(fmt)
        base = self._options or BuildOptions()
        return BuildOptions(**{**base.__dict__, "format": fmt})

    def build(self, deck: Path) -> DeckState:
        """Build a deck's HTML; a build with errors keeps the previous good HTML. Prints the diagnostics
        that the previous build did not have, as `slidekit build` words them."""
        with self.build_lock:
            previous = self.states.get(deck) or DeckState()
            # a new state, published once built: a request meanwhile never sees a half-made one
            state = DeckState(good_html=previous.good_html, fingerprints=previous.fingerprints)
            result = None
            try:
                result = build_file(deck, self.options("html"))
                diagnostics = located(deck, list(result.diagnostics), result)
                if result.output is None and not any(d.level == "error" for d in diagnostics):
                    diagnostics.append(Diagnostic("error", "build", "the build gave no output", file=str(deck)))
            except OSError as exc:
                diagnostics = [Diagnostic("error", "read", f"cannot read: {exc.strerror or exc}", file=str(deck))]
            except Exception as exc:  # noqa: BLE001 - the server must survive any deck
                diagnostics = [Diagnostic("error", "internal", f"internal error ({exc.__class__.__name__}: {exc})",
                                          file=str(deck))]
            shown = [_shown(d, deck) for d in diagnostics if d.level in ("error", "warning")]
            state.errors = [d.format() for d in shown if d.level == "error"]
            state.warnings = [d.format() for d in shown if d.level == "warning"]
            if not state.errors and result is not None:
                state.good_html = str(result.output)
                state.fingerprints = fingerprints(result.deck)
            state.reported = [(d.level, d.code, d.message) for d in shown]
            self.states[deck] = state
            self._report(deck, previous, state, shown)
            return state

    def _report(self, deck: Path, previous: DeckState, state: DeckState, shown: list[Diagnostic]) -> None:
        """Print what is new since the previous build (a warning moved by an edit above it is not new)."""
        seen = collections.Counter(previous.reported)
        for diagnostic in shown:
            key = (diagnostic.level, diagnostic.code, diagnostic.message)
            if seen[key]:
                seen[key] -= 1
            else:
                self.log(diagnostic.format())
        if previous.errors and not state.errors:
            self.log(f"{_display(deck)}: no errors now")

    def page(self, deck: Path) -> str:
        state = self.states.get(deck)
        if state is None:
            with self.build_lock:      # many first requests at once: one build, the others wait for it
                state = self.states.get(deck) or self.build(deck)
        body = state.good_html
        if body is None:
            body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(deck.name)}</title>"
                    "</head><body></body></html>")
        return inject(body, self.version, state.errors, state.fingerprints)

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
            version = self.version
        for listener in self.listeners:
            listener(version)

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
        if any(len(p.encode("utf-8", "surrogateescape")) > 255 for p in parts):
            return None                  # longer than any file name can be
        candidate = self.root.joinpath(*parts) if parts else self.root
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        if resolved != self.root and self.root not in resolved.parents:
            return None
        return resolved


def inject(document: str, version: int, errors: list[str], slides: list[str] | None = None) -> str:
    """The served page: the reload script added in `<head>` (before the viewer starts), the error banner
    before `</body>`."""
    script = _SCRIPT % (version, json.dumps(slides or []), json.dumps(EVENTS))
    lower = document.lower()
    at = lower.find("</head>")
    document = script + document if at < 0 else document[:at] + script + document[at:]
    if errors:
        banner = _CLIENT.format(errors=html.escape("\n".join(errors)))
        at = document.lower().rfind("</body>")
        document = document + banner if at < 0 else document[:at] + banner + document[at:]
    return document


def fingerprints(deck) -> list[str]:
    """A short hash of each slide's content (its HTML, notes, directives, backgrounds, scoped CSS)."""
    if deck is None:
        return []
    found = []
    for slide in deck.slides:
        content = repr((slide.html, slide.header_html, slide.footer_html, slide.notes_html, slide.directives,
                        [(b.url, b.src) for b in slide.backgrounds], slide.scoped_css, slide.split,
                        slide.pagination, slide.fragments))
        found.append(hashlib.blake2b(content.encode("utf-8", "replace"), digest_size=6).hexdigest())
    return found


def located(deck: Path, diagnostics: list[Diagnostic], result) -> list[Diagnostic]:
    """The diagnostics pointed at the line that causes them, as `slidekit build` prints them."""
    found = list(dict.fromkeys(diagnostics))
    if found and result is not None and result.deck is not None:
        try:
            from .deck.lint import locate
            from .source import decode, normalise_newlines
            found = locate(found, result.deck, normalise_newlines(decode(deck.read_bytes())[0]))
        except Exception:  # noqa: BLE001 - placing a message better is never worth failing the build
            pass
    return sorted(found, key=lambda d: d.line or 0)


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _shown(diagnostic: Diagnostic, deck: Path) -> Diagnostic:
    if diagnostic.file and Path(diagnostic.file).resolve() == deck:
        return replace(diagnostic, file=_display(deck))
    return diagnostic


class HostCheck:
    """The `Host` a request may name (against DNS rebinding: a page of another site whose name is made to point
    at 127.0.0.1 sends its own name): 127.0.0.1, localhost, [::1] or the address listened on, with the server's
    port. Listening on every address (0.0.0.0, ::), any IP address is taken too: rebinding needs a name."""

    def __init__(self, listen_host: str, port: int) -> None:
        host = listen_host.strip("[]").lower()
        self.port = port
        self.any_ip = host in ("0.0.0.0", "::", "")
        self.names = {"127.0.0.1", "localhost", "[::1]"}
        if not self.any_ip:
            self.names.add(f"[{host}]" if ":" in host else host)

    def __call__(self, value: str) -> bool:
        value = value.strip().lower()
        if value.startswith("["):
            name, _, rest = value.partition("]")
            name += "]"
        else:
            name, colon, rest = value.partition(":")
            rest = colon + rest
        if rest and (not rest.startswith(":") or not rest[1:].isdigit()):
            return False
        if (int(rest[1:]) if rest else 80) != self.port:
            return False
        if name in self.names:
            return True
        if self.any_ip:
            try:
                ipaddress.ip_address(name.strip("[]"))
                return True
            except ValueError:
                return False
        return False


class _Handler(BaseHTTPRequestHandler):
    """One request, parsed from its whole head; the answer is collected in `wfile` (and `file`, sent after it)
    and written by the connection loop (serve_net.py)."""

    server: "PreviewServer"
    server_version = "slidekit"
    protocol_version = "HTTP/1.1"

    def __init__(self, head: bytes, address, server: "PreviewServer") -> None:
        self.head = head
        self.file = None
        self.stream_version: int | None = None
        super().__init__(None, address, server)

    def setup(self) -> None:
        self.rfile = io.BytesIO(self.head)
        self.wfile = io.BytesIO()

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()

    def finish(self) -> None:
        pass

    def answer(self) -> Answer:
        after = "stream" if self.stream_version is not None else ("close" if self.close_connection else "keep")
        if after == "keep" and self.headers is not None and (
                self.headers.get("Content-Length", "0").strip() not in ("", "0") or "Transfer-Encoding" in self.headers):
            after = "close"          # a body that is never read would be taken for the next request
        return Answer(self.wfile.getvalue(), self.file, after, self.stream_version)

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
        """A file, read in chunks by the connection loop as the client takes it."""
        try:
            stream = path.open("rb")
            size = os.fstat(stream.fileno()).st_size
        except OSError:
            return self._text(HTTPStatus.NOT_FOUND, "not found")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(size))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            stream.close()
        else:
            self.file = stream

    def _text(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, message.encode("utf-8"), "text/plain; charset=utf-8", extra)

    def _host_refused(self) -> bool:
        """Answer 400 or 421 to a request without the Host this server is known by."""
        hosts = self.headers.get_all("Host") or []
        authority = urlsplit(self.path).netloc        # an absolute URL names the host too
        if authority:
            hosts = [*hosts, authority]
        if not hosts:
            if self.request_version >= "HTTP/1.1":
                self.close_connection = True
                self._text(HTTPStatus.BAD_REQUEST, "a Host header is required")
                return True
            return False
        if len(self.headers.get_all("Host") or []) > 1:
            self.close_connection = True
            self._text(HTTPStatus.BAD_REQUEST, "more than one Host header")
            return True
        if all(self.server.host_check(host) for host in hosts):
            return False
        self.close_connection = True
        self._text(HTTPStatus.MISDIRECTED_REQUEST,
                   f"this server answers only http://localhost:{self.server.port}/ "
                   f"(or 127.0.0.1, [::1]); not {hosts[-1][:100]!r}")
        return True

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_GET(self):  # noqa: N802
        if self._host_refused():
            return
        if len(self.path) > MAX_PATH:
            self.close_connection = True
            return self._text(HTTPStatus.REQUEST_URI_TOO_LONG, "the address is too long")
        try:
            self._get()
        except OSError:
            # e.g. a name too long for the file system: no such file, as far as the client is concerned
            self._reset()
            self._text(HTTPStatus.NOT_FOUND, "not found")

    def _reset(self) -> None:
        """Forget a half-made answer (an error met after its headers were written)."""
        if self.file is not None:
            self.file.close()
            self.file = None
        self.wfile = io.BytesIO()
        self._headers_buffer = []

    def _get(self) -> None:
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
                return self._pdf(path)
            return self._send(HTTPStatus.OK, preview.page(path).encode("utf-8"), "text/html; charset=utf-8")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._send_file(path, content_type)

    @property
    def preview(self) -> Preview:
        return self.server.preview

    def _pdf(self, path: Path) -> None:
        # one PDF at a time: more would hold every worker (and the pages behind them) for seconds each
        if not self.server.pdf_slot.acquire(blocking=False):
            return self._text(HTTPStatus.SERVICE_UNAVAILABLE, "a PDF is being made; try again in a moment",
                              {"Retry-After": "2"})
        try:
            data, errors = self.preview.pdf(path)
        finally:
            self.server.pdf_slot.release()
        if data is None:
            return self._text(HTTPStatus.INTERNAL_SERVER_ERROR, "\n".join(errors) or "no PDF")
        self._send(HTTPStatus.OK, data, "application/pdf",
                   {"Content-Disposition": f'inline; filename="{path.stem}.pdf"'})

    def _events(self) -> None:
        """The reload stream: its first event now; the connection loop sends the next ones."""
        self.close_connection = True
        if self.command != "HEAD" and not self.server.loop.reserve_stream():
            return self._text(HTTPStatus.SERVICE_UNAVAILABLE, "too many reload streams", {"Retry-After": "5"})
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        version = self.preview.version
        self.wfile.write(f"retry: 500\ndata: {version}\n\n".encode())
        self.stream_version = version


class PreviewServer:
    """The HTTP server and the watcher, started and stopped together (also as a context manager).
    It listens on 127.0.0.1 unless another `host` is asked for."""

    def __init__(self, preview: Preview, port: int = 0, host: str = "127.0.0.1",
                 max_connections: int = MAX_CONNECTIONS, max_streams: int = MAX_STREAMS) -> None:
        self.preview = preview
        self.pdf_slot = threading.Lock()
        self.loop = ConnectionLoop(self._respond, max_connections=max_connections, max_streams=max_streams,
                                   heartbeat=lambda: HEARTBEAT_SECONDS, log=preview.log)
        self.httpd = Listener((host, port), self.loop)
        self.port = self.httpd.server_address[1]
        self.host_check = HostCheck(host, self.port)
        self._thread: threading.Thread | None = None
        preview.listeners.append(lambda version: self.loop.broadcast(version, f"data: {version}\n\n".encode()))

    def _respond(self, head: bytes, whole: bool, address) -> Answer:
        if not whole:
            line_end = head.find(b"\n")
            if line_end < 0 or line_end > MAX_LINE:
                return plain_answer(414, "URI Too Long", "the address is too long\n")
            return plain_answer(431, "Request Header Fields Too Large", "the request's headers are too long\n")
        handler = _Handler(head, address, self)
        return handler.answer()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def start(self) -> "PreviewServer":
        self.preview.start()
        self.loop.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="slidekit-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.preview.stop()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()
        self.loop.stop()

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
