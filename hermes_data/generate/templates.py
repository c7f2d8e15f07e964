"""Template rendering for the generators: packaged Jinja2 files, overridable per task, always sandboxed.

Templates come from recipes, which people share; the sandbox keeps a template from reaching Python internals, and
`StrictUndefined` turns a misspelt variable into an error instead of a silently empty prompt.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from hermes_data.errors import RecipeError

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class TemplateSet:
    """The templates one task renders: `overrides` maps a template name (`evol/deepen`) to a file."""

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self.overrides = dict(overrides or {})
        for name, path in self.overrides.items():
            if not (PACKAGE_TEMPLATES / f"{name}.j2").is_file():
                known = ", ".join(sorted(package_template_names()))
                raise RecipeError(f"templates: {name!r} is not a template name; known: {known}")
            if not Path(path).is_file():
                raise RecipeError(f"templates.{name}: no such file {path}")
        self._env = SandboxedEnvironment(
            loader=jinja2.FunctionLoader(self._load),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            autoescape=False,  # prompts are plain text, not HTML
        )

    def _load(self, name: str) -> str | None:
        stem = name.removesuffix(".j2")
        path = Path(self.overrides[stem]) if stem in self.overrides else PACKAGE_TEMPLATES / f"{stem}.j2"
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def render(self, name: str, **variables: object) -> str:
        try:
            return self._env.get_template(name).render(**variables).strip()
        except jinja2.TemplateError as exc:
            where = self.overrides.get(name, f"hermes_data/templates/{name}.j2")
            raise RecipeError(f"template {name} ({where}): {exc}") from None


def package_template_names() -> list[str]:
    return [p.relative_to(PACKAGE_TEMPLATES).with_suffix("").as_posix() for p in PACKAGE_TEMPLATES.rglob("*.j2")]
