"""`--set` through the console script: list items in build and pairs, and generate's new flag."""

from __future__ import annotations

import yaml


def test_build_set_reaches_a_list_item(cli, tmp_path):
    # Ten rows cannot fill the demo's mixture (the dry run says so), so the override drops it too.
    done = cli("build", "demo", "--dry-run", "--set", "sources.0.limit=10", "--set", "mixture=null",
               "--set", f"output={tmp_path / 'o'}")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "source sample:conversations.jsonl: 10 rows" in done.stdout
    assert "source sample:defective.jsonl: 10 rows" not in done.stdout
    assert not (tmp_path / "o").exists()


def test_pairs_set_reaches_a_list_item(cli):
    done = cli("pairs", "pairs-demo", "--dry-run", "--set", "sources.0.limit=7")
    assert done.returncode == 0, done.stderr
    assert "source sample:candidates.jsonl (candidates): 7 rows" in done.stdout, done.stdout


def test_generate_set_overrides_the_recipe(cli, tmp_path):
    recipe = {
        "name": "g",
        "endpoints": {"teacher": {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key_env": None}},
        "tasks": [{"name": "t", "category": "general", "seeds": ["Say hi."], "evolve": {"methods": ["deepen"]}}],
        "output": str(tmp_path / "out"),
    }
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe), encoding="utf-8")
    done = cli("generate", tmp_path / "r.yaml", "--dry-run", "--set", "tasks.0.seeds=[Name a prime above 90.]")
    assert done.returncode == 0, done.stderr
    assert "Name a prime above 90." in done.stdout and "Say hi." not in done.stdout
    done = cli("generate", tmp_path / "r.yaml", "--dry-run", "--set", "tasks.1.seeds=[x]")
    assert done.returncode == 2 and done.stderr.strip() == (
        "error: --set tasks.1.seeds: tasks has 1 item(s), no tasks.1 (indexes 0 to 0)"
    )
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob("*.sqlite"))
