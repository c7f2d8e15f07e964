"""`python -m hermes_data.cli …`: the same entry point as the `hermes-data` console script."""

from hermes_data.cli import main

main()
