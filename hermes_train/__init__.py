"""hermes_train: ChatML tokenization with loss masks, packing, SFT (FSDP), DPO (LoRA) and checkpoint selection.

Where things live: each trainer is a package of its own (`sft/`, `dpo/`: recipe, per-rank run, launcher); what both
use sits at the top of the package, one job per module: `recipe.py` (the shared recipe base and loading),
`launch.py` (torchrun), `preflight.py` (model folder, tokenizer, dataset, output, before any rank starts),
`distributed.py` (process group, per-rank entry point), `models.py` (meta-device construction and weight loading),
`fsdp.py` (sharding, the global-batch backward, gradient clipping), `guard.py` (non-finite steps), `checkpoint.py`
(step-N/ save and resume), `run_log.py` (metrics.jsonl, run.json), `progress.py` (console progress), `schedule.py`,
`export.py`. `eval/` scores checkpoints; `select.py` picks one.

Training needs the `train` extra (torch, trl, peft, accelerate); importing this package does not.
"""

__version__ = "0.1.0"
