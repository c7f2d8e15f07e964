"""The training path on a CUDA device (`pytest -m gpu`; skipped with the reason where torch sees no GPU).

- packed attention on the GPU: a packed row's logits equal each sample's logits alone, for SDPA, flex attention and
  (where `flash_attn` is installed) FlashAttention-2 on the flattened row, in fp32 and bf16;
- `hermes-train sft --nproc 1` in bf16: NCCL with world size 1, the loss falls, and the streamed export loads on the
  GPU with weights that moved from the seed's.

The SFT data is a mix folder written directly, not by `hermes-data build`: a GPU image need not carry the build's
dependencies (polars alone is a 54 MB wheel), only the trainer's.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hermes_train.collate import PackedCollator  # noqa: E402

pytestmark = pytest.mark.gpu

ROOT = Path(__file__).resolve().parents[2]
SFT_RECIPE = ROOT / "recipes" / "sft-tiny-cpu.yaml"
PAD = 0
# Lengths around and across flex attention's 128-token blocks and the SDPA kernels' tiles.
LENGTHS = [37, 150, 260, 9, 301]


def tiny_llama(attn: str):
    from transformers import AutoModelForCausalLM, LlamaConfig

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=1000, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         initializer_range=0.2, tie_word_embeddings=False)  # fmt: skip
    return AutoModelForCausalLM.from_config(config, attn_implementation=attn)


def random_samples() -> list[dict[str, list[int]]]:
    generator = torch.Generator().manual_seed(1)
    samples = []
    for n in LENGTHS:
        ids = torch.randint(1, 1000, (n,), generator=generator).tolist()
        samples.append({"input_ids": ids, "labels": ids})
    return samples


@pytest.fixture(scope="module")
def chat_folder(tmp_path_factory) -> Path:
    """A loadable mix of 48 chats (20 to 300 words each) in the folder layout a build writes."""
    from hermes_data.dataset.folder import write_dataset_folder
    from hermes_data.dataset.manifest import ContentHasher
    from hermes_data.record import RECORD_SCHEMA, make_record, records_to_table

    rng = random.Random(0)
    words = "the a river city song number learns answers short clear about mountains and of in to".split()
    records = []
    for i in range(48):
        question = " ".join(rng.choices(words, k=rng.randint(8, 40)))
        answer = " ".join(rng.choices(words, k=rng.randint(20, 300)))
        chat = [{"role": "user", "content": f"Question {i}: {question}?"}, {"role": "assistant", "content": answer}]
        records.append(make_record(chat, category="general"))
    folder = tmp_path_factory.mktemp("chats") / "mix"
    write_dataset_folder(folder, kept=records_to_table(records), schema=RECORD_SCHEMA, hasher=ContentHasher(),
                         rejected=[], render_card=lambda manifest, license: "# chats\n", recipe={"name": "chats"},
                         shard_rows=10_000, license="other", recipe_sha256="0" * 64, sources=[], categories={},
                         funnel=[], totals={"rows": len(records)})  # fmt: skip
    return folder


def relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return float((got.float() - want.float()).norm() / want.float().norm())


# FlashAttention-2 runs in fp16/bf16 only, so it has no fp32 case.
CASES = [("sdpa", torch.float32), ("sdpa", torch.bfloat16), ("flex_attention", torch.float32),
         ("flex_attention", torch.bfloat16), ("flash_attention_2", torch.bfloat16)]  # fmt: skip


@pytest.mark.parametrize(("attn", "dtype"), CASES, ids=lambda v: str(v).removeprefix("torch."))
def test_packed_logits_on_cuda_equal_each_sample_alone(attn, dtype):
    if attn == "flash_attention_2":
        pytest.importorskip("flash_attn", reason="flash-attn is not installed (the `gpu` extra)")
    model = tiny_llama(attn).to("cuda", dtype).eval()
    samples = random_samples()
    flatten = attn == "flash_attention_2"  # varlen from position_ids needs one flattened row
    batch = PackedCollator(PAD, pad_to=None if flatten else sum(LENGTHS) + 11, flatten=flatten)([samples])
    batch = {key: value.cuda() for key, value in batch.items()}
    with torch.no_grad():
        packed = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"], use_cache=False).logits[0]
        plain = model(input_ids=batch["input_ids"], use_cache=False).logits[0]  # 0..L-1: one long causal sequence
        tolerance = 1e-4 if dtype == torch.float32 else 2e-2
        start = 0
        for sample, n in zip(samples, LENGTHS, strict=True):
            alone = model(input_ids=torch.tensor([sample["input_ids"]], device="cuda"), use_cache=False).logits[0]
            error = relative_error(packed[start : start + n], alone)
            assert error < tolerance, f"sample at {start}: relative error {error:.2e} packed vs alone ({attn})"
            if start:  # near miss: without the document mask later samples see earlier ones, far beyond tolerance
                assert relative_error(plain[start : start + n], alone) > 10 * tolerance
            start += n
    assert torch.isfinite(packed).all()


@pytest.mark.slow
def test_bf16_sft_on_one_gpu_over_nccl_lowers_the_loss_and_exports(tmp_path, chat_folder, cli):
    from transformers import AutoModelForCausalLM

    from hermes_train.models import build_model
    from hermes_train.recipe import parse_overrides
    from hermes_train.sft.config import load_sft_recipe

    out = tmp_path / "run"
    sets = [f"dataset={chat_folder}", f"output={out}", "max_length=512", "overflow=truncate", "precision=bf16",
            "epochs=2", "optimizer.lr=3e-3", "optimizer.warmup_steps=1", "checkpoint_every=4",
            "gradient_checkpointing=true"]  # fmt: skip
    cli("hermes-train", "sft", str(SFT_RECIPE), "--nproc", "1", *[a for s in sets for a in ("--set", s)], cwd=tmp_path)

    run = json.loads((out / "run.json").read_text())
    assert run["backend"] == "nccl" and run["world_size"] == 1 and run["device"] != "cpu"
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    losses = [row["loss"] for row in rows]
    assert len(losses) == run["last_step"] >= 6 and all(map(math.isfinite, losses))
    assert sum(losses[-2:]) / 2 < sum(losses[:2]) / 2 - 0.1, losses

    # The streamed export (bf16, as the base models ship) loads, runs on the GPU, and carries trained weights.
    exported = AutoModelForCausalLM.from_pretrained(out / "epoch-2", dtype=torch.bfloat16).cuda().eval()
    assert json.loads((out / "epoch-2" / "config.json").read_text())["dtype"] == "bfloat16"
    spec = load_sft_recipe(SFT_RECIPE, parse_overrides(sets))
    initial = dict(build_model(spec.model, seed=spec.seed).named_parameters())
    moved = [name for name, p in exported.named_parameters() if not torch.equal(p.cpu(), initial[name].bfloat16())]
    assert len(moved) == len(initial)
    ids = torch.tensor([[128000, 9906, 1917]], device="cuda")
    with torch.no_grad():
        assert torch.isfinite(exported(ids).logits).all()
