"""Structure figures of a checkout: modules and lines per package, import statements and edges across
subpackages, and the modules outside hermes_data/build/ (and cli/build.py) that import hermes_data.build.

    python benchmarks/structure_metrics.py .            # this checkout
    git archive REV | tar -x -C /tmp/rev && python benchmarks/structure_metrics.py /tmp/rev
"""

from __future__ import annotations

import ast
import collections
import json
import pathlib
import sys

BUILD_HOME = ("hermes_data/build/", "hermes_data/cli/build.py")


def package_of(root: pathlib.Path, dotted: str) -> str:
    parts = dotted.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and (root / parts[0] / parts[1]).is_dir() else parts[0]


def imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return [n for n in names if n.split(".")[0] in ("hermes_data", "hermes_train")]


def main() -> None:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    modules: collections.Counter = collections.Counter()
    lines: collections.Counter = collections.Counter()
    edges: collections.Counter = collections.Counter()
    build_importers = set()
    for top in ("hermes_data", "hermes_train"):
        for file in sorted((root / top).rglob("*.py")):
            rel = file.relative_to(root).as_posix()
            package = package_of(root, rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__"))
            if package.count(".") == 1 and not (root / package.replace(".", "/")).is_dir():
                package = top  # a flat module of the top package
            text = file.read_text()
            modules[package] += 1
            lines[package] += len(text.splitlines())
            for name in imported(ast.parse(text)):
                target = package_of(root, name)
                if target != package:
                    edges[(package, target)] += 1
                if name.startswith("hermes_data.build") and not rel.startswith(BUILD_HOME):
                    build_importers.add(rel)
    print(
        json.dumps(
            {
                "modules": sum(modules.values()),
                "lines": sum(lines.values()),
                "per_package": {k: [modules[k], lines[k]] for k in sorted(modules)},
                "cross_package_import_statements": sum(edges.values()),
                "cross_package_edges": len(edges),
                "modules_outside_build_importing_build": sorted(build_importers),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
