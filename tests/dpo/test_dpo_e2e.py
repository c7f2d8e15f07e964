"""`hermes-train dpo recipes/dpo-tiny-cpu.yaml --nproc 2` end to end (FSDP2 on gloo), on a small preference-pair
folder whose preference (lower case over UPPER CASE) generalizes to held-out pairs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "dpo-tiny-cpu.yaml"


def hermes_train(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(["hermes-train", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def dpo(tmp_path: Path, *sets: str, check: bool = True) -> subprocess.CompletedProcess:
    return hermes_train("dpo", str(RECIPE), "--nproc", "2", *[a for s in sets for a in ("--set", s)], cwd=tmp_path,
                        check=check)  # fmt: skip


def metrics(out: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return {row["step"]: row for row in rows}


def recipe_of(data: Path, out: Path, *sets: str):
    from hermes_train.dpo.config import load_dpo_recipe
    from hermes_train.recipe import parse_overrides

    return load_dpo_recipe(RECIPE, parse_overrides([f"dataset={data}", f"output={out}", *sets]))


@pytest.mark.slow
def test_tiny_dpo_learns_the_preference_with_lora_only(tmp_path, pair_folder):
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    from hermes_train.models import build_model

    data, out = pair_folder(tmp_path / "pairs", 64), tmp_path / "run"
    dpo(tmp_path, f"dataset={data}", f"output={out}", "measure_parameter_bytes=true")
    spec = recipe_of(data, out)

    # --- training: the loss falls, held-out reward accuracy ends above chance ---
    rows = metrics(out)
    steps = sorted(rows)
    assert steps == list(range(1, len(steps) + 1)) and len(steps) == 12  # 51 train pairs / 8 per step, 2 epochs
    first, last = [rows[s]["loss"] for s in steps[:3]], [rows[s]["loss"] for s in steps[-3:]]
    assert sum(last) / 3 < sum(first) / 3 - 0.02
    for key in ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "lr", "grad_norm"):
        assert all(key in rows[s] for s in steps)
    assert rows[1]["lr"] == 0.0 and rows[3]["lr"] == pytest.approx(3e-3)  # 2 warmup steps, then linear decay
    final_eval = rows[steps[-1]]
    assert final_eval["eval/pairs"] == 13 and final_eval["eval/rewards/accuracies"] >= 0.75  # chance is 0.5
    assert final_eval["eval/rewards/margins"] > 0

    # --- memory: the parameters held during training are the base's plus the adapter's, once ---
    run = json.loads((out / "run.json").read_text())
    base = build_model(spec.model, seed=spec.seed)
    adapter = load_file(str(out / "epoch-2" / "adapter_model.safetensors"))
    base_bytes = sum(p.numel() * p.element_size() for p in base.parameters())
    adapter_bytes = sum(t.numel() * 4 for t in adapter.values())  # fp32 master weights
    assert run["parameter_bytes"] == base_bytes + adapter_bytes
    assert run["dataset"]["content_sha256"] and run["world_size"] == 2 and run["tokens_per_second"] > 0
    assert (run["backend"], run["device"]) == ("gloo", "cpu")
    assert run["num_eval_pairs"] == 13 and run["recipe"]["lora"]["r"] == 32

    # --- the adapter: the paper's settings on every linear layer of the decoder ---
    config = json.loads((out / "epoch-2" / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"], config["lora_dropout"]) == (32, 16, 0.05)
    linear = {
        name.rsplit(".", 1)[-1] for name, m in base.model.layers.named_modules() if isinstance(m, torch.nn.Linear)
    }
    assert set(config["target_modules"]) == linear == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                                       "down_proj"}  # fmt: skip
    assert (out / "epoch-1" / "adapter_config.json").is_file()

    # --- only LoRA parameters changed: merged - scaling * B @ A is the initial base ---
    merged = AutoModelForCausalLM.from_pretrained(out / "epoch-2-merged")
    initial = dict(base.named_parameters())
    scaling = config["lora_alpha"] / config["r"]
    moved = 0.0
    for name, value in merged.named_parameters():
        prefix = f"base_model.model.{name.removesuffix('.weight')}"
        if f"{prefix}.lora_A.weight" in adapter:
            delta = scaling * adapter[f"{prefix}.lora_B.weight"] @ adapter[f"{prefix}.lora_A.weight"]
            moved = max(moved, float(delta.abs().max()))
            torch.testing.assert_close(value - delta, initial[name], rtol=0, atol=1e-6)
        else:
            assert torch.equal(value, initial[name]), name  # embeddings, norms, LM head: bit for bit
    assert moved > 1e-3  # the adapter learned something the check above would notice

    # --- the adapter loads with peft onto a fresh base and gives the merged model's outputs ---
    with_adapter = PeftModel.from_pretrained(build_model(spec.model, seed=spec.seed), out / "epoch-2").eval()
    ids = torch.tensor([[128000, 128040, 882, 198, 6151, 128041, 198]])
    with torch.no_grad():
        torch.testing.assert_close(with_adapter(ids).logits, merged.eval()(ids).logits, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_loss_is_normalized_over_the_global_batch_of_pairs(tmp_path, pair_folder):
    """Step 1's gradient norm on 2 ranks equals the unsharded model's for the same 8 pairs (no NEFTune, no dropout, so
    the step is deterministic); a per-rank or per-micro-batch mean would scale it."""
    from peft import get_peft_model

    from hermes_train.dpo.data import PairCollator, split_eval
    from hermes_train.dpo.loss import dpo_loss
    from hermes_train.dpo.model import PolicyWithReference, initial_adapter_state, lora_config
    from hermes_train.dpo.train import build_data, global_batch_pairs
    from hermes_train.models import build_model

    data, out = pair_folder(tmp_path / "pairs", 24), tmp_path / "run"
    sets = ["neftune_alpha=null", "lora.dropout=0", "max_steps=1", "merge=false"]
    dpo(tmp_path, f"dataset={data}", f"output={out}", *sets)
    step1 = metrics(out)[1]

    spec = recipe_of(data, out, *sets)
    tokenizer, pairs, _ = build_data(spec)
    train_ids, _ = split_eval(len(pairs), spec.eval_fraction, seed=spec.seed)
    peft_model = get_peft_model(build_model(spec.model, seed=spec.seed), lora_config(spec.lora))
    peft_model.get_base_model().load_state_dict(initial_adapter_state(peft_model.get_base_model(), seed=spec.seed),
                                                strict=False)  # fmt: skip
    model = PolicyWithReference(peft_model).train()
    batch = PairCollator(tokenizer.pad_token_id)([pairs[i] for i in global_batch_pairs(train_ids, spec, 0, 0)])
    ref, pol = model(**batch, reference=True), model(**batch)
    losses, _, _ = dpo_loss(pol[:8], pol[8:], ref[:8], ref[8:], beta=spec.dpo.beta)
    losses.mean().backward()
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters() if p.grad is not None]))
    # log 2: the policy starts as the reference
    assert step1["loss"] == pytest.approx(float(losses.detach().mean()), rel=1e-5)
    assert step1["grad_norm"] == pytest.approx(float(norm), rel=1e-4)


def test_bad_input_is_one_line_and_exit_2(tmp_path, pair_folder, record_folder):
    pairs, mix = pair_folder(tmp_path / "pairs", 4), record_folder(tmp_path / "mix")
    cases = {
        "lora.rnak=8": "lora",  # a typo names the field
        f"dataset={tmp_path / 'missing'}": "missing",
        f"dataset={mix}": "not a preference-pair dataset",
    }
    (tmp_path / "empty-tokenizer").mkdir()
    (tmp_path / "a-file").write_text("")
    cases |= {  # the launcher's pre-flight, shared with sft: found before any rank starts
        f"model.tokenizer={tmp_path / 'empty-tokenizer'}": "has no tokenizer.json",
        "model.config.vocab_size=1000": "embedding has 1000 rows",
        f"output={tmp_path / 'a-file' / 'out'}": "is a file, so",
        "lora.target_modules=[nope_proj]": "lora.target_modules",
    }
    for override, words in cases.items():
        result = dpo(tmp_path, f"dataset={pairs}", f"output={tmp_path / 'out'}", override, check=False)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("error:"), result.stderr[-2000:]
        assert words in lines[0]
        assert not (tmp_path / "out").exists()  # nothing written, no rank started
    missing = tmp_path / "no-such-model"
    result = dpo(tmp_path, f"dataset={pairs}", f"output={tmp_path / 'out'}", "model.config=null",
                 f"model.name={missing}", check=False)  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and lines == [f"error: model.name: no such model folder {missing}; point it at a "
                                                "model folder or a Hub id"], result.stderr[-2000:]  # fmt: skip


@pytest.mark.slow
def test_dpo_on_a_saved_base_model_trains_the_adapter_on_its_weights(tmp_path, pair_folder):
    """The paper's path: the base is an SFT epoch export (a Hugging Face folder), read shard by shard."""
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    from hermes_data.tokenizer import load_tokenizer
    from hermes_train.models import build_model

    spec = recipe_of(tmp_path / "pairs", tmp_path / "run")
    base_dir = tmp_path / "sft-epoch-1"
    base = build_model(spec.model, seed=123)  # not the recipe's seed: a random init would not match these weights
    base.save_pretrained(base_dir, max_shard_size="8MB")  # several shards, as a real export
    load_tokenizer("llama3").save_pretrained(base_dir)
    assert len(list(base_dir.glob("*.safetensors"))) > 1

    data, out = pair_folder(tmp_path / "pairs", 16), tmp_path / "run"
    dpo(tmp_path, f"dataset={data}", f"output={out}", "model.config=null", f"model.name={base_dir}", "epochs=1")
    config = json.loads((out / "epoch-1" / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(base_dir)
    adapter = load_file(str(out / "epoch-1" / "adapter_model.safetensors"))
    merged = AutoModelForCausalLM.from_pretrained(out / "epoch-1-merged")
    initial, scaling = dict(base.named_parameters()), config["lora_alpha"] / config["r"]
    for name, value in merged.named_parameters():
        prefix = f"base_model.model.{name.removesuffix('.weight')}"
        if f"{prefix}.lora_A.weight" in adapter:
            value = value - scaling * adapter[f"{prefix}.lora_B.weight"] @ adapter[f"{prefix}.lora_A.weight"]
            torch.testing.assert_close(value, initial[name], rtol=0, atol=1e-6)
        else:
            assert torch.equal(value, initial[name]), name  # the saved base's weights, not a fresh init
