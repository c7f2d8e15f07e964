from __future__ import annotations

import pyarrow.parquet as pq

from hermes_data.generate.evol import answer_problem, elimination_reason
from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import EvolSpec, load_generate_recipe
from hermes_data.generate.templates import TemplateSet
from hermes_data.record import meta_of

SPEC = EvolSpec()
SEED = "Explain how vaccines train the immune system."
SCAFFOLD = TemplateSet().render("evol/deepen", instruction="")


def test_real_evolution_is_kept():
    evolved = SEED + " Compare mRNA and live-attenuated vaccines, and explain why boosters are needed."
    assert elimination_reason(SEED, evolved, SCAFFOLD, SPEC) is None


def test_cosmetic_rewrite_adds_no_information():
    # case and punctuation changes are not string-equal but add nothing: similarity catches them
    assert (
        elimination_reason(SEED, "explain, how vaccines TRAIN the immune system!", SCAFFOLD, SPEC) == "no_information"
    )
    assert (
        elimination_reason(SEED, "Explain how vaccines train the immune systems.", SCAFFOLD, SPEC) == "no_information"
    )


def test_copying_the_rewriter_prompt_is_eliminated():
    evolved = "Rewrite the prompt into a more complex version to make famous AI systems a bit harder to handle."
    assert elimination_reason(SEED, evolved, SCAFFOLD, SPEC) == "copies_prompt"
    echoed = "#Rewritten Prompt#: describe the adaptive immune response to a novel pathogen in detail"
    assert elimination_reason(SEED, echoed, SCAFFOLD, SPEC) == "copies_prompt"


def test_answer_rules():
    assert answer_problem("I'm sorry, but I can't help with that.", SPEC)[0] == "refusal"
    assert answer_problem("Yes.", SPEC)[0] == "too_short"
    assert answer_problem("Vaccines expose the immune system to a harmless antigen so memory cells form.", SPEC) is None


def test_eliminated_evolutions_are_counted_and_skipped(fake_server, write_recipe):

    server = fake_server(wrong_rate=0.5, seed=2)
    seeds = [f"Explain the water cycle step number {i} for a geography class." for i in range(8)]
    task = {"name": "evol", "category": "general", "seeds": seeds, "evolve": {"rounds": 3}, "respond": False}
    recipe = load_generate_recipe(write_recipe(server, [task]))
    manifest = generate(recipe)
    rows = pq.read_table(f"{recipe.output}/data/train-00000-of-00001.parquet").to_pylist()
    wrong = sum(1 for e in server.log if e.get("wrong"))
    assert wrong > 0 and sum(manifest["eliminated"].values()) == wrong
    assert set(manifest["eliminated"]) <= {"no_information", "copies_prompt"}
    kept = [len(meta_of(r)["evol"]["methods"]) for r in rows]
    assert sum(kept) == len(server.log) - wrong and min(kept) >= 1
    assert all([m["role"] for m in r["messages"]] == ["user"] for r in rows)  # respond: false
    assert all("#Rewritten Prompt#" not in r["messages"][0]["content"] for r in rows)
    assert len(rows) + manifest["tasks"]["evol"]["failed"] == 8
