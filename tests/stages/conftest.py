from __future__ import annotations

import pyarrow as pa
import pytest

from hermes_data.build.annotate import annotate
from hermes_data.record import make_record
from hermes_data.tokenizer import load_tokenizer


@pytest.fixture(scope="session")
def tokenizer():
    return load_tokenizer("llama3")


@pytest.fixture
def work_table(tokenizer):
    """The build's working table for some conversations, annotated exactly as a build does it."""

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
