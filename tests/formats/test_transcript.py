"""hh-rlhf transcripts (`\\n\\nHuman: …\\n\\nAssistant: …`), gzipped as the dataset ships them."""

import gzip
import json

from hermes_data.formats import read_records
from hermes_data.formats.transcript import parse_transcript
from hermes_data.pairs import read_pairs
from hermes_data.record import meta_of

ROWS = [
    {
        "chosen": "\n\nHuman: What is 2+2?\n\nAssistant: 4.\n\nHuman: And 3+3?\n\nAssistant: 6.",
        "rejected": "\n\nHuman: What is 2+2?\n\nAssistant: 4.\n\nHuman: And 3+3?\n\nAssistant: I won't say.",
    },
    {"chosen": "\n\nHuman: Hi\n\nAssistant: Hello!", "rejected": "\n\nHuman: Hi\n\nAssistant: Go away."},
]


def _gz(tmp_path):
    path = tmp_path / "train.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in ROWS)
    return str(path)


def test_parse_keeps_a_label_inside_a_turn():
    messages = parse_transcript("\n\nHuman: quote: Human: hi\n\nAssistant:  ok ")
    assert messages == [{"role": "user", "content": "quote: Human: hi"}, {"role": "assistant", "content": "ok"}]


def test_conversations_are_the_chosen_side(tmp_path):
    records = list(read_records(_gz(tmp_path)))
    assert [len(r["messages"]) for r in records] == [4, 2]
    assert records[0]["messages"][-1] == {"role": "assistant", "content": "6."}
    assert meta_of(records[1])["rejected"][-1] == {"role": "assistant", "content": "Go away."}
    assert len({r["id"] for r in records}) == 2


def test_pairs_split_at_the_shared_turns(tmp_path):
    pairs = list(read_pairs(_gz(tmp_path)))
    assert [len(p["prompt"]) for p in pairs] == [3, 1]
    assert pairs[0]["prompt"][-1] == {"role": "user", "content": "And 3+3?"}
    assert pairs[0]["chosen"] == [{"role": "assistant", "content": "6."}]
    assert pairs[0]["rejected"] == [{"role": "assistant", "content": "I won't say."}]
    assert "_problem" not in pairs[0]
