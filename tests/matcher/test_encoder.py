from __future__ import annotations

import numpy as np
import pytest

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


def _long_resume(tail: str) -> str:
    """A résumé of about 700 word pieces: cooking first, ``tail`` after the first window."""
    head = " ".join(
        f"Line cook at Bistro {i}: prepared sauces, pastry and grilled fish for 120 covers."
        for i in range(18)
    )
    return f"{head}\n{tail}"


def test_a_long_document_is_split_into_capped_windows_in_order(encoder: Encoder) -> None:
    text = _long_resume("Kubernetes, Terraform and Go for cloud platforms. " * 60)
    pieces = encoder.split(text)
    assert len(pieces) == encoder.windows == 4
    limit = encoder.window_tokens
    assert limit == 254  # all-MiniLM-L6-v2 reads 256 word pieces, with [CLS] and [SEP]
    assert all(0 < n <= limit for _, n in pieces)
    assert [n for _, n in pieces[:-1]] == [limit] * 3
    # Consecutive slices of the text, in order, starting at its start.
    assert text.startswith(pieces[0][0])
    at = 0
    for piece, _ in pieces:
        at = text.index(piece, at) + len(piece)
    # A text under one window is one piece, unchanged.
    assert encoder.split("Python developer") == [("Python developer", 2)]


def test_document_vectors_read_past_the_first_window(encoder: Encoder) -> None:
    text = _long_resume(
        "Then eight years as a platform engineer: Kubernetes clusters, Terraform, "
        "Go services, Prometheus monitoring and CI/CD pipelines on AWS. " * 4
    )
    first = encoder.split(text)[0][0]
    whole, head = encoder.encode_documents([text])[0], encoder.encode_one(first)
    job = encoder.encode_one("Platform engineer: Kubernetes, Terraform, Go, AWS, CI/CD")
    assert job @ whole > job @ head + 0.05
    np.testing.assert_allclose(np.linalg.norm(whole), 1.0, atol=1e-5)
    # A short document gets exactly its one-window vector.
    np.testing.assert_allclose(
        encoder.encode_documents(["Python developer"])[0],
        encoder.encode_one("Python developer"),
        atol=1e-6,
    )


def test_one_window_is_the_plain_model_under_its_own_name(encoder: Encoder) -> None:
    plain = Encoder.__new__(Encoder)
    plain.__dict__.update(encoder.__dict__)
    plain.windows = 1
    text = _long_resume("Kubernetes and Terraform. " * 40)
    assert plain.key == DEFAULT_MODEL_NAME and encoder.key != plain.key
    np.testing.assert_allclose(
        plain.encode_documents([text])[0], encoder.encode_one(text), atol=1e-5
    )
    with pytest.raises(ValueError, match="windows"):
        Encoder(windows=0)


def test_the_settings_default_is_the_encoders() -> None:
    from matcher.encoder import DEFAULT_WINDOWS
    from service import Settings

    assert Settings().document_windows == DEFAULT_WINDOWS
