"""`python -m hermes_data.cli …`: the same entry point as the `hermes-data` console script."""

from hermes_data.cli import main

if __name__ == "__main__":  # importing the module (e.g. to list the package) must not run the CLI
    main()
