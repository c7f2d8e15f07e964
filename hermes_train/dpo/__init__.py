"""LoRA DPO (issue 7, DESIGN §8): `hermes-train dpo RECIPE`; the per-rank entry point is `hermes_train.dpo.train`."""
