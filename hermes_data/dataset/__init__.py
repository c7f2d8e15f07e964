"""The dataset-folder format every command writes and reads: `data/` shards, `rejected/` rows with their `stage`,
`reason` and `detail`, the card, and `manifest.json` (hashes, stats, funnel) written last.

    manifest.py  manifest read/write, `ContentHasher` / `content_sha256`, `verify_folder`
    folder.py    atomic folder writes, shard writing, `write_text`, the rejected-row columns
    card.py      the build card (`render_card`) and the table helpers other cards share
"""
