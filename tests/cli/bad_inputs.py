"""Bad inputs across `hermes-data`'s commands, tried as a new user would, and how to run one.

Shared by the test battery (tests/cli/test_bad_input.py) and `benchmarks/bad_inputs.py`, which prints which cases
break the promise: one line `error: …` naming the file or field, exit 2, no traceback, and the working folder left
byte-identical (nothing created, an earlier output untouched).

Every case runs in a fresh folder holding the same starting files (`make_world`): good and bad data files, a
complete build folder, a store with one published version, a read-only folder, a plain file to put things under.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent
LATIN1 = "name: caf\xe9\n".encode("latin-1")  # a recipe saved in Latin-1: é is one byte 0xE9
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def _good_rows() -> str:
    rows = [
        {"conversations": [{"from": "human", "value": f"What is {i} + {i}?"}, {"from": "gpt", "value": f"{2 * i}."}]}
        for i in range(3)
    ]
    return "".join(json.dumps(r) + "\n" for r in rows)


def build_recipe(**changes) -> str:
    data = {"name": "mini", "sources": [{"path": "good.jsonl", "category": "general"}], "mixture": None}
    data.update(changes)
    data.setdefault("output", "out/mini")
    return yaml.safe_dump(data, sort_keys=False)


def pairs_recipe(**changes) -> str:
    data = {"name": "mini-pairs", "sources": [{"path": "sample:candidates.jsonl", "kind": "candidates"}]}
    data.update(changes)
    data.setdefault("output", "out/pairs")
    return yaml.safe_dump(data, sort_keys=False)


def generate_recipe(**changes) -> str:
    data = {
        "name": "g",
        "endpoints": {"teacher": {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key_env": None}},
        "tasks": [{"name": "t", "category": "general", "seeds": ["Say hi."]}],
        "output": "out/gen",
    }
    data.update(changes)
    return yaml.safe_dump(data, sort_keys=False)


@dataclass(frozen=True)
class Case:
    """One mistake: the command line (`{w}` is the case's folder), extra files it needs, and the text the error line
    must contain (the file or field it names)."""

    name: str
    args: tuple[str, ...]
    names: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    readonly: tuple[str, ...] = ()  # folders made read-only for this case


def case(name: str, args: str, names: str, readonly: tuple[str, ...] = (), **files: str | bytes) -> Case:
    return Case(name, tuple(args.split()), names, {k.replace("__", "."): v for k, v in files.items()}, readonly)


# File kinds a user hands in by mistake; each command that reads a user file meets them through one reader.
CASES: list[Case] = [
    # -- build: the recipe file, its settings, --set, its sources and its output --------------------------------------
    case("build/recipe-missing", "build {w}/nope.yaml", "nope.yaml"),
    case("build/recipe-not-utf8", "build {w}/r.yaml", "r.yaml", r__yaml=LATIN1),
    case("build/recipe-is-folder", "build {w}/folder", "folder"),
    case("build/recipe-empty", "build {w}/r.yaml", "r.yaml", r__yaml=""),
    case("build/recipe-binary", "build {w}/r.yaml", "r.yaml", r__yaml=BINARY),
    case("build/recipe-a-list", "build {w}/r.yaml", "r.yaml", r__yaml="- a\n- b\n"),
    case("build/recipe-bad-yaml", "build {w}/r.yaml", "r.yaml:3", r__yaml="name: x\nsources: [\n"),
    case("build/unknown-key", "build {w}/r.yaml", "allowed keys", r__yaml=build_recipe(filterz={})),
    case("build/wrong-type", "build {w}/r.yaml", "shard_rows", r__yaml=build_recipe(shard_rows="many")),
    case("build/unknown-name", "build demoo", "demoo"),
    case(
        "build/set-list-index-out-of-range",
        "build {w}/r.yaml --set sources.3.limit=10",
        "sources.3",
        r__yaml=build_recipe(),
    ),  # fmt: skip
    case("build/set-into-a-scalar", "build {w}/r.yaml --set name.x=1", "name", r__yaml=build_recipe()),
    case("build/set-unclosed-yaml", "build {w}/r.yaml --set name=[unclosed", "--set", r__yaml=build_recipe()),
    case("build/set-without-equals", "build {w}/r.yaml --set name", "--set", r__yaml=build_recipe()),
    case(
        "build/set-wrong-type", "build {w}/r.yaml --set sources.0.limit=lots", "sources.0.limit", r__yaml=build_recipe()
    ),  # fmt: skip
    case(
        "build/sample-typo",
        "build {w}/r.yaml",
        "sample:nope.jsonl",
        r__yaml=build_recipe(sources=[{"path": "sample:nope.jsonl"}]),
    ),  # fmt: skip
    case(
        "build/source-missing",
        "build {w}/r.yaml",
        "absent.jsonl",
        r__yaml=build_recipe(sources=[{"path": "absent.jsonl", "category": "general"}]),
    ),  # fmt: skip
    case(
        "build/source-not-utf8",
        "build {w}/r.yaml",
        "utf16.jsonl",
        r__yaml=build_recipe(sources=[{"path": "utf16.jsonl", "category": "general"}]),
    ),  # fmt: skip
    case(
        "build/source-empty-folder",
        "build {w}/r.yaml",
        "folder",
        r__yaml=build_recipe(sources=[{"path": "folder", "category": "general"}]),
    ),  # fmt: skip
    case("build/output-under-a-file", "build {w}/r.yaml", "afile", r__yaml=build_recipe(output="afile/out")),
    case("build/output-read-only", "build {w}/r.yaml", "ro", ("ro",), r__yaml=build_recipe(output="ro/out")),
    case("build/output-is-a-file", "build {w}/r.yaml", "afile", r__yaml=build_recipe(output="afile")),
    case(
        "build/earlier-output-kept",
        "build {w}/r.yaml",
        "absent.jsonl",
        r__yaml=build_recipe(sources=[{"path": "absent.jsonl", "category": "general"}], output="build"),
    ),
    # -- pairs --------------------------------------------------------------------------------------------------------
    case("pairs/recipe-not-utf8", "pairs {w}/r.yaml", "r.yaml", r__yaml=LATIN1),
    case("pairs/recipe-is-folder", "pairs {w}/folder", "folder"),
    case("pairs/unknown-key", "pairs {w}/r.yaml", "allowed keys", r__yaml=pairs_recipe(min_marginn=2)),
    case("pairs/wrong-type", "pairs {w}/r.yaml", "min_margin", r__yaml=pairs_recipe(min_margin="big")),
    case("pairs/set-unclosed-yaml", "pairs {w}/r.yaml --set name=[unclosed", "--set", r__yaml=pairs_recipe()),
    case(
        "pairs/sample-typo",
        "pairs {w}/r.yaml",
        "sample:nope.jsonl",
        r__yaml=pairs_recipe(sources=[{"path": "sample:nope.jsonl"}]),
    ),  # fmt: skip
    case("pairs/output-under-a-file", "pairs {w}/r.yaml", "afile", r__yaml=pairs_recipe(output="afile/out")),
    case("pairs/output-read-only", "pairs {w}/r.yaml", "ro", ("ro",), r__yaml=pairs_recipe(output="ro/out")),
    # -- generate (the recipe side; --dry-run calls nothing) ----------------------------------------------------------
    case("generate/recipe-not-utf8", "generate {w}/r.yaml --dry-run", "r.yaml", r__yaml=LATIN1),
    case("generate/recipe-is-folder", "generate {w}/folder --dry-run", "folder"),
    case("generate/unknown-key", "generate {w}/r.yaml --dry-run", "allowed keys", r__yaml=generate_recipe(seeed=1)),
    case("generate/wrong-type", "generate {w}/r.yaml --dry-run", "seed", r__yaml=generate_recipe(seed="x")),
    case(
        "generate/set-wrong-type",
        "generate {w}/r.yaml --dry-run --set tasks.0.turns=many",
        "tasks.0.turns",
        r__yaml=generate_recipe(),
    ),  # fmt: skip
    case(
        "generate/set-unclosed-yaml",
        "generate {w}/r.yaml --dry-run --set name=[unclosed",
        "--set",
        r__yaml=generate_recipe(),
    ),  # fmt: skip
    case(
        "generate/seeds-missing",
        "generate {w}/r.yaml --no-progress",
        "absent.jsonl",
        r__yaml=generate_recipe(tasks=[{"name": "t", "category": "general", "seeds": "absent.jsonl"}]),
    ),
    case(
        "generate/seeds-not-utf8",
        "generate {w}/r.yaml --no-progress",
        "s.jsonl",
        r__yaml=generate_recipe(tasks=[{"name": "t", "category": "general", "seeds": "s.jsonl"}]),
        s__jsonl='{"prompt": "caf\xe9"}\n'.encode("latin-1"),
    ),
    case(
        "generate/seeds-utf16",
        "generate {w}/r.yaml --dry-run",
        "s.jsonl",
        r__yaml=generate_recipe(tasks=[{"name": "t", "category": "general", "seeds": "s.jsonl"}]),
        s__jsonl='{"prompt": "hi"}\n'.encode("utf-16"),
    ),
    case(
        "generate/seeds-empty",
        "generate {w}/r.yaml --no-progress",
        "empty.jsonl",
        r__yaml=generate_recipe(tasks=[{"name": "t", "category": "general", "seeds": "empty.jsonl"}]),
    ),
    case(
        "generate/output-under-a-file",
        "generate {w}/r.yaml --no-progress",
        "afile",
        r__yaml=generate_recipe(output="afile/gen"),
    ),
    # -- convert: the input is checked before the destination's folder is created -------------------------------------
    case("convert/input-missing", "convert {w}/absent.jsonl {w}/new/out.parquet --to parquet", "absent.jsonl"),
    case("convert/input-not-utf8", "convert {w}/utf16.jsonl {w}/out.parquet --to parquet", "utf16.jsonl"),
    case("convert/input-empty", "convert {w}/empty.jsonl {w}/out.parquet --to parquet", "empty.jsonl"),
    case("convert/input-binary", "convert {w}/binary.jsonl {w}/out.parquet --to parquet", "binary.jsonl"),
    case("convert/input-empty-folder", "convert {w}/folder {w}/out.parquet --to parquet", "folder"),
    case("convert/dest-is-a-folder", "convert {w}/good.jsonl {w}/folder --to parquet", "folder"),
    case("convert/dest-under-a-file", "convert {w}/good.jsonl {w}/afile/out.parquet --to parquet", "afile"),
    case("convert/dest-read-only", "convert {w}/good.jsonl {w}/ro/out.parquet --to parquet", "ro", ("ro",)),
    case("convert/dest-is-the-input", "convert {w}/good.jsonl {w}/good.jsonl --to openai", "good.jsonl"),
    case(
        "convert/json-list-of-strings",
        "convert {w}/s.json {w}/out.parquet --to parquet",
        "s.json",
        s__json='["a", "b"]\n',
    ),
    case("convert/earlier-dest-kept", "convert {w}/utf16.jsonl {w}/afile --to openai", "utf16.jsonl"),
    # -- validate -----------------------------------------------------------------------------------------------------
    case("validate/input-missing", "validate {w}/absent.jsonl", "absent.jsonl"),
    case("validate/input-not-utf8", "validate {w}/utf16.jsonl", "utf16.jsonl"),
    case("validate/input-empty", "validate {w}/empty.jsonl", "empty.jsonl"),
    case("validate/input-binary", "validate {w}/binary.jsonl", "binary.jsonl"),
    case("validate/report-is-a-folder", "validate {w}/good.jsonl --report {w}/folder", "folder"),
    case("validate/report-under-a-file", "validate {w}/good.jsonl --report {w}/afile/r.jsonl", "afile"),
    case("validate/report-read-only", "validate {w}/good.jsonl --report {w}/ro/r.jsonl", "ro", ("ro",)),
    case("validate/report-missing-input", "validate {w}/absent.jsonl --report {w}/new/r.jsonl", "absent.jsonl"),
    case("validate/json-object-not-rows", "validate {w}/o.json --report {w}/r.jsonl", "o.json", o__json='{"a": 1}\n'),
    case("validate/earlier-report-kept", "validate {w}/utf16.jsonl --report {w}/afile", "utf16.jsonl"),
    # -- stats --------------------------------------------------------------------------------------------------------
    case("stats/input-not-utf8", "stats {w}/utf16.jsonl", "utf16.jsonl"),
    case("stats/input-empty", "stats {w}/empty.jsonl", "empty.jsonl"),
    case("stats/input-binary", "stats {w}/binary.jsonl", "binary.jsonl"),
    case("stats/input-folder", "stats {w}/folder", "folder"),
    case("stats/plain-text", "stats {w}/t.jsonl", "t.jsonl", t__jsonl="not json\nat all\n"),
    case("stats/tokenizer-empty-folder", "stats {w}/good.jsonl --tokenizer {w}/folder", "has no tokenizer.json"),
    # -- pull: the reference, then the destination --------------------------------------------------------------------
    case("pull/ref-missing", "pull {w}/absent {w}/dest", "absent"),
    case("pull/dest-under-a-file", "pull {w}/build {w}/afile/dest", "afile"),
    case("pull/dest-read-only", "pull {w}/build {w}/ro/dest", "ro", ("ro",)),
    case("pull/dest-is-a-file", "pull {w}/build {w}/afile", "afile"),
    case("pull/store-root-is-a-file", "pull file://{w}/afile/org/mix@v1 {w}/dest", "afile"),
    # -- publish ------------------------------------------------------------------------------------------------------
    case("publish/folder-missing", "publish {w}/absent --repo org/mix --version v2 --to {w}/store", "absent"),
    case("publish/folder-not-a-build", "publish {w}/folder --repo org/mix --version v2 --to {w}/store", "folder"),
    case("publish/store-root-is-a-file", "publish {w}/build --repo org/mix --version v2 --to {w}/afile", "afile"),
    case("publish/store-under-a-file", "publish {w}/build --repo org/mix --version v2 --to {w}/afile/s", "afile"),
    case("publish/store-read-only", "publish {w}/build --repo org/mix --version v2 --to {w}/ro", "ro", ("ro",)),
    case("rejected/folder-missing", "rejected {w}/absent", "absent"),
    case("rejected/folder-not-a-build", "rejected {w}/folder", "folder"),
    # -- verify and versions ------------------------------------------------------------------------------------------
    case("verify/folder-missing", "verify {w}/absent", "absent"),
    case("verify/folder-not-a-build", "verify {w}/folder", "folder"),
    case("verify/store-root-is-a-file", "verify file://{w}/afile/org/mix@v1", "afile"),
    case("versions/store-root-is-a-file", "versions org/mix --to {w}/afile", "afile"),
    case("versions/store-root-missing", "versions org/mix --to {w}/absent", "absent"),
]


def make_world(folder: Path, build: Path, store: Path, c: Case) -> None:
    """The starting files every case sees, plus the case's own."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good.jsonl").write_text(_good_rows(), encoding="utf-8")
    # Data files may hold a stray invalid byte (the readers replace and flag it); a file in another encoding as a
    # whole is the mistake: Windows tools save UTF-16 with a BOM.
    (folder / "utf16.jsonl").write_bytes(_good_rows().encode("utf-16"))
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "binary.jsonl").write_bytes(BINARY)
    (folder / "afile").write_text("a plain file\n", encoding="utf-8")
    (folder / "folder").mkdir()
    (folder / "ro").mkdir()
    shutil.copytree(build, folder / "build")
    shutil.copytree(store, folder / "store")
    for name, content in c.files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under `folder` with its content hash (folders as `dir`): two equal snapshots mean nothing changed."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        out[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    changed: list[str]

    def problems(self, c: Case) -> list[str]:
        """What breaks the promise; empty when the case is handled as it should be."""
        found = []
        if "Traceback" in self.stderr:
            found.append("traceback")
        if self.returncode != 2:
            found.append(f"exit {self.returncode}")
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        if len(lines) != 1 or not lines[0].startswith("error: "):
            found.append(f"{len(lines)} stderr lines")
        elif c.names not in lines[0]:
            found.append(f"line does not name {c.names!r}")
        if self.changed:
            found.append("left " + ", ".join(self.changed[:3]))
        return found


