"""hermes_train: ChatML tokenization with loss masks, packing, SFT (FSDP), DPO (LoRA) and checkpoint selection.

Training needs the `train` extra (torch, trl, peft, accelerate); importing this package does not.
"""

__version__ = "0.1.0"
