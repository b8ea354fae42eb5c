"""Everything heavy, loaded once per process: taxonomy + spaCy, encoder, store, index."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from index import Store, TalentPool
from matcher import WEIGHTS, Encoder, Matcher, SkillLinker
from matcher.tuning import load_weights
from parsing import Parser
from parsing.sandbox import DocumentSandbox
from service.settings import Settings


@dataclass(slots=True)
class Runtime:
    settings: Settings
    matcher: Matcher
    linker: SkillLinker
    sandbox: DocumentSandbox

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        parser: Parser | None = None,
        encoder: Encoder | None = None,
        index_dir: Path | None = None,
    ) -> Runtime:
        """Open the pool under ``settings.home`` (its vector index in ``index_dir``, by
        default the home's). Raises IndexMismatch for an index built with another model."""
        settings.home.mkdir(parents=True, exist_ok=True)
        if settings.weights_file is not None:
            load_weights(settings.weights_file)  # refuse a bad file before loading the rest
        encoder = encoder or Encoder(
            settings.model_path,
            threads=settings.encoder_threads,
            windows=settings.document_windows,
            precision=settings.encoder_precision,
            cache_dir=settings.cache_path / "models",
        )
        parser = parser or Parser()
        store = Store(settings.store_url)
        try:
            pool = TalentPool(
                store,
                index_dir or settings.index_dir,
                model=encoder.key,
                dim=encoder.dim,
                kind=settings.index_kind,
                approximate_from=settings.index_approximate_from,
                save_delay=settings.index_save_seconds,
            )
        except Exception:
            store.close()
            raise
        linker = SkillLinker(parser.taxonomy, encoder, parser.link_skill, settings.cache_path)
        weights = load_weights(settings.weights_file) if settings.weights_file else WEIGHTS
        sandbox = DocumentSandbox(
            settings.parse_workers,
            timeout=settings.parse_timeout_seconds,
            memory_mb=settings.parse_memory_mb,
        )
        matcher = Matcher(parser, encoder, pool, weights=weights)
        runtime = cls(settings, matcher, linker, sandbox)
        # What is loaded now lives as long as the process: leave it out of the garbage
        # collector's full passes, which otherwise stall a match now and then by ~0.5 s.
        gc.freeze()
        return runtime

    @property
    def store(self) -> Store:
        return self.matcher.pool.store

    def close(self) -> None:
        self.sandbox.close()
        self.matcher.pool.close()
        self.store.close()
