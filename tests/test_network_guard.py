"""The suite's network guard: non-loopback connections raise, loopback and AF_UNIX work."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

import _netguard
from _corpus import ROOT, subprocess_env


@pytest.fixture
def forget_blocked():
    """Attempts made on purpose here must not fail the session (see conftest)."""
    before = len(_netguard.BLOCKED)
    yield
    del _netguard.BLOCKED[before:]


@pytest.fixture
def echo_server():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(10)

    def serve():
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        with conn:
            conn.sendall(conn.recv(64))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield srv.getsockname()[1]
    srv.close()
    thread.join(5)


def test_guard_is_installed():
    assert _netguard.installed()


def test_non_loopback_connect_is_blocked(forget_blocked):
    started = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        with pytest.raises(_netguard.NetworkBlocked, match="10.255.255.1"):
            s.connect(("10.255.255.1", 80))
        with pytest.raises(_netguard.NetworkBlocked):
            s.connect_ex(("10.255.255.1", 80))
    assert time.monotonic() - started < 1.0, "the guard must refuse before any packet is sent"
    assert any("10.255.255.1" in line for line in _netguard.BLOCKED)


@pytest.mark.parametrize("address", [("8.8.8.8", 53), ("example.com", 443), ("0.0.0.0", 80)])
def test_create_connection_to_other_hosts_is_blocked(forget_blocked, address):
    with pytest.raises(_netguard.NetworkBlocked):
        socket.create_connection(address, timeout=2)


def test_ipv6_non_loopback_is_blocked(forget_blocked):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support in this Python build")
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError as exc:
        pytest.skip(f"cannot create an IPv6 socket here: {exc}")
    with s, pytest.raises(_netguard.NetworkBlocked):
        s.connect(("2001:db8::1", 80, 0, 0))


def test_http_clients_are_blocked_too(forget_blocked):
    import urllib.error
    import urllib.request

    with pytest.raises((_netguard.NetworkBlocked, urllib.error.URLError)):
        urllib.request.urlopen("http://10.255.255.1/", timeout=2)
    assert any("10.255.255.1" in line for line in _netguard.BLOCKED)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_allowed(echo_server, host):
    with socket.create_connection((host, echo_server), timeout=5) as c:
        c.sendall(b"ping")
        assert c.recv(64) == b"ping"


def test_loopback_connect_method_is_allowed(echo_server):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as c:
        c.settimeout(5)
        assert c.connect_ex(("127.0.0.1", echo_server)) == 0
        c.sendall(b"pong")
        assert c.recv(64) == b"pong"


def test_unix_sockets_are_allowed(tmp_path):
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
        srv.bind(path)
        srv.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.connect(path)
            conn, _ = srv.accept()
            with conn:
                c.sendall(b"x")
                assert conn.recv(1) == b"x"


def test_guard_is_installed_in_subprocesses():
    code = ("import socket, _netguard\n"
            "assert _netguard.installed()\n"
            "try:\n    socket.create_connection(('10.255.255.1', 80), timeout=2)\n"
            "except _netguard.NetworkBlocked:\n    print('blocked')\n")
    out = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "blocked"
