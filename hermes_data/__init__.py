"""hermes_data: curate, validate, mix and publish Hermes-format instruction data (no torch import)."""

__version__ = "0.1.0"
