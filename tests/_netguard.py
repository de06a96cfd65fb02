"""Network guard for the test suite: any socket connection to a non-loopback address raises.

Allowed: AF_UNIX, AF_NETLINK (kernel, not network), 127.0.0.0/8, ::1 (and ::ffff:127.x),
and the host names "localhost"/"ip6-localhost". Everything else (other IPs, any other host
name, AF_VSOCK, ...) raises `NetworkBlocked` before a packet leaves, and is recorded in
`BLOCKED` so a leak from a background thread (telemetry, a hub download) still shows up in
the pytest summary.

No pytest dependency: `tests/_netguard_site/sitecustomize.py` installs the same guard in
subprocesses (`python ingest.py`) started by the tests.
"""
from __future__ import annotations

import ipaddress
import socket
import threading

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
BLOCKED: list[str] = []
_lock = threading.Lock()
_originals: dict[str, object] = {}


class NetworkBlocked(RuntimeError):
    """A test (or the code under test) tried to reach a non-loopback address."""


def _host_allowed(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().rstrip(".").lower()
    if name in LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False  # any other host name: resolving it would already be network traffic
    if ip.is_loopback:
        return True
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(mapped and mapped.is_loopback)


def address_allowed(family, address) -> bool:
    if family == getattr(socket, "AF_UNIX", object()) or family == getattr(socket, "AF_NETLINK", object()):
        return True
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
        return _host_allowed(address[0])
    return False


def _refuse(what: str) -> None:
    with _lock:
        BLOCKED.append(what)
    raise NetworkBlocked(f"network access blocked in tests: {what} (only loopback and AF_UNIX are allowed)")


def _guarded_connect(self, address):
    if not address_allowed(self.family, address):
        _refuse(f"connect({address!r}, family={self.family!r})")
    return _originals["connect"](self, address)


def _guarded_connect_ex(self, address):
    if not address_allowed(self.family, address):
        _refuse(f"connect_ex({address!r}, family={self.family!r})")
    return _originals["connect_ex"](self, address)


def _guarded_create_connection(address, *args, **kwargs):
    # Check the host before getaddrinfo, so a non-local name is not even resolved.
    if not (isinstance(address, tuple) and address and _host_allowed(address[0])):
        _refuse(f"create_connection({address!r})")
    return _originals["create_connection"](address, *args, **kwargs)


def install() -> None:
    if _originals:
        return
    _originals["connect"] = socket.socket.connect
    _originals["connect_ex"] = socket.socket.connect_ex
    _originals["create_connection"] = socket.create_connection
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.create_connection = _guarded_create_connection


def uninstall() -> None:
    if not _originals:
        return
    socket.socket.connect = _originals.pop("connect")
    socket.socket.connect_ex = _originals.pop("connect_ex")
    socket.create_connection = _originals.pop("create_connection")


def installed() -> bool:
    return bool(_originals)
