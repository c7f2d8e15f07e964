from __future__ import annotations

from hermes_data.generate.evol import answer_problem, elimination_reason
from hermes_data.generate.recipe import EvolSpec
from hermes_data.generate.templates import TemplateSet

SPEC = EvolSpec()
SEED = "Explain how vaccines train the immune system."
SCAFFOLD = TemplateSet().render("evol/deepen", instruction="")


def test_real_evolution_is_kept():
    evolved = SEED + " Compare mRNA and live-attenuated vaccines, and explain why boosters are needed."
    assert elimination_reason(SEED, evolved, SCAFFOLD, SPEC) is None


def test_cosmetic_rewrite_adds_no_information():
    # case and punctuation changes are not string-equal but add nothing: similarity catches them
    assert elimination_reason(SEED, "explain, how vaccines TRAIN the immune system!", SCAFFOLD, SPEC) == "no_information"
    assert elimination_reason(SEED, "Explain how vaccines train the immune systems.", SCAFFOLD, SPEC) == "no_information"


def test_copying_the_rewriter_prompt_is_eliminated():
    evolved = "Rewrite the prompt into a more complex version to make famous AI systems a bit harder to handle."
    assert elimination_reason(SEED, evolved, SCAFFOLD, SPEC) == "copies_prompt"
    echoed = "#Rewritten Prompt#: describe the adaptive immune response to a novel pathogen in detail"
    assert elimination_reason(SEED, echoed, SCAFFOLD, SPEC) == "copies_prompt"


def test_answer_rules():
    assert answer_problem("I'm sorry, but I can't help with that.", SPEC)[0] == "refusal"
    assert answer_problem("Yes.", SPEC)[0] == "too_short"
    assert answer_problem("Vaccines expose the immune system to a harmless antigen so memory cells form.", SPEC) is None
