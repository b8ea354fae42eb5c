"""Encoder, retrieval, re-scoring, explanations; ingest and re-index pipelines."""

from matcher.encoder import DEFAULT_MODEL_NAME, Encoder, packaged_model_path
from matcher.engine import Matcher, profile_text
from matcher.ingest import IngestResult, RecordIn, ingest
from matcher.linking import Link, SkillLinker
from matcher.reindex import ReindexReport, reindex
from matcher.scoring import WEIGHTS, score_candidate

__all__ = [
    "DEFAULT_MODEL_NAME",
    "WEIGHTS",
    "Encoder",
    "IngestResult",
    "Link",
    "Matcher",
    "RecordIn",
    "ReindexReport",
    "SkillLinker",
    "ingest",
    "packaged_model_path",
    "profile_text",
    "reindex",
    "score_candidate",
]
