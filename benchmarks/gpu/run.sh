#!/usr/bin/env bash
# On the GPU machine, from the repository root, after prepare.sh here: install the carried wheels into /tmp/site,
# check the imports (a missing or clashing package stops it in seconds, not after the tests start), then
#   tests     the GPU tests (pytest -m gpu): packed attention, bf16 SFT and LoRA DPO over NCCL, export, eval
#   bench     train_throughput.py on .gpu-data/build: packed/padded x SDPA/flex x activation checkpointing on/off
#   compile   the same for packed rows with each decoder layer compiled, checkpointing off
#   all       the three in turn
# Everything it prints goes to OUT too (logs, JSON figures).
#
#   bash benchmarks/gpu/run.sh all "$OUT"
set -uo pipefail
stage=${1:-all}
out=${2:-/tmp/gpu-out}
mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
# The repository first, so the code that runs is this checkout's (the wheel is there for its console scripts).
export PYTHONPATH="$PWD:/tmp/site" PATH="/tmp/site/bin:$PATH" PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/device.txt"
python3 - <<'PY' 2>&1 | tee -a "$out/device.txt" || exit 1
import importlib, torch
for name in ("datasets", "transformers", "peft", "accelerate", "lm_eval", "hermes_train.sft.train", "hermes_train.dpo.train",
             "hermes_train.eval.run", "hermes_data.load"):
    importlib.import_module(name)
import datasets, transformers, peft
print(f"torch {torch.__version__} cuda {torch.version.cuda} on {torch.cuda.get_device_name()}; transformers "
      f"{transformers.__version__}, peft {peft.__version__}, datasets {datasets.__version__}")
PY
status=0
if [[ $stage == tests || $stage == all ]]; then
  timeout 300 python3 -m pytest -q -m gpu -rs -p no:cacheprovider --junitxml="$out/gpu-tests.xml" \
    tests/train/test_cuda_training.py tests/dpo/test_dpo_cuda.py tests/eval/test_eval_cuda.py 2>&1 | tee "$out/gpu-tests.log"
  status=$(( status | PIPESTATUS[0] ))
fi
if [[ $stage == bench || $stage == all ]]; then
  timeout 330 python3 benchmarks/train_throughput.py --dataset .gpu-data/build --checkpointing on,off \
    --out "$out/train_throughput.json" 2>&1 | grep -v Warning | tee "$out/train_throughput.log"
  status=$(( status | PIPESTATUS[0] ))
fi
if [[ $stage == compile || $stage == all ]]; then
  timeout 240 python3 benchmarks/train_throughput.py --dataset .gpu-data/build --checkpointing off --compile \
    --only packed:sdpa,packed:flex_attention --out "$out/train_throughput_compile.json" 2>&1 | grep -v Warning \
    | tee "$out/train_throughput_compile.log"
  status=$(( status | PIPESTATUS[0] ))
fi
exit "$status"
