"""The distribution: the data half imports without torch, and a built wheel works in a fresh environment."""

from __future__ import annotations

import json
import os
import pkgutil
import site
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

import hermes_data

ROOT = Path(__file__).resolve().parent.parent


def test_hermes_data_imports_without_torch():
    # `sys.modules["torch"] = None` makes `import torch` fail even where torch is installed, while libraries that
    # only probe for it (polars uses importlib.util.find_spec) see it as absent.
    modules = [m.name for m in pkgutil.walk_packages(hermes_data.__path__, "hermes_data.")]
    code = textwrap.dedent(
        f"""
        import importlib, sys
        sys.modules["torch"] = None
        for name in {modules!r}:
            importlib.import_module(name)
        import hermes_train, hermes_train.cli
        assert sys.modules["torch"] is None
        print(len({modules!r}))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 10  # the walk really found the package's modules


@pytest.mark.slow
def test_wheel_installs_in_fresh_venv_and_runs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    wheel = next(dist.glob("hermes_toolkit-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    # Dependencies come from this environment (no network); the package itself only from the wheel. A .pth line
    # adds the directory to sys.path without running the editable-install hook that lives there.
    purelib = subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    Path(purelib.decode().strip(), "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)

    work = tmp_path / "elsewhere"  # not the checkout, so nothing resolves through the source tree
    work.mkdir()
    env = {**os.environ, "HERMES_CACHE": str(tmp_path / "cache")}
    where = subprocess.check_output(
        [
            str(py),
            "-c",
            "import hermes_data, hermes_data.resources as r; print(hermes_data.__file__);"
            "print(r.resource_dir('recipes')); print(r.resource_dir('datacards'))",
        ],
        cwd=work,
        env=env,
        text=True,
    ).split()
    assert all(str(env_dir) in p for p in where), where
    assert (Path(where[1]) / "README.md").is_file() and (Path(where[2]) / "README.md").is_file()

    run = subprocess.run(
        [str(env_dir / "bin" / "hermes-data"), "validate", "--sample"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    stats = subprocess.run(
        [str(env_dir / "bin" / "hermes-data"), "stats", "--sample", "--json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["total"]["rows"] >= 96 and figures["total"]["output_tokens"] > 0
