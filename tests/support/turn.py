"""A real coturn on loopback for a test session, authenticating by the TURN REST API (`use-auth-secret`).

It shares a fresh random secret with the tests, which mint credentials with shared/domain/voip/turn.py exactly as
the app does. Every path it writes (log, pid file, user database) is in the session's temp dir, and `-n` keeps it
from reading /etc/turnserver.conf, so the machine's own coturn setup, if any, plays no part.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devhost.standins.processes import StandIn, port_open, start

REALM = "topicsflow.test"
LOOPBACK = "127.0.0.1"


@dataclass
class TurnServer:
    stand_in: StandIn
    port: int
    secret: str
    realm: str = REALM

    @property
    def address(self) -> tuple[str, int]:
        return (LOOPBACK, self.port)

    @property
    def stun_urls(self) -> list[str]:
        return [f"stun:{LOOPBACK}:{self.port}"]

    @property
    def turn_urls(self) -> list[str]:
        return [f"turn:{LOOPBACK}:{self.port}?transport=udp", f"turn:{LOOPBACK}:{self.port}?transport=tcp"]

    @property
    def log_path(self) -> Path:
        return self.stand_in.log_path

    def app_settings(self) -> dict[str, str]:
        """Environment for a dev host whose GET /api/voip/ice-servers should point at this server."""
        return {"VOIP_STUN_URLS": json.dumps(self.stun_urls), "VOIP_TURN_URLS": json.dumps(self.turn_urls),
                "VOIP_TURN_SECRET": self.secret}

    def stop(self) -> None:
        self.stand_in.stop()


def free_udp_and_tcp_port() -> int:
    """coturn listens on one port number for both UDP and TCP, so both must be free."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((LOOPBACK, 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((LOOPBACK, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no port free for both UDP and TCP on loopback")


def stun_binding_answers(port: int, timeout: float = 0.3) -> bool:
    """An RFC 5389 Binding request over UDP: the UDP listener is up once it answers with a success response."""
    transaction_id = secrets.token_bytes(12)
    request = b"\x00\x01\x00\x00" + b"\x21\x12\xa4\x42" + transaction_id
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(request, (LOOPBACK, port))
            response, _ = sock.recvfrom(2048)
        except OSError:  # timeout, or ICMP port unreachable surfacing as ConnectionRefusedError
            return False
    return response[:2] == b"\x01\x01" and response[8:20] == transaction_id


def turnserver_argv(port: int, secret: str, work_dir: Path) -> list[str]:
    return [
        "turnserver", "-n",  # -n: no config file, the command line is the whole configuration
        "--listening-ip", LOOPBACK, "--relay-ip", LOOPBACK, "--listening-port", str(port),
        "--use-auth-secret", "--static-auth-secret", secret, "--realm", REALM,
        "--no-tls", "--no-dtls", "--fingerprint", "--no-rfc5780",
        # coturn refuses to relay to 127.x by default (a relay into the server's own loopback services is a classic
        # SSRF); our peers live on loopback. Allowing that is only sane without the telnet CLI on 127.0.0.1:5766,
        # which has no password by default and would then be reachable through the relay.
        "--allow-loopback-peers", "--no-cli",
        "--verbose",  # sessions and refusals in the log (usernames, never passwords): what a failing test needs
        "--log-file", "stdout", "--pidfile", str(work_dir / "turnserver.pid"), "--userdb", str(work_dir / "turndb"),
    ]


def start_turnserver(work_dir: Path, timeout: float = 30.0) -> TurnServer:
    """Starts coturn on a free loopback port and returns once both its UDP and TCP listeners answer."""
    work_dir.mkdir(parents=True, exist_ok=True)
    port = free_udp_and_tcp_port()
    secret = secrets.token_urlsafe(32)
    stand_in = start("turnserver", turnserver_argv(port, secret, work_dir), {"turn": port}, work_dir,
                     ready=lambda: stun_binding_answers(port) and port_open(port), timeout=timeout)
    return TurnServer(stand_in=stand_in, port=port, secret=secret)


def require_turnserver() -> None:
    if shutil.which("turnserver") is None:
        pytest.fail("turnserver (coturn) is not installed: run `bash .ci/ensure-coturn.sh` (`make test` does)",
                    pytrace=False)


@pytest.fixture(scope="session", name="coturn")
def coturn_fixture(tmp_path_factory) -> Iterator[TurnServer]:
    """One coturn for the session; a missing coturn fails the tests that need it, it never skips them."""
    require_turnserver()
    server = start_turnserver(Path(tmp_path_factory.mktemp("coturn")))
    try:
        yield server
    finally:
        server.stop()
