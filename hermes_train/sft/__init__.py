"""Supervised fine-tuning (`hermes-train sft`): recipe (config.py), the per-rank run (train.py) and the launcher with
its memory plan (launch.py); the machinery shared with DPO is at the top of hermes_train."""
