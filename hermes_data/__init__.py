"""hermes_data: curate, validate, mix and publish Hermes-format instruction data (no torch import)."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `load_mix` pulls in datasets and huggingface_hub: import it on first use so `import hermes_data` stays light.
    if name == "load_mix":
        from hermes_data.load import load_mix

        return load_mix
    raise AttributeError(f"module 'hermes_data' has no attribute {name!r}")
