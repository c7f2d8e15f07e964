"""Find the folders that ship with the package (recipes/, datacards/) from a wheel or a checkout.

In the repository they sit at the top level, where readers look for them; the wheel copies them to
`hermes_data/_resources/` (pyproject `force-include`), so an installed package finds them without a checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hermes_data.errors import DataError

SHIPPED = ("recipes", "datacards")


def resource_dir(name: str) -> Path:
    """The shipped folder `name` ("recipes" or "datacards"), installed copy first, then the checkout's."""
    if name not in SHIPPED:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {SHIPPED}")
    installed = Path(str(resources.files("hermes_data"))) / "_resources" / name
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise DataError(f"the {name}/ folder is missing from this installation; reinstall hermes-toolkit")


def recipe_path(name: str) -> Path:
    """A shipped recipe by file name (`demo.yaml`) or stem (`demo`)."""
    folder = resource_dir("recipes")
    for candidate in (folder / name, folder / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
    raise DataError(f"no shipped recipe {name!r}; shipped recipes: {known}")
