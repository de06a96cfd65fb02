"""What the app trusts from a client, in one place (README "Security").

Every client of the app is treated as hostile: any process on the machine can reach its API,
and a web page can too through DNS rebinding unless the Host header is checked. So:

- `HostGuard` answers 421 to a request whose Host is not one of the names the app is bound
  to (DNS rebinding), and 403 to a cross-site request (an Origin that is not the app's own).
- `uploaded_file` accepts a client-supplied file path only when it lies inside Gradio's
  upload folder (a file the server itself received), as a regular file, not through a link.
- `client_endpoint` decides which LLM endpoint a request may use: the configured one (with
  the server's key), or — only when RAG_ALLOW_CLIENT_ENDPOINTS is on — another one, with the
  key the client typed and never the server's.
"""
from __future__ import annotations

import ipaddress
import os
import socket
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import RagError

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


class Rejected(RagError):
    """A client asked for something it may not have (a path, an endpoint, a host)."""


# ---------------------------------------------------------------- hosts and origins -------
def is_loopback(host: str) -> bool:
    host = (host or "").strip("[]")
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(bind_host: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Host names a request may carry: the loopback names when bound to loopback; for a
    wildcard or LAN address also this machine's name and addresses; plus RAG_ALLOWED_HOSTS."""
    names = set(LOOPBACK_NAMES)
    bind = (bind_host or "").strip("[]")
    if bind and not is_loopback(bind):
        names.add(bind.lower())
        if bind in ("0.0.0.0", "::"):
            for name in {socket.gethostname(), socket.getfqdn()}:
                names.add(name.lower())
                try:
                    names.update(info[4][0] for info in socket.getaddrinfo(name, None))
                except OSError:
                    pass
    names.update(h.strip().lower() for h in extra if h.strip())
    return frozenset(names)


def split_host_port(value: str) -> tuple[str, str]:
    """'Example.com:7860' → ('example.com', '7860'); '[::1]:7860' → ('::1', '7860')."""
    value = (value or "").strip().lower()
    if value.startswith("["):
        end = value.find("]")
        host, rest = (value[1:end], value[end + 1:]) if end > 0 else (value[1:], "")
        return host, rest[1:] if rest.startswith(":") else ""
    if value.count(":") == 1:
        host, port = value.split(":")
        return host, port
    return value, ""


def host_allowed(host_header: str, allowed: frozenset[str]) -> bool:
    return "*" in allowed or split_host_port(host_header)[0] in allowed


def origin_allowed(origin: str, host_header: str) -> bool:
    """A browser request from another site carries its Origin: only the app's own origin
    (the scheme's host and port equal to the Host header's) may call the API."""
    if not origin:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False            # "null" (sandboxed frames, file://) and anything odd
    default = "443" if parts.scheme == "https" else "80"
    host, port = split_host_port(host_header)
    return parts.hostname.lower() == host and str(parts.port or default) == (port or default)


class HostGuard:
    """ASGI middleware: the DNS-rebinding and cross-site checks for every HTTP and
    websocket request (Gradio's own routes included)."""

    def __init__(self, app, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host, origin = headers.get("host", ""), headers.get("origin", "")
        if not host_allowed(host, self.allowed):
            return await _deny(scope, send, 421, f"Host {host!r} is not served here (set RAG_ALLOWED_HOSTS to allow it)")
        if not origin_allowed(origin, host):
            return await _deny(scope, send, 403, f"cross-site request from {origin!r} refused")
        return await self.app(scope, receive, send)


async def _deny(scope, send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = message.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def exposure_warning(bind_host: str, has_login: bool) -> str:
    """What to print at start when the app is reachable beyond this machine without a login."""
    if is_loopback(bind_host) or has_login:
        return ""
    return (f"WARNING: listening on {bind_host} without a login: anyone who can reach this port can ask, "
            "upload sources and re-ingest. Set RAG_AUTH=user:password (and RAG_ALLOWED_HOSTS for the "
            "names clients use).")


# ---------------------------------------------------------------- uploaded files ----------
def uploaded_file(path: str, upload_root: Path) -> Path:
    """The client-supplied path of an upload, if it is a file the server received: inside
    Gradio's upload folder, a regular file, reached through no symbolic link. Else Rejected."""
    raw = str(path or "")
    name = Path(raw).name or raw
    root = Path(os.path.realpath(upload_root))
    candidate = Path(os.path.abspath(raw))
    if Path(os.path.realpath(candidate)) != candidate or not candidate.is_relative_to(root) or candidate == root:
        raise Rejected(f"{name}: not a file uploaded to this server", "upload the file through the app")
    try:
        st = os.lstat(candidate)
    except OSError:
        raise Rejected(f"{name}: the uploaded file is gone", "upload it again") from None
    if not stat.S_ISREG(st.st_mode):
        raise Rejected(f"{name}: not a regular file", "upload a .txt or .md file")
    return candidate


# ---------------------------------------------------------------- LLM endpoints -----------
@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str
    model: str


def normalise_url(url: str) -> str:
    return (url or "").strip().rstrip("/")


def client_endpoint(base_url: str, model: str, api_key: str, *, configured_url: str, configured_key: str,
                    default_model: str, allow_client_endpoints: bool) -> Endpoint:
    """The endpoint one request may use. The server's key only ever goes to the configured
    URL; any other URL needs RAG_ALLOW_CLIENT_ENDPOINTS=1 and gets only the client's key."""
    url, key = normalise_url(base_url), (api_key or "").strip()
    model = (model or "").strip() or default_model
    if len(model) > 200 or any(ord(ch) < 32 for ch in model):
        raise Rejected("the model name is not valid", "use the model's plain name")
    if not url or url == normalise_url(configured_url):
        if not (configured_url or configured_key or key):
            raise Rejected("no LLM endpoint is configured on this server",
                           "choose the offline backend, or set OPENAI_BASE_URL/OPENAI_API_KEY where the app runs")
        return Endpoint(normalise_url(configured_url), key or configured_key, model)
    if not allow_client_endpoints:
        raise Rejected(f"this server only uses its configured LLM endpoint, not {url}",
                       "leave the base URL empty (or as configured); the operator can set RAG_ALLOW_CLIENT_ENDPOINTS=1")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise Rejected(f"{url!r} is not an http(s) URL without credentials", "use e.g. http://host:8080/v1")
    return Endpoint(url, key, model)
