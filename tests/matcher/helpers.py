from __future__ import annotations

from collections.abc import Callable, Sequence

from matcher import Encoder
from matcher.encoder import Vectors


class CountingEncoder(Encoder):
    """The real encoder, counting the texts (windows and queries) and the documents
    (résumés) it embeds."""

    def __init__(self, real: Encoder) -> None:  # noqa: D107 - shares the loaded model
        self.__dict__.update(real.__dict__)
        self.texts = 0
        self.documents = 0

    def encode_documents(self, texts: Sequence[str]) -> Vectors:
        self.documents += len(texts)
        return super().encode_documents(texts)

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Vectors:
        self.texts += len(texts)
        return super().encode(texts, progress)
