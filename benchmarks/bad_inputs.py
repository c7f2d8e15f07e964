"""Run the bad-input battery of `hermes-data` (tests/cli/bad_inputs.py) and print which cases break the promise:
one line naming the file or field, exit 2, no traceback, nothing written, an earlier output left byte-identical.

    python benchmarks/bad_inputs.py            # a table of broken cases and the totals
    python benchmarks/bad_inputs.py --all      # every case with what it printed
    python benchmarks/bad_inputs.py --in-process   # faster: main() in this process (read-only cases still not)
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load_cases():
    spec = importlib.util.spec_from_file_location("bad_inputs", HERE.parent / "tests" / "cli" / "bad_inputs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true", help="Print every case, not only the broken ones.")
    parser.add_argument("--only", default="", help="Run the cases whose name contains this text.")
    parser.add_argument("--in-process", action="store_true", help="Run main() in this process (as the tests do).")
    args = parser.parse_args()
    bad = _load_cases()
    with tempfile.TemporaryDirectory(prefix="hermes-bad-inputs-") as tmp:
        build, store, cache = bad.make_fixtures(Path(tmp) / "fixtures")
        broken = 0
        cases = [c for c in bad.CASES if args.only in c.name]
        for i, case in enumerate(cases):
            outcome = bad.run_case(case, Path(tmp) / f"case-{i}", build, store, cache, in_process=args.in_process)
            problems = outcome.problems(case)
            broken += bool(problems)
            last = (outcome.stderr.strip().splitlines() or [""])[-1].replace(tmp, "…")[:300]
            if problems or args.all:
                print(f"{'BROKEN' if problems else 'ok    '} {case.name:<36} {'; '.join(problems) or '-'}")
                print(f"       {'':<36} rc={outcome.returncode} last stderr line: {last}")
        print(f"\n{broken} of {len(cases)} cases break the promise ({len(cases) - broken} handled)")


if __name__ == "__main__":
    main()
