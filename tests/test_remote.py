"""Remote images and files the deck must not reach (issue 5): the PDF fetches remote images with a time
limit and a size cap, never with --offline (nor does the HTML link them then); paths outside the deck's
folder are refused with a warning that names the file, wherever they are written (image, file: URL, CSS
url(), raw HTML src) and leave no trace in the output.

The remote side is a small HTTP server on 127.0.0.1 in a thread. The limits are lowered for the tests
(a 1 s deadline, a 64 KB cap), so each slow case costs about a second; nothing is timed."""

from __future__ import annotations

import gzip
import io
import re
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from PIL import Image

import slidekit.export.netguard as netguard
import slidekit.export.pdf as pdf_module
from slidekit.api import BuildOptions, build_file

CAP = 64 * 1024
DEADLINE = 1


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


class _Remote(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    seen: list[str]

    def log_message(self, *args):
        pass

    def _head(self, length: int | None = None, extra: dict | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        if length is not None:
            self.send_header("Content-Length", str(length))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def do_GET(self):  # noqa: N802
        self.seen.append(self.path)
        path = self.path.split("?")[0]
        try:
            if path == "/ok.png":
                body = png_bytes()
                self._head(len(body))
                self.wfile.write(body)
            elif path == "/declared-big.png":      # says it is too large: not read at all
                self._head(CAP * 100)
                self.wfile.write(png_bytes())
            elif path == "/endless.png":           # no length: stops being read at the cap
                self._head()
                chunk = png_bytes() + b"\0" * 8192
                for _ in range(CAP * 20 // len(chunk)):
                    self.wfile.write(chunk)
            elif path == "/gzip-bomb.png":         # small on the wire, large once decompressed
                body = gzip.compress(b"\0" * (CAP * 50))
                self._head(len(body), {"Content-Encoding": "gzip"})
                self.wfile.write(body)
            elif path == "/trickle.png":            # a byte at a time: each read is quick, the whole is not
                self._head(10_000)
                for _ in range(200):                # bounded: 200 x 0.05 s
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif path == "/stall.png":              # headers, then silence
                self._head(1000)
                self.wfile.flush()
                time.sleep(DEADLINE * 4)
            elif path == "/deflate-bomb.png":      # the same with deflate
                body = zlib.compress(b"\0" * (CAP * 50))
                self._head(len(body), {"Content-Encoding": "deflate"})
                self.wfile.write(body)
            elif path == "/redirect":               # /redirect?to=<quoted URL>: a 302 there
                self.send_response(302)
                self.send_header("Location", unquote(self.path.split("?to=", 1)[1].split("&")[0]))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.send_error(404)
        except OSError:
            pass                                   # the fetcher hung up, as it should


def _serve(address: str):
    handler = type("Handler", (_Remote,), {"seen": []})
    httpd = ThreadingHTTPServer((address, 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.base = f"http://{address}:{httpd.server_address[1]}"
    httpd.seen = handler.seen
    return httpd


@pytest.fixture(scope="module")
def remote():
    """The "public" server: 127.0.0.1 counts as public in these tests (see `limits`)."""
    httpd = _serve("127.0.0.1")
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def internal():
    """A server in the "local network": 127.0.0.2, which stays local. It must never be asked."""
    httpd = _serve("127.0.0.2")
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def limits(monkeypatch):
    monkeypatch.setattr(pdf_module, "REMOTE_TIMEOUT", DEADLINE)
    monkeypatch.setattr(pdf_module, "MAX_REMOTE_BYTES", CAP)
    monkeypatch.setattr(pdf_module, "_REMOTE_FAILED", {})
    # The test server on 127.0.0.1 stands for a public one; 127.0.0.2 (and every other local address)
    # stays local, so redirects into the local network can be tried against a real server there.
    monkeypatch.setattr(netguard, "PUBLIC_FOR_TESTS", frozenset({"127.0.0.1"}))


def deck(tmp_path: Path, body: str, front: str = "") -> Path:
    folder = tmp_path / "talk"
    folder.mkdir(exist_ok=True)
    path = folder / "deck.md"
    path.write_text("---\nmarp: true\n" + front + "---\n\n" + body + "\n", encoding="utf-8")
    return path


def warnings(result) -> list[str]:
    return [d.format() for d in result.diagnostics if d.level == "warning"]


def _unique(remote, name: str) -> str:
    """A URL the page cache has not seen (each test run lays out afresh)."""
    return f"{remote.base}/{name}?{time.monotonic_ns()}"


# Size and time limits in the PDF ------------------------------------------------------------------------
@pytest.mark.parametrize("name, why", [
    ("declared-big.png", "larger than 0 MB"), ("endless.png", "larger than 0 MB"),
    ("gzip-bomb.png", "larger than 0 MB"), ("deflate-bomb.png", "larger than 0 MB"), ("trickle.png", f"took longer than {DEADLINE} s"),
    ("stall.png", f"took longer than {DEADLINE} s")])
def test_remote_image_over_a_limit_is_dropped_with_a_warning(tmp_path, remote, name, why):
    url = _unique(remote, name)
    result = build_file(deck(tmp_path, f"# Remote\n\n![]({url})"), BuildOptions(format="pdf"))
    assert result.output.startswith(b"%PDF")
    found = [w for w in warnings(result) if url in w]
    assert found and why in found[0], warnings(result)


def test_remote_image_within_limits_is_fetched(tmp_path, remote):
    url = _unique(remote, "ok.png")
    result = build_file(deck(tmp_path, f"# Remote\n\n![]({url})"), BuildOptions(format="pdf"))
    assert result.output.startswith(b"%PDF") and not [w for w in warnings(result) if "remote" in w]
    assert url.split("/", 3)[3] in [p.lstrip("/") for p in remote.seen]
    assert b"/Subtype /Image" in result.output or b"/Subtype/Image" in result.output


def test_a_failed_url_is_not_tried_again_at_once(tmp_path, remote):
    url = _unique(remote, "stall.png")
    path = deck(tmp_path, f"# Remote\n\n![]({url})\n\n---\n\n# Again\n\n![bg]({url})")
    first = build_file(path, BuildOptions(format="pdf"))
    asked = sum(1 for p in remote.seen if url.endswith(p))
    second = build_file(path, BuildOptions(format="pdf"))
    assert sum(1 for p in remote.seen if url.endswith(p)) == asked == 1
    assert any(url in w for w in warnings(first)) and any(url in w for w in warnings(second))


# --offline: not fetched, not linked ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_offline_never_fetches_nor_links(tmp_path, remote, fmt):
    url = _unique(remote, "ok.png")
    css_url = _unique(remote, "ok.png")
    body = (f"<style>section {{ background-image: url({css_url}); }}</style>\n\n"
            f"# Offline\n\n![]({url})\n\n![bg]({url})")
    before = len(remote.seen)
    result = build_file(deck(tmp_path, body), BuildOptions(format=fmt, offline=True))
    assert len(remote.seen) == before
    text = result.output.decode("latin-1") if isinstance(result.output, bytes) else result.output
    assert remote.base not in text
    assert any(url in w and "--offline" in w for w in warnings(result))
    assert any(css_url in w and "--offline" in w for w in warnings(result))


def test_html_links_remote_images_without_fetching_them(tmp_path, remote):
    url = _unique(remote, "ok.png")
    before = len(remote.seen)
    result = build_file(deck(tmp_path, f"# Linked\n\n![]({url})"), BuildOptions(format="html"))
    assert len(remote.seen) == before and f'src="{url}"' in result.output


# Local files outside the folder: refused with file and line, and gone from the output -----------------
@pytest.fixture
def outside(tmp_path):
    target = tmp_path / "secret-outside.png"
    target.write_bytes(png_bytes())
    return target


def test_file_url_outside_is_refused_with_a_warning(tmp_path, outside):
    path = deck(tmp_path, f"# One\n\n![]({outside.as_uri()})")
    for fmt in ("html", "pdf"):
        result = build_file(path, BuildOptions(format=fmt))
        found = [w for w in warnings(result) if outside.as_uri() in w]
        assert found and re.match(rf"{re.escape(str(path))}:\d+: slide 1: warning:", found[0]), found


def test_file_url_inside_is_read(tmp_path):
    path = deck(tmp_path, "# One\n\n![](PLACEHOLDER)")
    (path.parent / "pic.png").write_bytes(png_bytes())
    path.write_text(path.read_text().replace("PLACEHOLDER", (path.parent / "pic.png").as_uri()))
    result = build_file(path, BuildOptions(format="html"))
    assert not warnings(result) and 'src="data:image/png;base64,' in result.output


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_css_and_raw_html_paths_outside_leave_no_trace(tmp_path, outside, fmt):
    front = f"backgroundImage: url({outside})\n"
    body = (f"<style>section {{ background-image: url({outside}); }}</style>\n\n# One\n\n---\n\n"
            f"<style scoped>h1 {{ background: url('../{outside.name}') }}</style>\n\n# Two\n\n"
            f'<img src="{outside}">')
    path = deck(tmp_path, body, front)
    result = build_file(path, BuildOptions(format=fmt))
    text = result.output.decode("latin-1") if isinstance(result.output, bytes) else result.output
    assert outside.name not in text
    refused = [w for w in warnings(result) if outside.name in w]
    assert refused and all(w.startswith(str(path)) for w in refused), refused
    assert any(re.search(r":\d+: slide 2: .*\.\./secret-outside", w) for w in refused), refused


def test_css_paths_inside_are_kept_as_written(tmp_path):
    path = deck(tmp_path, "<style>section { background-image: url(pic.png); }</style>\n\n# One")
    (path.parent / "pic.png").write_bytes(png_bytes())
    result = build_file(path, BuildOptions(format="html"))
    assert "url(pic.png)" in result.output and not warnings(result)


def test_allow_local_files_keeps_them(tmp_path, outside):
    path = deck(tmp_path, f"<style>section {{ background-image: url({outside}); }}</style>\n\n# One")
    result = build_file(path, BuildOptions(format="html", allow_local_files=True))
    assert f"url({outside})" in result.output and not warnings(result)


# The local network: never reached by a remote fetch without --allow-local-files (netguard.py) ----------
@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:4700::6810:84e5", True), ("8.8.8.8", True),
    ("127.0.0.1", False), ("127.0.0.2", False), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False),
    ("224.0.0.251", False), ("255.255.255.255", False), ("240.0.0.1", False), ("::1", False), ("::", False),
    ("fc00::1", False), ("fd12:3456::1", False), ("fe80::1%eth0", False), ("fec0::1", False), ("ff02::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("64:ff9b::a9fe:a9fe", False),
    ("2002:7f00:1::1", False), ("not an address", False)])
def test_which_addresses_are_public(monkeypatch, address, public):
    monkeypatch.setattr(netguard, "PUBLIC_FOR_TESTS", frozenset())
    assert netguard.is_public(address) is public


def _redirect(remote, target: str) -> str:
    return f"{remote.base}/redirect?to={quote(target, safe='')}&{time.monotonic_ns()}"


def _refusals(result, url: str) -> list[str]:
    return [w for w in warnings(result) if url in w and "local network" in w]


def test_a_redirect_into_the_local_network_is_not_followed(tmp_path, remote, internal):
    url = _redirect(remote, f"{internal.base}/ok.png")
    result = build_file(deck(tmp_path, f"# Remote\n\n![]({url})"), BuildOptions(format="pdf"))
    assert result.output.startswith(b"%PDF") and internal.seen == []
    found = _refusals(result, url)
    assert found and "127.0.0.2 is a local-network address" in found[0] and "--allow-local-files" in found[0]
    assert b"/Subtype /Image" not in result.output and b"/Subtype/Image" not in result.output


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/x.png", "http://192.168.0.1/x.png",
    "http://[::1]:9/x.png", "http://[fd00::1]/x.png", "http://0.0.0.0:9/x.png", "http://127.1.2.3:9/x.png",
    "http://224.0.0.1/x.png"])
def test_redirects_to_local_addresses_are_refused_before_connecting(tmp_path, remote, target):
    url = _redirect(remote, target)
    result = build_file(deck(tmp_path, f"# Remote\n\n![]({url})"), BuildOptions(format="pdf"))
    assert _refusals(result, url), warnings(result)


def test_every_hop_is_checked(tmp_path, remote, internal):
    url = _redirect(remote, _redirect(remote, f"{internal.base}/ok.png"))
    result = build_file(deck(tmp_path, f"# Remote\n\n![]({url})"), BuildOptions(format="pdf"))
    assert _refusals(result, url) and internal.seen == []


def test_a_redirect_between_public_addresses_is_followed(tmp_path, remote):
    url = _redirect(remote, _unique(remote, "ok.png"))
    result = build_file(deck(tmp_path, f"# Remote\n\n![]({url})"), BuildOptions(format="pdf"))
    assert not [w for w in warnings(result) if "remote" in w], warnings(result)
    assert b"/Subtype /Image" in result.output or b"/Subtype/Image" in result.output


def test_a_redirect_to_a_file_url_is_not_followed(tmp_path, remote, outside):
    url = _redirect(remote, outside.as_uri())
    result = build_file(deck(tmp_path, f"# Remote\n\n![]({url})"), BuildOptions(format="pdf"))
    assert any(url in w for w in warnings(result))
    assert b"/Subtype /Image" not in result.output and b"/Subtype/Image" not in result.output


def test_a_local_address_written_in_the_deck_needs_allow_local_files(tmp_path, internal):
    url = f"{internal.base}/ok.png?{time.monotonic_ns()}"
    path = deck(tmp_path, f"# Local server\n\n![]({url})")
    refused = build_file(path, BuildOptions(format="pdf"))
    assert internal.seen == [] and _refusals(refused, url)
    assert "--allow-local-files" in _refusals(refused, url)[0]
    allowed = build_file(path, BuildOptions(format="pdf", allow_local_files=True))
    assert internal.seen and not [w for w in warnings(allowed) if "remote" in w], warnings(allowed)
    assert b"/Subtype /Image" in allowed.output or b"/Subtype/Image" in allowed.output
    internal.seen.clear()


def test_a_name_that_changes_its_address_after_the_check_gets_nowhere(tmp_path, monkeypatch, remote, internal):
    """DNS rebinding: the name is public when checked, local when connected: the connection goes to
    addresses checked at that moment, so the second answer is refused too."""
    real = netguard.socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.test":
            return real(next(answers, "127.0.0.2"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)
    port = internal.server_address[1]
    url = f"http://rebind.test:{port}/ok.png?{time.monotonic_ns()}"
    result = build_file(deck(tmp_path, f"# Rebinding\n\n![]({url})"), BuildOptions(format="pdf"))
    assert internal.seen == [] and _refusals(result, url), warnings(result)
    assert "rebind.test resolves to 127.0.0.2" in _refusals(result, url)[0]
