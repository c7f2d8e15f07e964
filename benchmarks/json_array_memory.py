"""Peak RSS of reading a large JSON array: the streamed reader vs `json.load` of the same file, in one run.

    python benchmarks/json_array_memory.py --rows 200000

Each read runs in its own child process so one's peak does not hide the other's; the file is written once to a
temporary folder and removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

_CHILD = {
    "streamed": ("from hermes_data.formats.jsonrows import iter_json_rows\nn = sum(1 for _ in iter_json_rows(PATH))\n"),
    "json.load": ("import json\nwith open(PATH, encoding='utf-8') as f:\n    n = len(json.load(f))\n"),
}
_REPORT = "import resource\nprint(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"


def write_array(path: str, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(rows):
            row = {"instruction": f"Question {i}: " + "why " * 40, "input": "", "output": "Because. " * 60}
            f.write(("," if i else "") + json.dumps(row) + "\n")
        f.write("]\n")


def peak_rss_mib(kind: str, path: str) -> tuple[int, float]:
    code = f"PATH = {path!r}\n" + _CHILD[kind] + _REPORT
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1]) / 1024  # ru_maxrss is KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rows.json")
        write_array(path, args.rows)
        size = os.path.getsize(path) / 2**20
        print(f"file: {args.rows} rows, {size:.0f} MiB")
        for kind in _CHILD:
            num, peak = peak_rss_mib(kind, path)
            print(f"{kind:10s} rows={num} peak_rss={peak:.0f} MiB")


if __name__ == "__main__":
    main()