def _readonly_prefix(folders: list[Path]) -> list[str]:
    """Root ignores permission bits, so for root a read-only bind mount in a private mount namespace stands in."""
    if not folders:
        return []
    if os.geteuid() != 0:
        for f in folders:
            f.chmod(0o555)
        return []
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        # Without user and mount namespaces root has no read-only folder to try; say so rather than pass vacuously.
        raise RuntimeError("read-only cases run as root need `unshare -rm` (user and mount namespaces)")
    mounts = " && ".join(f"mount --bind {f} {f} && mount -o remount,bind,ro {f} {f}" for f in folders)
    return ["unshare", "-rm", "sh", "-c", f'{mounts} && exec "$@"', "sh"]


def run_case(c: Case, folder: Path, build: Path, store: Path, cache: Path, *, in_process: bool = False) -> Outcome:
    """Run one case in `folder` (created here); in-process runs the console script's `main()` in this interpreter
    (seconds faster per case), except for read-only cases, which need a process of their own."""
    make_world(folder, build, store, c)
    before = snapshot(folder)
    readonly = [folder / name for name in c.readonly]
    args = [a.replace("{w}", str(folder)) for a in c.args]
    try:
        if in_process and not readonly:
            returncode, stdout, stderr = _run_main(args, folder)
        else:
            env = {**os.environ, "HERMES_CACHE": str(cache), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
            cmd = [*_readonly_prefix(readonly), str(BIN / "hermes-data"), *args]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=folder, env=env, timeout=120)
            returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
    finally:
        for f in readonly:
            f.chmod(0o755)
    after = snapshot(folder)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return Outcome(returncode, stdout, stderr, changed)


