from __future__ import annotations

import numpy as np

from matcher import DEFAULT_MODEL_NAME, Encoder


def test_packaged_model_gives_unit_vectors(encoder: Encoder) -> None:
    assert encoder.name == DEFAULT_MODEL_NAME
    assert encoder.dim == 384
    vectors = encoder.encode(["Python developer", "Java engineer", "pastry chef"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_related_texts_are_closer(encoder: Encoder) -> None:
    job, dev, chef = encoder.encode(
        [
            "Backend software engineer: Python, REST APIs, PostgreSQL",
            "Software developer building web services in Python and SQL databases",
            "Pastry chef with ten years in French bakeries",
        ]
    )
    assert job @ dev > job @ chef + 0.2


def test_batches_equal_single_calls(encoder: Encoder) -> None:
    texts = [f"candidate number {i} knows Python" for i in range(40)]
    small = Encoder.__new__(Encoder)
    small.__dict__.update(encoder.__dict__)
    small.batch_size = 7
    together = small.encode(texts)
    one = encoder.encode_one(texts[33])
    np.testing.assert_allclose(together[33], one, atol=1e-5)


def test_progress_counts_every_text(encoder: Encoder) -> None:
    seen: list[int] = []
    encoder.encode(["a"] * 70, progress=seen.append)
    assert sum(seen) == 70
