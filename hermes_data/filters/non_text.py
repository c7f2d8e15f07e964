"""Rows with images or audio (the validator's `non_text_content`) go whatever the other filters say: their text
alone is not the conversation, and training on it teaches answers about pictures the model never saw. A source with
`non_text: keep` never gets the code (the reader keeps the text parts and says so in `meta.non_text_kept`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hermes_data.stages import Verdict, verdict_from_mask


def non_text_filter(table: pa.Table) -> Verdict:
    codes = table.column("_errors").to_pylist()
    return verdict_from_mask(np.array(["non_text_content" in c for c in codes], dtype=bool), "non_text_content")
