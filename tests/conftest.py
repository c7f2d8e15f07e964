"""Session-wide test isolation: no test reads or writes the user's Hugging Face or hermes-toolkit caches."""

from __future__ import annotations

import os
import tempfile

import pytest

# Set before any test imports datasets/huggingface_hub, which read these at import time. Tests that need a fresh
# cache of their own (the build's curated-rows cache, the fake Hub's) still pass their own values to subprocesses.
_ROOT = tempfile.mkdtemp(prefix="hermes-tests-")
os.environ["HF_HOME"] = os.path.join(_ROOT, "hf")
os.environ["HERMES_CACHE"] = os.path.join(_ROOT, "hermes")


def pytest_collection_modifyitems(config, items):
    """`gpu`-marked tests run only where torch sees a CUDA device; elsewhere each is skipped with the reason, so a
    CPU run never counts them as passed."""
    gpu = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu:
        return
    reason = _no_cuda_reason()
    if reason:
        for item in gpu:
            item.add_marker(pytest.mark.skip(reason=reason))


def _no_cuda_reason() -> str | None:
    try:
        import torch
    except ImportError:
        return "gpu test: torch is not installed (the `train` extra)"
    if not torch.cuda.is_available():
        return f"gpu test: no CUDA device (torch {torch.__version__}, torch.cuda.is_available() is False)"
    return None


# --- fixtures shared by the filter and stage tests (tests/filters, tests/stages) -------------------------------------
# Imports stay inside the fixtures: this module must set the cache variables above before anything loads `datasets`.


@pytest.fixture(scope="session")
def tokenizer():
    from hermes_data.tokenizer import load_tokenizer

    return load_tokenizer("llama3")


@pytest.fixture
def work_table(tokenizer):
    """The build's working table for some conversations, annotated exactly as a build does it."""
    import pyarrow as pa

    from hermes_data.build.annotate import annotate
    from hermes_data.record import make_record

    def make(conversations, *, models=None, model_priority=(), repairs=()):
        records = [
            make_record(msgs, model=(models[i] if models else None), category="general")
            for i, msgs in enumerate(conversations)
        ]
        batches = annotate(
            records, tokenizer, source_index=0, start_row=0, repairs=tuple(repairs), model_priority=list(model_priority)
        )
        return pa.concat_tables(list(batches))

    return make


@pytest.fixture
def data_cli(monkeypatch, capsys):
    """`hermes-data …` in this process through the real `main` (exit codes, one-line errors); fast, for the many
    small cases. Returns (exit code, stdout, stderr)."""
    import sys

    from hermes_data.cli import main

    def run(*args: object) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["hermes-data", *map(str, args)])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run
