"""Benchmark scores for checkpoint selection and model comparison (issue 8; the paper's Tables 2, 4 and 5).

- suite.py: the suite YAML (tasks, shots, metrics, groups, MT-Bench and its judge) and the SFT recipe's `eval:`.
- checkpoints.py: what can be evaluated (epoch export, merged model, peft adapter) and how it is loaded.
- harness.py: lm-evaluation-harness tasks (HF model or vLLM), local data files, IFEval's nltk data.
- mtbench.py + judging.py: multi-turn ChatML answers rated [[1-10]] by an OpenAI-compatible judge.
- scores.py: the scores file (`select`'s format plus provenance), merged and written atomically.
- run.py: `evaluate(checkpoints, suite, out)`; after_training.py: `evaluate_run(recipe, out_dir)` for `sft`.
- compare.py: the Table 4/5-style comparison, as rich text or Markdown.

Nothing heavy is imported here: the SFT recipe imports `EvalSpec` without pulling lm_eval or torch.
"""
