"""QR codes drawn locally as SVG with the `qrcode` package, so that decks show them offline.

Two ways in:
- the image keyword `qr`: `![qr](https://example.com)` / `![bg right:30% qr](https://example.com)` encodes the
  URL itself instead of loading it;
- image URLs of the common QR services (quickchart.io, api.qrserver.com, chart.googleapis.com) are recognised
  and drawn from their parameters (text, error correction, margin, size, colours) instead of being fetched.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from .images import ImageSpec

# qrcode (and the Pillow it imports) is loaded only when a deck has a QR code: ~40 ms of every start.
_EC = {"L": 1, "M": 0, "Q": 3, "H": 2}     # qrcode.constants.ERROR_CORRECT_*
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MODULE_PX = 8          # size of a module when nothing says otherwise


@dataclass
class QRRequest:
    """A QR code asked for in a deck: the text it encodes and how it is drawn."""

    text: str
    ec: str = "M"
    border: int = 4            # quiet zone, in modules
    size: int | None = None    # pixels
    dark: str = "#000"
    light: str = "#fff"


def _first(query: dict, *names: str) -> str | None:
    for name in names:
        for key, values in query.items():
            if key.lower() == name.lower() and values:
                return values[0]
    return None


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        return max(low, min(high, int(float(value)))) if value is not None else None
    except ValueError:
        return None


def _colour(value: str | None, default: str) -> str:
    if value and _HEX.match(value):
        return "#" + value.lstrip("#")
    if value and (m := re.fullmatch(r"(\d{1,3})-(\d{1,3})-(\d{1,3})", value)):
        return "#" + "".join(f"{min(255, int(c)):02x}" for c in m.groups())
    return default


def service_request(url: str) -> QRRequest | None:
    """A QRRequest when `url` is a QR service's image URL we can draw ourselves."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    path = parts.path.rstrip("/").lower()
    query = parse_qs(parts.query, keep_blank_values=True)
    if host.endswith("quickchart.io") and path == "/qr":
        text = _first(query, "text")
        if text is None:
            return None
        return QRRequest(text=text, ec=(_first(query, "ecLevel") or "M").upper()[:1],
                         border=_int(_first(query, "margin"), 0, 40) if _first(query, "margin") else 4,
                         size=_int(_first(query, "size"), 16, 2000) or 150,
                         dark=_colour(_first(query, "dark"), "#000"), light=_colour(_first(query, "light"), "#fff"))
    if host.endswith("qrserver.com") and path.endswith("/create-qr-code"):
        text = _first(query, "data")
        if text is None:
            return None
        size = (_first(query, "size") or "200x200").lower().split("x")[0]
        return QRRequest(text=text, ec=(_first(query, "ecc") or "L").upper()[:1],
                         border=_int(_first(query, "qzone"), 0, 40) or 1, size=_int(size, 16, 2000) or 200,
                         dark=_colour(_first(query, "color"), "#000"), light=_colour(_first(query, "bgcolor"), "#fff"))
    if (host in ("chart.googleapis.com", "chart.apis.google.com") and path == "/chart") or \
            (host.endswith("quickchart.io") and path == "/chart"):
        if (_first(query, "cht") or "").lower() != "qr" or _first(query, "chl") is None:
            return None
        ec, _, margin = (_first(query, "chld") or "L|4").partition("|")
        size = (_first(query, "chs") or "150x150").lower().split("x")[0]
        return QRRequest(text=_first(query, "chl") or "", ec=(ec or "L").upper()[:1],
                         border=_int(margin or "4", 0, 40) or 0, size=_int(size, 16, 2000) or 150)
    return None


def qr_matrix(text: str, ec: str = "M", border: int = 4) -> list[list[bool]]:
    """The module matrix, quiet zone included (True is dark)."""
    import qrcode

    code = qrcode.QRCode(error_correction=_EC.get(ec, _EC["M"]), border=border)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(request: QRRequest) -> str:
    """An SVG drawing of the code: one path of dark runs on a light square."""
    matrix = qr_matrix(request.text, request.ec, request.border)
    n = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    size = request.size or n * MODULE_PX
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {n} {n}" '
            f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="{request.light}"/>'
            f'<path fill="{request.dark}" d="{"".join(runs)}"/></svg>')


def qr_data_uri(request: QRRequest) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(request).encode()).decode("ascii")


def qr_source(url: str, spec: ImageSpec) -> str | None:
    """The data: URI to show for this image, when it is a QR code; None otherwise."""
    if spec.qr:
        request = QRRequest(text=url)
        if spec.bg and not (spec.size or spec.width or spec.height):
            spec.size = "contain"      # a cropped code does not scan: `qr` backgrounds are contained
    else:
        request = service_request(url)
    if request is None or not request.text:
        return None
    from .. import cache     # the drawing is kept on disk: a warm build does not even import qrcode

    key = cache.digest(cache.code_key(__name__, "qrcode"), repr(request))
    found = cache.get_text("qr", key)
    if found is not None:
        return found
    from qrcode.exceptions import DataOverflowError

    try:
        uri = qr_data_uri(request)
    except (DataOverflowError, ValueError):
        return None
    cache.put_text("qr", key, uri)
    return uri


def qr_alt(url: str, spec: ImageSpec) -> str:
    """A description for a QR image written without one (WeasyPrint's tagging asks for it)."""
    request = QRRequest(text=url) if spec.qr else service_request(url)
    return f"QR code: {request.text}" if request is not None and request.text else ""


def with_qr(resolve):
    """Wrap an image resolver so that QR codes are drawn here and everything else goes on to `resolve`."""
    def resolve_with_qr(url: str, spec: ImageSpec) -> str:
        return qr_source(url, spec) or resolve(url, spec)
    resolve_with_qr.inner = resolve
    return resolve_with_qr
