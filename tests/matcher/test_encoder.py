from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

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


def windowed(encoder: Encoder, windows: int = 4) -> Encoder:
    """The session's encoder (its loaded model shared) reading ``windows`` windows."""
    view = Encoder.__new__(Encoder)
    view.__dict__.update(encoder.__dict__)
    view.windows = windows
    return view


def test_a_long_document_is_split_into_capped_windows_in_order(encoder: Encoder) -> None:
    encoder = windowed(encoder)
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
    encoder = windowed(encoder)
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
    assert encoder.windows == 1 and encoder.precision == "int8"
    assert encoder.key == f"{DEFAULT_MODEL_NAME}+int8" and windowed(encoder).key != encoder.key
    text = _long_resume("Kubernetes and Terraform. " * 40)
    np.testing.assert_allclose(
        encoder.encode_documents([text])[0], encoder.encode_one(text), atol=1e-5
    )
    with pytest.raises(ValueError, match="windows"):
        Encoder(windows=0)


def test_the_settings_default_is_the_encoders() -> None:
    from matcher.encoder import DEFAULT_PRECISION, DEFAULT_WINDOWS
    from service import Settings

    assert Settings().document_windows == DEFAULT_WINDOWS
    assert Settings().encoder_precision == DEFAULT_PRECISION


@pytest.fixture(scope="module")
def made_int8(tmp_path_factory: pytest.TempPathFactory) -> tuple[Encoder, list[str], list[str]]:
    """The int8 encoder made afresh in an empty cache folder, with sys.path before and
    after."""
    before = list(sys.path)
    made = Encoder(precision="int8", cache_dir=tmp_path_factory.mktemp("models"), windows=4)
    return made, before, list(sys.path)


@pytest.fixture(scope="module")
def int8(made_int8: tuple[Encoder, list[str], list[str]]) -> Encoder:
    return made_int8[0]


def test_making_the_int8_model_leaves_sys_path_alone(
    made_int8: tuple[Encoder, list[str], list[str]],
) -> None:
    # ONNX Runtime's quantisation adds its own folder, whose ``models`` package shadowed
    # ours in worker processes spawned afterwards.
    _, before, after = made_int8
    assert after == before


@pytest.fixture(scope="module")
def fp32() -> Encoder:
    return Encoder(precision="fp32", windows=4)


TEXTS = [
    "Backend software engineer: Python, REST APIs, PostgreSQL",
    "Pastry chef with ten years in French bakeries",
    "Registered nurse, intensive care, ventilation and patient records",
    "ok",
    "Financial accountant: IFRS reporting, month-end close, audits for a retail bank",
]


def test_int8_vectors_stay_close_to_the_float_ones_in_input_order(
    fp32: Encoder, int8: Encoder
) -> None:
    quantised, plain = int8.encode(TEXTS), fp32.encode(TEXTS)
    assert quantised.shape == (len(TEXTS), 384) and quantised.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(quantised, axis=1), 1.0, atol=1e-5)
    # Each row is its own text's vector, and the same as when that text is alone.
    np.testing.assert_array_equal(quantised[2], int8.encode_one(TEXTS[2]))
    agreement = quantised @ plain.T
    assert (agreement.argmax(axis=1) == np.arange(len(TEXTS))).all()
    assert np.diag(agreement).min() > 0.97


def test_int8_windows_and_batches_work_as_in_float(fp32: Encoder, int8: Encoder) -> None:
    text = _long_resume("Kubernetes, Terraform and Go for cloud platforms. " * 60)
    assert len(int8.split(text)) == 4 and int8.split(text) == fp32.split(text)
    one = int8.encode_documents([text])[0]
    both = int8.encode_documents([TEXTS[0], text])
    np.testing.assert_allclose(both[1], one, atol=1e-5)
    assert float(one @ fp32.encode_documents([text])[0]) > 0.97


