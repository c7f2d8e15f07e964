#!/usr/bin/env bash
# Prepare a run on an offline GPU machine (one whose image has python3 3.12 with CUDA torch but no package registry):
# wheels of what the image lacks (wheels.txt) into .whl/, this project's own wheel among them (for the console
# scripts the tests start), and a copy of a build's output into .gpu-data/build for train_throughput.py. Both folders
# are git-ignored (.git/info/exclude) and travel with the working tree when named as carried paths.
#
#   bash benchmarks/gpu/prepare.sh BUILD       # BUILD: a `hermes-data build` output folder with real text
#
# Then, on the GPU machine, from the repository root: bash benchmarks/gpu/run.sh [tests|bench|compile|all] OUT
set -euo pipefail
build=${1:?usage: prepare.sh BUILD (a hermes-data build output folder)}
[[ -f "$build/manifest.json" ]] || { echo "error: $build has no manifest.json: pass a hermes-data build output" >&2; exit 2; }
cd "$(git rev-parse --show-toplevel)"
mkdir -p .git/info
for ignored in /.whl/ /.gpu-data/; do grep -qxF "$ignored" .git/info/exclude 2>/dev/null || echo "$ignored" >>.git/info/exclude; done
rm -rf .whl .gpu-data && mkdir -p .whl .gpu-data
here=$(dirname "$0")
sdists="langdetect==1.0.9 rouge-score==0.1.2 sqlitedict==2.1.0 word2number==1.1"
python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .whl -r "$here/wheels.txt"
# shellcheck disable=SC2086 # one argument per requirement
python -m pip wheel -q --no-deps -w .whl $sdists
python -m pip wheel -q --no-deps --no-build-isolation -w .whl .
cp -r "$build" .gpu-data/build
du -sh .whl .gpu-data
echo "the working tree that travels: $(( ($(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) + $(du -sb .whl .gpu-data | awk '{s+=$1} END {print s}')) / 1048576 )) MiB (limit 64)"
