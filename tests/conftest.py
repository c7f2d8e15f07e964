"""Session-wide test isolation: no test reads or writes the user's Hugging Face or hermes-toolkit caches."""

from __future__ import annotations

import os
import tempfile

# Set before any test imports datasets/huggingface_hub, which read these at import time. Tests that need a fresh
# cache of their own (the build's curated-rows cache, the fake Hub's) still pass their own values to subprocesses.
_ROOT = tempfile.mkdtemp(prefix="hermes-tests-")
os.environ["HF_HOME"] = os.path.join(_ROOT, "hf")
os.environ["HERMES_CACHE"] = os.path.join(_ROOT, "hermes")