def test_int8_has_its_own_vector_key_and_reuses_its_cached_model(
    fp32: Encoder, int8: Encoder
) -> None:
    assert int8.key == f"{DEFAULT_MODEL_NAME}+int8+4w"
    assert fp32.key == f"{DEFAULT_MODEL_NAME}+4w" and fp32.onnx_path is None
    assert int8.model_id != fp32.model_id
    made = int8.onnx_path
    assert made is not None and made.is_file()
    assert list(made.parent.iterdir()) == [made]  # no half-made file left behind
    again = Encoder(precision="int8", cache_dir=made.parent, windows=1)
    assert again.onnx_path == made and made.stat().st_mtime_ns == again.onnx_path.stat().st_mtime_ns
    np.testing.assert_allclose(again.encode(TEXTS), int8.encode(TEXTS), atol=1e-6)
    with pytest.raises(ValueError, match="precision"):
        Encoder(precision="fp16")


def test_threads_sharing_the_encoder_get_their_own_vectors(encoder: Encoder) -> None:
    """A match embeds its job while a write splits a résumé: the shared tokenizer must not
    let one call's settings (no truncation, for splitting) leak into the other's."""
    from concurrent.futures import ThreadPoolExecutor

    long_text = _long_resume("Kubernetes, Terraform and Go for cloud platforms. " * 80)
    jobs = [f"{TEXTS[i % len(TEXTS)]} {long_text}" for i in range(12)]
    alone = encoder.encode(jobs)

    def split_many(_: int) -> int:
        return sum(len(windowed(encoder).split(long_text)) for _ in range(20))

    with ThreadPoolExecutor(4) as pool:
        splitting = [pool.submit(split_many, i) for i in range(2)]
        encoded = [pool.submit(encoder.encode_one, job) for job in jobs]
        vectors = np.vstack([f.result() for f in encoded])
        assert all(f.result() == 80 for f in splitting)
    np.testing.assert_allclose(vectors, alone, atol=1e-6)


def test_int8_reads_the_word_pieces_transformers_reads(int8: Encoder) -> None:
    """The int8 path tokenizes with the ``tokenizers`` library alone (no transformers, no
    torch): the same ids, masks and offsets as transformers' tokenizer of the model, so its
    vectors are the ones stored before."""
    from transformers import AutoTokenizer

    from matcher.encoder import packaged_model_path

    reference = AutoTokenizer.from_pretrained(str(packaged_model_path()), local_files_only=True)
    texts = [*TEXTS, "Zürich, São Paulo — naïve café; C++/C# & .NET!", _long_resume("Go " * 400)]
    assert int8._onnx is not None
    for text in texts:
        ours = int8._onnx.tokenizer.encode(text)
        theirs = reference(text, truncation=True, max_length=256)
        assert ours.ids == theirs["input_ids"]
        assert ours.attention_mask == theirs["attention_mask"]
        assert ours.type_ids == theirs["token_type_ids"]
        pieces = reference(text, add_special_tokens=False, return_offsets_mapping=True)
        assert int8._pieces.encode(text, add_special_tokens=False).offsets == [
            tuple(o) for o in pieces["offset_mapping"]
        ]


def test_parsing_and_the_int8_encoder_never_import_torch(int8: Encoder) -> None:
    """spaCy's thinc would import torch (about 200 MB) and so would transformers: a service
    on the int8 encoder (its model already made, as after a first start) holds neither, and
    torch still imports for whoever needs it."""
    assert int8.onnx_path is not None
    models = str(int8.onnx_path.parent)
    script = (
        "import sys\n"
        "from parsing import Parser\n"
        "from matcher import Encoder\n"
        "Parser().parse_job('Python developer')\n"
        "from pathlib import Path\n"
        f"Encoder(precision='int8', cache_dir=Path({models!r})).encode_one('a job')\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert not any(m.startswith('transformers') for m in sys.modules)\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
        cwd=Path(__file__).resolve().parents[2],
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "2.0"


def test_encoding_on_every_core_gives_the_vectors_of_encode(fp32: Encoder, int8: Encoder) -> None:
    texts = [f"{text} ({k})" for k in range(7) for text in TEXTS]
    for encoder in (int8, fp32):
        made = encoder.encode_on_cores(texts, chunk=4)
        assert made is not None and made.shape == (len(texts), 384)
        # In input order, whichever session or thread embedded each chunk.
        np.testing.assert_allclose(made, encoder.encode(texts), atol=1e-5)
        assert encoder.encode_on_cores([]) is not None
        stop = threading.Event()
        stop.set()
        assert encoder.encode_on_cores(texts, chunk=4, stop=stop) is None
