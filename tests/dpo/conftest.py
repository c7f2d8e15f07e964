"""A small preference-pair folder for the DPO tests, written with the build machinery (Parquet shard, manifest with
content_sha256 last), so `hermes_data.load_mix` loads and verifies it like a `hermes-data pairs` output.

The preference is learnable and generalizes: for every prompt ("Name a colour." …) the chosen reply is the answer in
lower case and the rejected reply the same answer in UPPER CASE. Held-out pairs use prompts and answers the training
pairs never show together, so a reward accuracy above chance on them means the policy learned the casing rule.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hermes_data.dataset.folder import atomic_folder, write_shards, write_text
from hermes_data.dataset.manifest import DATA_DIR, MANIFEST_NAME, ContentHasher, build_manifest
from hermes_data.pairs.record import PAIR_FIELDS, PAIR_SCHEMA, REJECTED_PAIR_SCHEMA, make_pair, pairs_to_table

WORDS = [
    "apple",
    "river",
    "stone",
    "cloud",
    "green",
    "music",
    "bread",
    "light",
    "table",
    "house",
    "paper",
    "water",
    "garden",
    "window",
    "silver",
    "forest",
    "yellow",
    "orange",
    "winter",
    "summer",
    "mountain",
]
QUESTIONS = ["Say a word.", "Give me one word.", "Pick a noun.", "Tell me a word please.", "One word, quickly."]


def make_pairs(num: int, *, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    pairs = []
    for i in range(num):
        words = " ".join(rng.sample(WORDS, 3))
        prompt = [{"role": "user", "content": f"{rng.choice(QUESTIONS)} ({i})"}]
        pairs.append(make_pair(prompt, [{"role": "assistant", "content": words}],
                               [{"role": "assistant", "content": words.upper()}], source="test", category="general",
                               meta={"i": i}))  # fmt: skip
    return pairs


def write_pair_folder(folder: Path, pairs: list[dict]) -> Path:
    return write_folder(folder, pairs_to_table(pairs), PAIR_SCHEMA, REJECTED_PAIR_SCHEMA, row_fields=PAIR_FIELDS)


def write_folder(folder: Path, table, schema, rejected_schema, *, row_fields=None) -> Path:
    """A loadable folder of `table`'s rows: one shard, an empty rejected file, the manifest (with content_sha256 over
    `row_fields`, the record's by default; a pair folder names its own) written last."""
    hasher = ContentHasher(row_fields) if row_fields else ContentHasher()
    extra = {"row_fields": list(row_fields)} if row_fields else None
    with atomic_folder(folder) as tmp:
        shards = write_shards(tmp, table, 10_000, schema, DATA_DIR, "train-{i:05d}-of-{n:05d}", hasher)
        rejected = write_shards(
            tmp, rejected_schema.empty_table(), 10_000, rejected_schema, "rejected", "rejected-{i:05d}"
        )
        manifest = build_manifest(
            name=folder.name, recipe={}, recipe_sha256="0" * 64, content_hash=hasher.hexdigest(), shards=shards,
            rejected=rejected, sources=[], categories={}, funnel=[], totals={"rows": table.num_rows},
            license="other", extra=extra,
        )  # fmt: skip
        write_text(tmp / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
    return folder


@pytest.fixture
def pair_folder():
    """`pair_folder(folder, num_pairs)` writes the test pair set there and returns the folder."""
    return lambda folder, num: write_pair_folder(folder, make_pairs(num))


@pytest.fixture
def record_folder():
    """`record_folder(folder)` writes a one-row conversation mix (not pairs) there and returns the folder."""
    from hermes_data.build.output import REJECTED_SCHEMA
    from hermes_data.record import RECORD_SCHEMA, make_record, records_to_table

    record = make_record([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    return lambda folder: write_folder(folder, records_to_table([record]), RECORD_SCHEMA, REJECTED_SCHEMA)
