"""Supervised fine-tuning (`hermes-train sft`): recipe (config.py), model construction (models.py), the per-rank run
(train.py) and the launcher with its memory plan (launch.py)."""
