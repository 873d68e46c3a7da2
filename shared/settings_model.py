"""The Settings class: every setting the app reads, from the environment and from local.settings.json's "Values".

The environment wins over the file, as with Core Tools. Every setting is declared here and listed in
local.settings.example.json. Callers import `get_settings` and `Settings` from `shared.settings`, which loads this
module (and pydantic-settings) only when settings are first read, not when the app is imported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from shared.settings import DEV_SECRET_MARKER, DEV_WEBPUBSUB_KEY, PROJECT_ROOT


class LocalSettingsJson(PydanticBaseSettingsSource):
    """Reads the "Values" block of local.settings.json, the file `func start` reads too."""

    def __init__(self, settings_cls: type[BaseSettings]):
        super().__init__(settings_cls)
        path = Path(os.environ.get("LOCAL_SETTINGS_FILE", PROJECT_ROOT / "local.settings.json"))
        self._values: dict[str, Any] = {}
        if path.is_file():
            self._values = {k.lower(): v for k, v in json.loads(path.read_text()).get("Values", {}).items()}

    def get_field_value(self, field, field_name):  # pragma: no cover - required by the base class
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {}
        for name, field in self.settings_cls.model_fields.items():
            if name in self._values:
                value = self._values[name]
                if value == "" and field.default is None:
                    continue  # an empty optional setting means "not set", as in app settings
                # Values in local.settings.json are strings, as in app settings; lists and dicts are JSON inside them.
                if isinstance(value, str) and self.field_is_complex(field):
                    value = json.loads(value)
                found[name] = value
        return found


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    app_env: Literal["development", "test", "production"] = "development"
    app_stack: Literal["embedded", "azure"] = "embedded"
    app_version: str = "0.1.0"
    data_dir: Path = PROJECT_ROOT / ".data"

    # Secrets. Development values carry DEV_SECRET_MARKER so production refuses them.
    secret_key: str = f"{DEV_SECRET_MARKER}-secret-key-change-me-0123456789abcdef"

    # documents
    cosmos_endpoint: str = ""
    cosmos_key: str = ""  # empty on Azure: managed identity is used
    cosmos_database: str = "topicsflow"
    # The SDK retries throttled (429) calls itself, waiting what each answer asks; past either bound the request
    # gets 503 with Retry-After. Requests wait for these retries, so the budget is kept to seconds.
    cosmos_throttle_retry_attempts: int = Field(default=6, ge=1, le=20)
    cosmos_throttle_max_wait_seconds: float = Field(default=8.0, gt=0, le=60)

    # blobs
    storage_connection_string: str = ""  # Azurite locally
    storage_account_url: str = ""  # on Azure, with managed identity
    blob_max_upload_bytes: int = 10 * 1024 * 1024

    # task queue
    queue_backend: Literal["devhost", "servicebus"] | None = None  # default follows app_stack
    servicebus_connection_string: str = ""
    servicebus_namespace: str = ""  # <name>.servicebus.windows.net, with managed identity
    queue_max_delivery_count: int = 10
    queue_duplicate_window_seconds: int = 600
    # The outbox relay (shared/domain/outbox.py): a failed relay is retried after this, doubling per attempt up to
    # an hour; the timer runs every 30 seconds.
    outbox_retry_seconds: float = Field(default=5.0, ge=0)

    # realtime
    webpubsub_connection_string: str = f"Endpoint=http://localhost:7071;AccessKey={DEV_WEBPUBSUB_KEY};Version=1.0;"
    webpubsub_endpoint: str = ""  # on Azure, with managed identity
    webpubsub_hub: str = "topicsflow"
    # How long a negotiated client URL may be used to connect; the connection itself lives as long as its session.
    realtime_url_minutes: int = Field(default=5, ge=1, le=60)
    # With local auth off, the service calls our event handler with an Entra ID token for the app's identity.
    azure_tenant_id: str = ""
    azure_client_id: str = ""

    # cache, sessions, rate limits
    redis_url: str = ""  # empty: in-process fakeredis
    redis_key_prefix: str = "tf:"
    redis_auth: Literal["url", "entra"] = "url"  # entra: an Entra ID token for the app's identity is the password

    # mail
    mail_backend: Literal["outbox", "sendgrid"] = "outbox"
    sendgrid_api_key: str = ""
    mail_from: str = "no-reply@topicsflow.local"

    # HTTP
    public_base_url: str = "http://localhost:7071"
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000", "http://localhost:5173"])
    max_request_bytes: int = 1024 * 1024
    trusted_proxies: int = 0
    # Check every answer against its route's declared contract (status, body model, error envelope) before it is
    # sent; a violation is logged and answered as a 500 response_contract_violation. None: on when app_env is
    # "test", off otherwise (it costs a validation per request).
    validate_responses: bool | None = None

    # sessions (ASVS v5 7.1.1/7.3.x: both an idle and an absolute limit, documented in the README)
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    cookie_secure: bool | None = None  # default: True unless public_base_url is plain http

    # passkeys (WebAuthn, docs/accounts.md): the relying party is the site users see; its id is that site's
    # registrable domain (or the host itself), and the origins are the pages a ceremony may run on.
    webauthn_rp_id: str = "localhost"
    webauthn_rp_name: str = "TopicsFlow"
    webauthn_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000", "http://localhost:5173"])

    # ---- models (issue 5): quotas per user, size limits, the worker's cache and timings -------------------
    models_max_per_user: int = 50
    models_max_active_jobs_per_user: int = 3
    models_max_artifact_bytes_per_user: int = 500 * 1024 * 1024
    models_inline_max_rows: int = 5000  # training rows sent in the request body (the body limit applies too)
    models_upload_max_bytes: int = 50 * 1024 * 1024  # CSV / JSON-lines uploads for training and batch predict
    models_upload_max_rows: int = 200_000
    models_predict_max_rows: int = 500  # synchronous predict; larger inputs go through predict-jobs
    models_cache_size: int = 16  # loaded estimators kept per worker (LRU)
    models_url_ttl_seconds: int = 300  # signed upload and download URLs
    models_job_heartbeat_seconds: float = 2.0  # how often a running fit checks for a cancel request
    # A running job whose last heartbeat is older than this is failed by a timer (its worker died), which frees
    # its model and quota slot. Loading and saving do not heartbeat, so it must exceed the longest of those.
    models_job_stale_seconds: float = Field(default=600.0, gt=0)

    # ---- VoIP: the ICE servers call participants get (docs/voip.md) ---------------------------------------
    # Empty lists: no STUN or TURN, so only host candidates (peers on one network). TURN credentials are minted
    # per request from voip_turn_secret, the `static-auth-secret` our TURN server shares with the app.
    voip_stun_urls: list[str] = Field(default_factory=list)  # e.g. ["stun:turn.example.org:3478"]
    voip_turn_urls: list[str] = Field(default_factory=list)  # e.g. ["turn:turn.example.org:3478?transport=udp"]
    voip_turn_secret: str = f"{DEV_SECRET_MARKER}-turn-secret-change-me-0123456789abcdef"
    # coturn checks the expiry when an allocation is made, not when it is refreshed: this bounds how long a
    # fetched ICE server list can start (or ICE-restart) a call, not how long a call lasts.
    voip_turn_ttl_seconds: int = Field(default=3600, gt=0)
    # Clients send voip_heartbeat every ~15 s; a participant silent for longer than this is dropped from its call
    # by the voip_end_stale_calls timer, and a call with nobody left ends, so no place is blocked by a dead call.
    voip_participant_timeout_seconds: float = Field(default=60.0, gt=0)
    voip_max_participants: int = Field(default=8, ge=2)  # a mesh: every pair is one peer connection

    # Chat (shared/domain/chat): how long an author may edit a message, and the only hosts a gif_url may name.
    chat_edit_window_seconds: int = Field(default=900, ge=0)
    chat_attachment_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)  # capped by blob_max_upload_bytes
    chat_gif_hosts: list[str] = Field(default_factory=lambda: ["media.tenor.com", "media1.tenor.com",
                                                               "c.tenor.com", "media.giphy.com", "i.giphy.com"])
    # ---- moderation (docs/moderation.md) -----------------------------------------------------------------
    # The public modlog of a topic names the moderator who acted only when this is on (Lemmy's choice).
    modlog_show_moderator_names: bool = False
    # The content filter refuses (never rewrites) posts, comments and messages containing a blocked word (whole
    # words, any case) or matching a blocked pattern (regular expressions), and those the critical-content check
    # finds (threats, hate): 422 `content_blocked`.
    content_blocked_words: list[str] = Field(default_factory=list)
    content_blocked_patterns: list[str] = Field(default_factory=list)
    content_critical_check: bool = True

    # Presence and typing (shared/domain/dm/presence.py, typing.py): a user goes offline this long after their
    # last connection closed; a typing indicator expires after typing_expires_seconds without a new start, and a
    # connection may send at most typing_events_per_10s typing events.
    presence_grace_seconds: float = Field(default=5.0, gt=0, le=10)
    typing_expires_seconds: int = Field(default=8, ge=1, le=30)
    typing_events_per_10s: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_development(self) -> Settings:
        if self.app_env == "production":
            for name in ("secret_key", "webpubsub_connection_string"):
                if DEV_SECRET_MARKER in getattr(self, name):
                    raise ValueError(f"{name} still holds a development value; set a real secret for production")
            # Anyone could mint credentials for our TURN server with a published secret: an open relay.
            if self.voip_turn_urls and DEV_SECRET_MARKER in self.voip_turn_secret:
                raise ValueError("voip_turn_secret still holds a development value; set a real secret for production")
        self._check_webauthn_relying_party()
        if self.models_job_stale_seconds <= 2 * self.models_job_heartbeat_seconds:
            raise ValueError("models_job_stale_seconds must exceed two heartbeats (models_job_heartbeat_seconds)")
        if self.voip_turn_urls and not self.voip_turn_secret:
            raise ValueError("voip_turn_urls are set but voip_turn_secret is empty: TURN credentials need the secret")
        return self

    def _check_webauthn_relying_party(self) -> None:
        """Browsers refuse a ceremony whose origin is not within the relying-party id, and outside development an
        origin must be https (or localhost): better to refuse to start than to fail at every sign-in."""
        from urllib.parse import urlsplit

        rp_id = self.webauthn_rp_id.strip().lower()
        if not rp_id or "/" in rp_id or ":" in rp_id:
            raise ValueError("webauthn_rp_id must be a bare host name, such as example.org")
        for origin in self.webauthn_origins:
            parts = urlsplit(origin)
            host = (parts.hostname or "").lower()
            if parts.scheme not in ("https", "http") or not host or parts.path not in ("", "/"):
                raise ValueError(f"webauthn_origins: {origin!r} is not an origin such as https://example.org")
            if host != rp_id and not host.endswith("." + rp_id):
                raise ValueError(f"webauthn_origins: {origin!r} is not within webauthn_rp_id {rp_id!r}")
            if self.app_env == "production" and parts.scheme != "https" and host != "localhost":
                raise ValueError(f"webauthn_origins: {origin!r} must use https in production")

    @property
    def queue(self) -> str:
        return self.queue_backend or ("servicebus" if self.app_stack == "azure" else "devhost")

    @property
    def validate_responses_on(self) -> bool:
        return self.validate_responses if self.validate_responses is not None else self.app_env == "test"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.public_base_url.startswith("https://")

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return init_settings, env_settings, LocalSettingsJson(settings_cls), file_secret_settings
