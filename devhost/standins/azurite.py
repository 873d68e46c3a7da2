"""Azurite (pinned 3.35.0) in memory on free loopback ports, for the blob contract tests and the azure stack."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devhost.standins.processes import NODE_BIN, StandIn, free_port, start

# Azurite's fixed development account (the same key in every Azurite; not a secret).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def connection_string(ports: dict[str, int]) -> str:
    return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{ports['blob']}/{ACCOUNT};"
            f"QueueEndpoint=http://127.0.0.1:{ports['queue']}/{ACCOUNT};"
            f"TableEndpoint=http://127.0.0.1:{ports['table']}/{ACCOUNT};")


@dataclass
class AzuriteStandIn(StandIn):
    @property
    def connection_string(self) -> str:
        return connection_string(self.ports)

    @property
    def blob_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['blob']}/{ACCOUNT}"


def start_azurite(log_dir: Path) -> AzuriteStandIn:
    """Starts Azurite; ports are blob/queue/table. Raises when it does not come up."""
    ports = {"blob": free_port(), "queue": free_port(), "table": free_port()}
    # The SDKs send a newer x-ms-version than 3.35.0 knows; --skipApiVersionCheck lets them through.
    argv = [str(NODE_BIN / "azurite"), "--skipApiVersionCheck", "--inMemoryPersistence", "--silent",
            "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", str(ports["blob"]),
            "--queueHost", "127.0.0.1", "--queuePort", str(ports["queue"]),
            "--tableHost", "127.0.0.1", "--tablePort", str(ports["table"])]
    started = start("azurite", argv, ports, log_dir, timeout=60)
    return AzuriteStandIn(started.name, started.process, started.ports, started.log_path)
