from __future__ import annotations

import pytest
from conftest import endpoint

from hermes_data.errors import RecipeError
from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe
from hermes_data.generate.templates import PACKAGE_TEMPLATES, TemplateSet, package_template_names


def test_every_generator_step_has_a_packaged_template():
    names = set(package_template_names())
    for name in ("evol/deepen", "evol/breadth", "tool_use/tools", "rag/documents", "roleplay/user", "judge/judge"):
        assert name in names
    assert (PACKAGE_TEMPLATES / "evol" / "_in_depth.j2").is_file()


def test_sandbox_blocks_python_internals(tmp_path):
    evil = tmp_path / "evil.j2"
    evil.write_text("{{ instruction.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(RecipeError, match="evol/deepen"):
        TemplateSet({"evol/deepen": str(evil)}).render("evol/deepen", instruction="x")


def test_missing_variable_is_an_error_not_an_empty_prompt():
    with pytest.raises(RecipeError, match="undefined"):
        TemplateSet().render("judge/judge", question="q")


def test_unknown_override_name_lists_known_templates(tmp_path):
    (tmp_path / "t.j2").write_text("x")
    with pytest.raises(RecipeError, match="not a template name; known: .*evol/deepen"):
        TemplateSet({"evol/deeper": str(tmp_path / "t.j2")})


def test_recipe_override_is_what_the_endpoint_sees(fake_server, write_recipe, tmp_path):
    (tmp_path / "judge.j2").write_text("Rate this strictly. Q: {{ question }} A: {{ answer }} Answer with [[n]].")
    server = fake_server()
    tasks = [
        {"name": "gen", "category": "content_generation", "count": 1},
        {"name": "judge", "generator": "judge", "input": "gen", "templates": {"judge/judge": "judge.j2"}},
    ]
    bodies = []
    server.on_request = bodies.append
    path = write_recipe(server, tasks, endpoints={"teacher": endpoint(server)})
    generate(load_generate_recipe(path))
    judge_prompts = [b["messages"][0]["content"] for b in bodies if "Rate this strictly" in b["messages"][0]["content"]]
    assert len(judge_prompts) == 1 and "[The Start of Assistant's Answer]" not in judge_prompts[0]
