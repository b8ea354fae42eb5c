"""Reading a pool's in-place files back into the page cache (``index.memory.prefetch``)."""

from __future__ import annotations

from pathlib import Path

from index.memory import PREFETCH_CHUNK, prefetch


def test_prefetch_reads_every_file_of_a_folder_whole_and_passes_over_a_missing_one(
    tmp_path: Path,
) -> None:
    lexical = tmp_path / "lexical" / "acme"
    lexical.mkdir(parents=True)
    # A segment longer than one chunk, read to its end; a file in the folder itself; the
    # index file named alone; a file that is not there (a segment merged away).
    (lexical / "segment.idx").write_bytes(b"s" * (2 * PREFETCH_CHUNK + 7))
    (tmp_path / "lexical" / "meta.json").write_bytes(b"{}")
    (tmp_path / "vectors.index").write_bytes(b"v" * 123)
    read = prefetch([tmp_path / "vectors.index", tmp_path / "lexical", tmp_path / "gone.index"])
    assert read == 2 * PREFETCH_CHUNK + 7 + 2 + 123
