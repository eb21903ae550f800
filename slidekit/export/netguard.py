"""Remote fetches that cannot be steered into the local network (issue 5).

A deck from the internet may name `http://169.254.169.254/…` (a cloud's metadata service), a router at
192.168.0.1 or a service on 127.0.0.1, or a public URL that redirects there. The PDF's URL fetcher reads
remote files through `open_remote`, which refuses any host that resolves to a loopback, private,
link-local, multicast, reserved or unspecified address (every address the name resolves to is checked):

- on the first URL and on every redirect hop (a request pre-processor sees each request the opener makes);
- again when the socket connects: the connection goes to an address that was just checked, so a name
  that resolves to a public address for the check and to a local one for the connection (DNS rebinding)
  gets nowhere. Through a proxy (from the environment, as urllib reads it) the proxy is the user's own
  choice and is not checked; the named hosts still are.

Policy: the local network is as private as the local disk. Without --allow-local-files no remote fetch
reaches it, whether the deck names the address itself (`http://localhost:8000/x.png`) or a redirect
leads there; with --allow-local-files nothing is refused (the deck could then name the address itself,
so refusing redirects would protect nothing).

Tests serve on 127.0.0.1 and need that server to count as public: they put the exact address in
`PUBLIC_FOR_TESTS` (empty otherwise; nothing in slidekit sets it, and no option or environment variable
reaches it).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
import zlib
from urllib.parse import urlsplit

PUBLIC_FOR_TESTS: frozenset[str] = frozenset()
MAX_REDIRECTS = 10
REFUSED = "was not fetched: it leads into the local network"    # how a refusal's warning begins

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class LocalAddressRefused(OSError):
    """A remote fetch would reach the local network; the message says which host and address."""


def is_public(address: str) -> bool:
    """Whether an IP address (text, as getaddrinfo gives it) is a public unicast one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if str(ip) in PUBLIC_FOR_TESTS:
        return True
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
        if ip.is_site_local:
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local
                                 or ip.is_reserved or ip.is_unspecified)


def resolve_public(host: str, port: int) -> list[tuple]:
    """getaddrinfo's answers for host:port, or LocalAddressRefused if any of them is not public."""
    if not host:
        raise LocalAddressRefused("the address names no host")
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise urllib.error.URLError(exc) from None
    for info in infos:
        address = info[4][0]
        if not is_public(address):
            shown = f"{host} is" if host.strip("[]") == address else f"{host} resolves to {address},"
            raise LocalAddressRefused(f"{shown} a local-network address")
    return infos


def check_url(url: str) -> None:
    """LocalAddressRefused unless the URL's host resolves to public addresses only."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise urllib.error.URLError(f"bad port in {url}") from None
    resolve_public(parts.hostname or "", port)


def _pinned_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **_):
    """socket.create_connection, to addresses checked here and now (not resolved again after the check)."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve_public(host, port):
        sock = None
        try:
            sock = socket.socket(family, kind, proto)
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            if sock is not None:
                sock.close()
    raise error or OSError(f"no address for {host}")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_connection


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_connection


def _proxied(req: urllib.request.Request) -> bool:
    return bool(getattr(req, "_tunnel_host", None)) or req.has_proxy()


class _Guard(urllib.request.BaseHandler):
    """Checks the host of every request the opener makes: the first URL and each redirect hop."""
    handler_order = 100

    def http_request(self, req):
        check_url(req.full_url)
        return req

    https_request = http_request


class _HTTP(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(http.client.HTTPConnection if _proxied(req) else _PinnedHTTP, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(http.client.HTTPSConnection if _proxied(req) else _PinnedHTTPS, req,
                            context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


def build_opener(allow_local: bool) -> urllib.request.OpenerDirector:
    """An opener for http(s) only (a redirect to file:, ftp: or data: fails), redirects followed; with
    `allow_local` False, no request reaches a local-network address."""
    opener = urllib.request.OpenerDirector()
    handlers = [urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor(), _Redirects()]
    if allow_local:
        handlers += [urllib.request.HTTPHandler(), urllib.request.HTTPSHandler()]
    else:
        handlers += [_Guard(), _HTTP(), _HTTPS()]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def open_remote(url: str, headers: dict, timeout: float, allow_local: bool):
    """The response to GET url (redirects followed, each hop checked unless `allow_local`). Raises
    LocalAddressRefused (possibly inside a URLError: see `refusal`) for a local-network address."""
    request = urllib.request.Request(url, headers=headers)
    return build_opener(allow_local).open(request, timeout=timeout)


def refusal(exc: BaseException) -> LocalAddressRefused | None:
    """The LocalAddressRefused behind an exception from `open_remote`, if that is why it failed."""
    for candidate in (exc, getattr(exc, "reason", None), exc.__cause__, exc.__context__):
        if isinstance(candidate, LocalAddressRefused):
            return candidate
    return None


class Inflating:
    """A `Content-Encoding: deflate` body decoded as it is read, a piece at a time (never the whole
    compressed body read and inflated at once: a small body can inflate to gigabytes)."""

    def __init__(self, raw):
        self.raw = raw
        self.inflater = None
        self.done = False

    def read1(self, size: int = 65536) -> bytes:
        while not self.done:
            if self.inflater is not None and self.inflater.unconsumed_tail:
                data = self.inflater.unconsumed_tail
            else:
                data = (getattr(self.raw, "read1", None) or self.raw.read)(65536)
                if not data:
                    self.done = True
                    return self.inflater.flush() if self.inflater is not None else b""
            if self.inflater is None:      # zlib-wrapped, as the standard says, or raw deflate, as some send
                self.inflater = zlib.decompressobj(zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS)
            out = self.inflater.decompress(data, size)
            if self.inflater.eof:
                self.done = True
            if out:
                return out
        return b""

    read = read1

    def close(self) -> None:
        self.raw.close()
