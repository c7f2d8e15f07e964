"""`hermes-data generate` (DESIGN §7, issue 4): Evol-Instruct and per-category generators over OpenAI-compatible
endpoints, with a per-request journal so a crashed or killed run resumes without paying twice.

    recipe.py     the strict YAML recipe            client.py   AsyncOpenAI, limits, retries, completion checks
    journal.py    durable per-request responses     context.py  one generator step = one journaled request
    items.py      seeds/counts -> items             runner.py   tasks and items, concurrently; dry run
    evol.py, categories.py, roleplay.py, tool_use.py, rag.py, judge.py   the generators
    templates.py  sandboxed Jinja2 (hermes_data/templates/)      output.py   atomic folder + manifest
"""
