"""Everything heavy, loaded once per process: taxonomy + spaCy, encoder, store, index."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path

from index import Store, TalentPool
from index.memory import release_free_memory
from index.pool import MANIFEST_FILE
from matcher import WEIGHTS, Encoder, Matcher, SkillLinker
from matcher.tuning import load_weights
from models import IndexManifest
from parsing import Parser
from parsing.sandbox import DocumentSandbox
from service.settings import Settings

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Runtime:
    settings: Settings
    matcher: Matcher
    linker: SkillLinker
    sandbox: DocumentSandbox
    unfollowed: Path | None = None  # a re-built index this service cannot serve (logged once)

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
        parser = parser or Parser(cache_dir=settings.cache_path / "parser")
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
        release_free_memory()
        return runtime

    @property
    def store(self) -> Store:
        return self.matcher.pool.store

    def follow_index(self) -> bool:
        """Serve the index a re-index has switched the home's index link to, if it was
        built for this encoder; return whether it switched.

        The new index is opened beside the live one (which keeps answering), brought up to
        the writes made meanwhile, then swapped in; later writes through the old pool reach
        the new one too. An index built for another model (or precision, or window count)
        is left for a restart with the settings it was built for."""
        pool = self.matcher.pool
        live = self.settings.index_dir.resolve()
        if live == pool.index_dir or not (live / MANIFEST_FILE).exists():
            return False
        manifest = IndexManifest.model_validate_json((live / MANIFEST_FILE).read_text())
        if manifest.model != pool.model:
            if self.unfollowed != live:
                log.warning(
                    "the index was re-built in %s for %s; this service serves %s from %s "
                    "until it is restarted with the settings of the new index",
                    live,
                    manifest.model,
                    pool.model,
                    pool.index_dir,
                )
                self.unfollowed = live
            return False
        pool.record_writes()
        successor = TalentPool(
            pool.store,
            live,
            model=pool.model,
            dim=pool.dim,
            kind=self.settings.index_kind,
            approximate_from=self.settings.index_approximate_from,
            save_delay=self.settings.index_save_seconds,
        )
        pool.hand_over(successor)
        self.matcher.pool = successor
        pool.close()
        log.info("now serving the re-built index in %s (%d vectors)", live, successor.count())
        return True

    def close(self) -> None:
        self.sandbox.close()
        self.matcher.pool.close()
        self.store.close()