def _run_main(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """`hermes-data ARGS` through the console script's entry point, in this process; an exception that escapes it
    is what a user would see as a traceback."""
    from hermes_data.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_argv = os.getcwd(), sys.argv
    os.chdir(cwd)
    sys.argv = ["hermes-data", *args]
    returncode = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                returncode = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            except Exception:  # noqa: BLE001 - the battery records it as a broken case
                traceback.print_exc(file=err)
                returncode = 1
    finally:
        os.chdir(old_cwd)
        sys.argv = old_argv
    return returncode, out.getvalue(), err.getvalue()


def make_fixtures(base: Path, *, in_process: bool = False) -> tuple[Path, Path, Path]:
    """A complete build folder and a store holding it as org/mix@v1 (through the CLI), and a cache folder."""
    base.mkdir(parents=True, exist_ok=True)
    cache = base / "cache"
    (base / "good.jsonl").write_text(_good_rows(), encoding="utf-8")
    (base / "r.yaml").write_text(build_recipe(output=str(base / "build"), filters={"min_tokens": 1}), encoding="utf-8")
    publish = ["publish", str(base / "build"), "--repo", "org/mix", "--version", "v1", "--to", str(base / "store")]
    for args in (["build", str(base / "r.yaml")], publish):
        if in_process:
            returncode, _, stderr = _run_main(args, base)
        else:
            env = {**os.environ, "HERMES_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
            done = subprocess.run([str(BIN / "hermes-data"), *args], capture_output=True, text=True, env=env)
            returncode, stderr = done.returncode, done.stderr
        assert returncode == 0, stderr
    return base / "build", base / "store", cache
