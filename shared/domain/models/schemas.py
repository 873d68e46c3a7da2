"""What the models API accepts and returns (pydantic), separate from the stored documents."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.domain.schema_hints import exactly_one_of

# `params` (hyper-parameters as the client sent them), a version's `metrics`, `split` and `data`, and a model type's
# JSON Schema stay dict[str, Any]: free-form JSON whose shape belongs to the model type, not to this API.
ModelName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80,
                                             pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.\-]*$")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=32,
                                       pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Description = Annotated[str, StringConstraints(max_length=2000)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
Scalar = bool | int | float | str | None
Row = dict[str, Scalar]
JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
JobKind = Literal["train", "update", "predict"]
ModelStatus = Literal["new", "training", "ready", "failed"]
Role = Literal["viewer", "trainer"]
ModelRole = Literal["owner", "admin", "trainer", "viewer"]  # what the caller is to a model


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------------------- paths


def _type_keys(schema: dict[str, Any]) -> None:
    """The catalogue's keys (checked by the service: unknown_model_type), read when the schema is built."""
    from shared.domain.models.types import list_types

    schema["enum"] = sorted(t.key for t in list_types())


class ModelPath(BaseModel):
    model_id: Id


class TypePath(BaseModel):
    type_key: Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-z0-9_]+$")] = Field(
        json_schema_extra=_type_keys)


class VersionPath(BaseModel):
    model_id: Id
    number: Annotated[int, Field(ge=1, le=10**9)]


class JobPath(BaseModel):
    job_id: Id


class GrantPath(BaseModel):
    model_id: Id
    user_id: Id


# ----------------------------------------------------------------------------------------------- queries


class ModelsPageQuery(BaseModel):
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ModelListQuery(ModelsPageQuery):
    type: Annotated[str, StringConstraints(max_length=64)] | None = None
    tag: Tag | None = None
    status: ModelStatus | None = None
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None
    scope: Literal["mine", "shared", "all"] = "mine"  # all: administrators only


class JobListQuery(ModelsPageQuery):
    state: JobState | None = None


# ------------------------------------------------------------------------------------------------ models


class ModelCreate(_Body):
    name: ModelName
    type: Annotated[str, StringConstraints(max_length=64)] = Field(json_schema_extra=_type_keys)
    params: dict[str, Any] = Field(default_factory=dict)
    description: Description = ""
    tags: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)


class ModelUpdate(_Body):
    """Only the fields sent change; send If-Match with the ETag you read to refuse a lost update."""

    name: ModelName | None = None
    params: dict[str, Any] | None = None
    description: Description | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] | None = None


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: Any = None
    job_id: str | None = None
    at: str | None = None


class ModelPublic(BaseModel):
    id: str
    name: str
    type: str
    task: str
    params: dict[str, Any]
    description: str
    tags: list[str]
    owner_id: str
    status: ModelStatus
    current_version: int | None
    latest_version: int | None
    active_job_id: str | None
    last_error: ErrorInfo | None
    your_role: ModelRole
    created_at: str
    updated_at: str


class ModelPage(BaseModel):
    items: list[ModelPublic]
    next_cursor: str | None


class GrantBody(_Body):
    role: Role


class GrantPublic(BaseModel):
    user_id: str
    role: Role
    granted_at: str


class GrantList(BaseModel):
    items: list[GrantPublic]


# ------------------------------------------------------------------------------------------------ uploads


class UploadCreate(_Body):
    format: Literal["csv", "jsonl"]
    purpose: Literal["train", "predict"] = "train"


class UploadTargetPublic(BaseModel):
    url: str
    method: str
    headers: dict[str, str]
    expires_at: str
    max_bytes: int


class UploadPublic(BaseModel):
    upload_id: str
    model_id: str
    format: str
    purpose: str
    upload: UploadTargetPublic


# --------------------------------------------------------------------------------------------------- jobs


class _DataSource(_Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra=exactly_one_of("data", "upload_id"))

    data: list[Row] | None = None
    upload_id: Id | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if (self.data is None) == (self.upload_id is None):
            raise ValueError("send either data (rows) or upload_id, not both")
        return self


class TrainRequest(_DataSource):
    target: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    features: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=128)]],
                        Field(min_length=1, max_length=500)] | None = None
    test_size: Annotated[float, Field(ge=0, le=0.5)] = 0.2
    split_seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    promote: bool = True  # make the new version current when the job succeeds


class PredictJobRequest(_DataSource):
    version: Annotated[int, Field(ge=1)] | None = None
    probabilities: bool = False


class JobLinks(BaseModel):
    self: str
    model: str
    result: str | None = None


class JobPublic(BaseModel):
    id: str
    model_id: str
    kind: JobKind
    state: JobState
    stage: str
    progress: float
    attempts: int
    cancel_requested: bool
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    heartbeat_at: str | None
    error: ErrorInfo | None
    result_version: int | None
    rows: int | None
    retry_of: str | None
    dead_lettered: bool
    links: JobLinks


class JobAccepted(BaseModel):
    job: JobPublic


class JobPage(BaseModel):
    items: list[JobPublic]
    next_cursor: str | None


class SignedUrl(BaseModel):
    url: str
    expires_at: str


# ----------------------------------------------------------------------------------------------- versions


class ArtifactInfo(BaseModel):
    format: str
    sha256: str
    size: int
    library_versions: dict[str, str]


class VersionPublic(BaseModel):
    number: int
    model_id: str
    job_id: str
    kind: str
    parent_version: int | None
    params: dict[str, Any]
    features: list[str]
    target: str | None
    classes: list[Any] | None
    metrics: dict[str, Any]
    split: dict[str, Any]
    data: dict[str, Any]
    artifact: ArtifactInfo
    created_by: str
    created_at: str
    fit_seconds: float
    is_current: bool


class VersionPage(BaseModel):
    items: list[VersionPublic]
    next_cursor: str | None


class ArtifactDownload(BaseModel):
    url: str
    expires_at: str
    artifact: ArtifactInfo
    manifest_url: str


# ------------------------------------------------------------------------------------------------ predict


class PredictRequest(_Body):
    data: Annotated[list[Row], Field(min_length=1)]
    version: Annotated[int, Field(ge=1)] | None = None
    probabilities: bool = False


class PredictResult(BaseModel):
    model_id: str
    version: int
    predictions: list[Any]
    classes: list[Any] | None = None
    probabilities: list[list[float]] | None = None


# ---------------------------------------------------------------------------------------------------------
# the type catalogue and quotas


class ModelTypePublic(BaseModel):
    # `parameters` is a JSON Schema and `capabilities` the type's own description: free-form documents.
    key: str
    title: str
    description: str
    task: str
    estimator: str
    requires_target: bool
    parameters: dict[str, Any]
    input: str
    output: str
    capabilities: dict[str, Any]


class ModelTypeList(BaseModel):
    items: list[ModelTypePublic]


class QuotaUse(BaseModel):
    used: int
    limit: int


class ModelUsage(BaseModel):
    models: QuotaUse
    active_jobs: QuotaUse
    artifact_bytes: QuotaUse
