"""What the models area stores (store.py has the layout, docs/models.md the story), and the typed containers.

Three things stay free-form on purpose, as `dict[str, Any]`: a model's `params` (the hyper-parameters as the
client sent them, checked by the model type), a version's `metrics` and `split` (what each task's evaluation
reports), and an error's `details`.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from shared.domain.models.schemas import JobKind, JobState, ModelStatus, Role
from shared.domain.stored import Container, Stored

MODELS = "models"
VERSIONS = "model_versions"
JOBS = "model_jobs"
OWNERS = "model_owners"

DataFormat = Literal["json", "csv", "jsonl"]


class ErrorDoc(TypedDict):
    """Why a job (and with it its model's last training) failed; schemas.ErrorInfo shows it."""

    code: str
    message: str
    details: NotRequired[Any]
    job_id: NotRequired[str]
    at: NotRequired[str]


class GrantDoc(TypedDict):
    user_id: str
    role: Role
    granted_at: str


class ModelDoc(Stored):
    """pk = id = model id."""

    owner_id: str
    name: str
    name_key: str  # lower-case, whitespace collapsed: unique per owner (the name claim)
    type: str  # a key of types.MODEL_TYPES
    task: str
    params: dict[str, Any]  # free-form: the hyper-parameters, as the model type accepted them
    description: str
    tags: list[str]
    search_keys: list[str]
    status: ModelStatus
    current_version: int | None
    previous_version: int | None
    latest_version: int | None
    active_job_id: str | None  # the one-active-job lock
    last_job_id: str | None
    last_error: ErrorDoc | None
    grants: list[GrantDoc]
    grantees: list[str]  # the grants' user ids, for ARRAY_CONTAINS
    deleted: bool
    deleted_at: str | None
    created_by: str
    created_at: str
    updated_at: str


class InputRef(TypedDict):
    """Where a job's input is (claim check): inline rows the API stored, or a client's signed upload."""

    source: Literal["inline", "upload"]
    container: str
    name: str
    format: DataFormat
    rows: int | None  # None for uploads until the worker parsed them
    bytes: int
    upload_id: NotRequired[str]


class TrainOptions(TypedDict):
    target: str | None
    features: list[str] | None
    test_size: float
    split_seed: int
    promote: bool


class PredictOptions(TypedDict):
    version: int
    probabilities: bool


class AttemptErrorDoc(TypedDict):
    """The last failed attempt of a job that will be retried."""

    code: str
    attempt: int
    error: str  # the exception's class name
    at: str


class ResultRef(TypedDict):
    """A batch prediction's output file."""

    container: str
    name: str
    rows: int


class JobDoc(Stored):
    """pk = id = job id."""

    model_id: str
    owner_id: str  # the model's owner
    model_type: str
    kind: JobKind
    state: JobState
    stage: str
    progress: float
    attempts: int
    cancel_requested: bool
    created_by: str
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None
    heartbeat_at: str | None
    error: ErrorDoc | None
    last_attempt_error: AttemptErrorDoc | None
    result_version: int | None
    rows: int | None
    input: InputRef
    options: TrainOptions | PredictOptions  # by kind; `"test_size" in options` tells them apart
    params: dict[str, Any]  # free-form: the model's (or the predicting version's) hyper-parameters
    base_version: int | None
    retry_of: str | None
    dead_lettered: bool
    result: ResultRef | None


class JobResultFields(TypedDict, total=False):
    """What a job's end records beside its state (jobs.finish_job's `extra`)."""

    result_version: int
    result: ResultRef
    rows: int


class ArtifactRecord(TypedDict):
    format: str
    container: str
    name: str
    manifest_name: str
    sha256: str
    size: int
    library_versions: dict[str, str]


class VersionData(TypedDict):
    """What a version was trained on."""

    sha256: str
    rows: int
    source: Literal["inline", "upload"]
    format: DataFormat
    upload_id: str | None


class Lineage(TypedDict):
    """How a version was made: stored in the version and written into its artifact's manifest."""

    model_id: str
    number: int
    job_id: str
    kind: JobKind  # train or update
    model_type: str
    estimator: str
    params: dict[str, Any]  # free-form: the hyper-parameters the estimator was fitted with
    features: list[str]
    target: str | None
    classes: list[Any] | None
    metrics: dict[str, Any]  # free-form: what the task's evaluation reports
    split: dict[str, Any]  # free-form: how the rows were split for evaluation
    data: VersionData
    parent_version: int | None


class VersionDoc(Stored, Lineage):
    """pk = model id, id = the id of the job that produced it."""

    owner_id: str
    artifact: ArtifactRecord
    created_by: str
    created_at: str
    fit_seconds: float


class UsageDoc(Stored):
    """model_owners, id "usage": the owner's stored artifact bytes."""

    artifact_bytes: int


class NameClaimDoc(Stored):
    """model_owners, id "name:<name key>": makes model names unique per owner."""

    model_id: str
    claimed_at: float  # epoch seconds


class UploadDoc(Stored):
    """model_owners, id "upload:<upload id>", in the uploader's partition: a signed upload they may use."""

    model_id: str
    format: DataFormat
    purpose: Literal["train", "predict"]
    container: str
    name: str
    created_at: str
    url_expires_at: str


model_docs = Container[ModelDoc](MODELS)
job_docs = Container[JobDoc](JOBS)
version_docs = Container[VersionDoc](VERSIONS)
usage_docs = Container[UsageDoc](OWNERS)
name_claim_docs = Container[NameClaimDoc](OWNERS)
upload_docs = Container[UploadDoc](OWNERS)
