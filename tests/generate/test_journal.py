from __future__ import annotations

import asyncio

from hermes_data.generate.journal import Journal, Reply, read_journal_keys, request_key


def test_reply_survives_reopen_and_body_change_is_not_reused(tmp_path):
    path = tmp_path / "j.sqlite"
    reply = Reply("hello", "stop", "m", prompt_tokens=3, completion_tokens=2, cost=0.5)
    key = request_key("task", "00001", "evol/deepen.r1", 0)

    async def write() -> None:
        with Journal(path) as journal:
            await journal.append(key, "sha-a", reply)

    asyncio.run(write())
    with Journal(path) as journal:
        assert journal.get(key, "sha-a") == reply
        assert journal.get(key, "sha-b") is None  # the template or parameters changed: a different request
        assert journal.get(request_key("task", "00001", "evol/deepen.r1", 1), "sha-a") is None
        assert journal.total_cost() == 0.5
    assert read_journal_keys(path) == {"task|00001|evol/deepen.r1|0"}


def test_concurrent_appends_are_all_committed(tmp_path):
    path = tmp_path / "j.sqlite"

    async def write() -> None:
        with Journal(path) as journal:
            await asyncio.gather(*(journal.append(f"k{i}", "s", Reply(str(i), "stop", "m")) for i in range(300)))
            assert len(journal) == 300

    asyncio.run(write())
    assert len(read_journal_keys(path)) == 300
