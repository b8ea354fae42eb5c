"""The one settings class: environment variables ``TALENTMATCH_*``, validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path("talentmatch-data")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTMATCH_", extra="ignore")

    home: Path = Field(default=DEFAULT_HOME, description="Folder of the pool: database, index")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the home folder"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    auth_required: bool = Field(
        default=True, description="Refuse calls without a valid API key (Bearer)"
    )
    default_tenant: str = Field(default="default", min_length=1, max_length=64)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_pages: int = Field(default=50, ge=1)
    parse_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Longest one uploaded document may take to read"
    )
    parse_memory_mb: int = Field(
        default=1024, ge=256, description="Most memory a process reading one document may use"
    )
    parse_workers: int = Field(default=2, ge=1, description="Processes reading uploads")
    model_path: Path | None = Field(default=None, description="Default: the packaged model")
    encoder_threads: int | None = Field(default=None, ge=1)
    document_windows: int = Field(
        default=1,  # matcher.encoder.DEFAULT_WINDOWS; not imported, to keep the CLI light
        ge=1,
        le=16,
        description="How many 256-word-piece windows of a résumé are embedded; changing it"
        " means a re-index",
    )
    encoder_precision: Literal["fp32", "int8"] = Field(
        default="int8",  # matcher.encoder.DEFAULT_PRECISION
        description="The encoder in PyTorch as published (fp32), or its per-channel int8"
        " quantisation in ONNX Runtime (faster); changing it means a re-index",
    )
    index_kind: Literal["auto", "faiss-flat-ip", "faiss-ivf-sq8"] = Field(
        default="auto",
        description="Vector index: exact search, an inverted file over 8-bit codes, or by"
        " pool size (auto)",
    )
    index_approximate_from: int = Field(
        default=50_000,  # index.vectors.APPROXIMATE_FROM; not imported, to keep the CLI light
        ge=1,
        description="With index_kind auto, the pool size from which the inverted file is used",
    )
    index_save_seconds: float = Field(
        default=2.0,
        ge=0,
        description="Writes reach the saved vector index within this many seconds (0: at"
        " once); the store is always written first",
    )
    index_follow_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How often the service looks for an index switched in by"
        " `talentmatch reindex` and serves it (0: never; a restart does)",
    )
    cache_dir: Path | None = Field(
        default=None, description="Derived, rebuildable data; default: HOME/cache"
    )
    weights_file: Path | None = Field(
        default=None,
        description="Scoring weights (JSON) from scripts/tune_weights.py; default: the built-in",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="Service logs on stderr: one JSON object a line, or text"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    warm_skill_index: bool = Field(
        default=True, description="Embed the skill labels for linking at start-up, not on first use"
    )

    @field_validator("home")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'talentmatch.db'}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def cache_path(self) -> Path:
        """Derived data that can be rebuilt at any time (the skill-label vectors, the int8
        encoder)."""
        return self.cache_dir or self.home / "cache"
