"""`hermes-data generate` (DESIGN §7, issue 4): Evol-Instruct and per-category generators over OpenAI-compatible
endpoints, with a per-request journal so a crashed or killed run resumes without paying twice.

    recipe.py      the strict YAML recipe                 items.py     seeds or counts -> items, --limit, --shard
    seeds.py       seed rows streamed (JSONL, Parquet, Hub)  structure_files.py  tool files, JSON Schema files
    client.py      AsyncOpenAI, limits, retries, checks   journal.py   durable per-request responses (SQLite WAL)
    context.py     one generator step = one journaled, validated request (attempts.py: the retry/journal loop)
    evol.py, categories.py, roleplay.py, tool_use.py, tool_episode.py, json_mode.py, rag.py, judge.py
                   the generators                         scaffold.py  the Figure 9 coding scaffold check
    templates.py   sandboxed Jinja2 over hermes_data/templates/, overridable per task
    runner.py      tasks and items, concurrently; dry run  stats.py     counters and the progress bar
    output.py      atomic output folder + manifest        pipeline.py  recipe -> output folder in one call
    pacing.py      rate limits and Retry-After for client.py
"""
