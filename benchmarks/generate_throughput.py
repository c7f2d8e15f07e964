"""Generation throughput against a local OpenAI-compatible server with a fixed latency, next to the ideal.

    python benchmarks/generate_throughput.py [--latency 0.2] [--concurrency 64 256] [--waves 50] [--runs 1]

The server (tests/generate/fakeopenai.py) runs in its own process so it does not share this one's CPU. With every
response taking exactly `latency` seconds, `concurrency` requests in flight can complete at most
`concurrency / latency` per second: the ideal. Two figures per concurrency:

- `pipeline`: the whole `hermes-data generate` path (items, templates, journal commits, completion checks,
  validator, records), one single-request item (a seed answered by content_generation) per request;
- `client`: `EndpointClient.complete` alone, to show how much of any gap is the HTTP client itself.

Each figure is completed requests over the wall time of `waves x concurrency` requests, including ramp-up (a fresh
client opens its connections inside the timed window), and the CPU milliseconds this process spent per request
(1000 / that is the most one process can complete per second, whatever the concurrency). The wall figures need
spare CPU: on a machine whose cores are busy with other work, the client and the server both wait to be scheduled
and fall short of ideal however little CPU they use, so the load average is printed with the results, and so is the
server's CPU per request (Linux), to show the server is not what caps them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hermes_data.generate.client import ChatRequest, EndpointClient
from hermes_data.generate.journal import Journal
from hermes_data.generate.recipe import GenerateRecipe
from hermes_data.generate.runner import build_clients, run_generation

SERVER = Path(__file__).resolve().parent.parent / "tests" / "generate" / "fakeopenai.py"


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(SERVER), "--latency", str(latency)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, f"http://127.0.0.1:{int(line.split()[1])}/v1"


def _recipe(base_url: str, concurrency: int, num: int, folder: str) -> GenerateRecipe:
    return GenerateRecipe.model_validate(
        {
            "name": "bench",
            "endpoints": {
                "local": {
                    "base_url": base_url,
                    "model": "m",
                    "api_key_env": None,
                    "max_concurrency": concurrency,
                    "timeout_s": 30,
                }
            },
            "tasks": [
                {
                    "name": "answer",
                    "category": "content_generation",
                    "seeds": [f"Write a two-line poem about the number {i}." for i in range(num)],
                }
            ],
            "output": f"{folder}/out",
            "journal": f"{folder}/journal.sqlite",
        }
    )


async def bench_pipeline(base_url: str, concurrency: int, num: int) -> tuple[float, float]:
    """(completed requests/s, CPU ms of this process per request) for the whole generate path."""
    with tempfile.TemporaryDirectory() as folder:
        recipe = _recipe(base_url, concurrency, num, folder)
        clients = build_clients(recipe)
        with Journal(recipe.journal) as journal:
            start, cpu = time.perf_counter(), time.process_time()
            result = await run_generation(recipe, journal, clients)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        await clients["local"].close()
    assert result.stats.requests_sent == num and len(result.records) == num, result.stats.reasons
    return num / elapsed, 1000 * cpu / num


async def bench_client(base_url: str, concurrency: int, num: int) -> tuple[float, float]:
    recipe = _recipe(base_url, concurrency, 1, "/tmp")
    client = EndpointClient("local", recipe.endpoints["local"], None)
    messages = [{"role": "user", "content": "Write a two-line poem."}]
    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client.complete(ChatRequest(f"b|{i}|x/answer|0", messages, 0.7, 64, i)) for i in range(num)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    await client.close()
    return num / elapsed, 1000 * cpu / num


def server_cpu_s(proc: subprocess.Popen) -> float | None:
    """CPU seconds the server process has used so far (Linux /proc), or None elsewhere."""
    try:
        with open(f"/proc/{proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _measure(proc: subprocess.Popen, bench, base_url: str, concurrency: int, num: int) -> tuple[float, float, str]:
    before = server_cpu_s(proc)
    rate, cpu = asyncio.run(bench(base_url, concurrency, num))
    after = server_cpu_s(proc)
    server = f"{1000 * (after - before) / num:.2f}" if before is not None and after is not None else "n/a"
    return rate, cpu, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--waves", type=int, default=50, help="requests per run = waves x concurrency")
    parser.add_argument("--runs", type=int, default=1, help="measure each concurrency this many times")
    args = parser.parse_args()
    proc, base_url = start_server(args.latency)
    load = "load average {:.2f} {:.2f} {:.2f} on {} CPUs".format(*os.getloadavg(), os.cpu_count())
    try:
        print(f"latency {args.latency * 1000:.0f} ms, {args.waves} waves per run; {load}")
        print(
            f"{'concurrency':>11} {'ideal/s':>8} {'pipeline/s':>11} {'% ideal':>8} {'cpu ms/req':>10} "
            f"{'client/s':>9} {'% ideal':>8} {'cpu ms/req':>10} {'server cpu ms/req':>17}"
        )
        for concurrency in args.concurrency:
            ideal = concurrency / args.latency
            num = concurrency * args.waves
            for _ in range(args.runs):
                pipeline, pipeline_cpu, _ = _measure(proc, bench_pipeline, base_url, concurrency, num)
                client, client_cpu, server = _measure(proc, bench_client, base_url, concurrency, num)
                print(
                    f"{concurrency:>11} {ideal:>8.0f} {pipeline:>11.0f} {pipeline / ideal:>8.0%} "
                    f"{pipeline_cpu:>10.2f} {client:>9.0f} {client / ideal:>8.0%} {client_cpu:>10.2f} {server:>17}",
                    flush=True,
                )
        print("after: load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
