"""Model artifacts: skops files whose sha256 is recorded in the version document, and a per-worker cache.

An artifact is loaded only when (1) its bytes hash to the sha256 recorded when the worker wrote it (the version
document in the database is the manifest of record, not the manifest.json blob beside the artifact, which
someone able to replace the artifact could replace too), and (2) skops finds no type outside the defaults and
the model type's explicit trusted list. Anything else is refused with 409 `artifact_integrity_failed`.
scikit-learn, numpy and skops are imported here only, on first use.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import platform
from collections import OrderedDict
from typing import Any

from shared import wiring
from shared.domain.models import store
from shared.domain.models.documents import ArtifactRecord, Lineage, VersionDoc
from shared.domain.models.types import ModelType
from shared.errors import Conflict
from shared.settings import get_settings

log = logging.getLogger("topicsflow.models.artifacts")
FORMAT = "skops"


class ArtifactIntegrityError(Conflict):
    code = "artifact_integrity_failed"
    message = "The stored model artifact failed its integrity check and was not loaded."


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def library_versions() -> dict[str, str]:
    import numpy
    import sklearn
    import skops

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": numpy.__version__,
            "skops": skops.__version__}


def dumps(estimator: Any) -> bytes:
    import skops.io

    return skops.io.dumps(estimator)


def loads_verified(data: bytes, expected_sha256: str, model_type: ModelType) -> Any:
    import skops.io

    if sha256_hex(data) != expected_sha256:
        raise ArtifactIntegrityError(details={"reason": "sha256_mismatch"})
    try:
        untrusted = set(skops.io.get_untrusted_types(data=data))
    except Exception:
        raise ArtifactIntegrityError(details={"reason": "unreadable"}) from None
    unexpected = sorted(untrusted - set(model_type.trusted_types))
    if unexpected:
        raise ArtifactIntegrityError(details={"reason": "untrusted_types", "types": unexpected})
    return skops.io.loads(data, trusted=sorted(untrusted) or None)


async def write(model_id: str, job_id: str, attempt: int, data: bytes, manifest: Lineage) -> ArtifactRecord:
    """Writes the artifact and its manifest under a path no other write uses; returns the artifact record."""
    prefix = f"{store.artifact_prefix(model_id, job_id, attempt)}"
    blobs = wiring.blobs()
    record: ArtifactRecord = {"format": FORMAT, "container": store.ARTIFACTS_CONTAINER, "name": prefix + "model.skops",
              "manifest_name": prefix + "manifest.json", "sha256": sha256_hex(data), "size": len(data),
              "library_versions": library_versions()}
    await blobs.put(store.ARTIFACTS_CONTAINER, record["name"], data, content_type="application/octet-stream",
                    metadata={"sha256": record["sha256"]})
    written = {**manifest, "artifact": {"format": record["format"], "name": record["name"],
                                        "sha256": record["sha256"], "size": record["size"]},
               "library_versions": record["library_versions"]}
    await blobs.put(store.ARTIFACTS_CONTAINER, record["manifest_name"],
                    json.dumps(written, indent=2, sort_keys=True).encode(), content_type="application/json")
    return record


class EstimatorCache:
    """Loaded estimators of immutable versions, least recently used dropped first. One per worker process."""

    def __init__(self, capacity: int):
        self.capacity = max(0, capacity)
        self._items: OrderedDict[tuple[str, int, str], Any] = OrderedDict()

    def get(self, key: tuple[str, int, str]) -> Any | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, int, str], estimator: Any) -> None:
        if self.capacity == 0:
            return
        self._items[key] = estimator
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def drop_model(self, model_id: str) -> None:
        for key in [k for k in self._items if k[0] == model_id]:
            del self._items[key]

    def __len__(self) -> int:
        return len(self._items)


_cache: EstimatorCache | None = None


def cache() -> EstimatorCache:
    global _cache
    if _cache is None:
        _cache = EstimatorCache(get_settings().models_cache_size)
    return _cache


async def load(version: VersionDoc, model_type: ModelType, *, use_cache: bool = True) -> Any:
    """The version's estimator. With use_cache=False a private copy is returned (for partial_fit, which mutates)."""
    artifact = version["artifact"]
    key = (version["model_id"], version["number"], artifact["sha256"])
    if use_cache:
        found = cache().get(key)
        if found is not None:
            return found
    blob = await wiring.blobs().get(artifact["container"], artifact["name"])
    estimator = await asyncio.to_thread(loads_verified, blob.data, artifact["sha256"], model_type)
    if use_cache:
        cache().put(key, estimator)
    return estimator
