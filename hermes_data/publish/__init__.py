"""Publishing and loading versioned mixes: the Hub (a tag per version) or any fsspec store (`ROOT/ORG/NAME/VERSION/`).

`refs` parses dataset references (DESIGN §7), `preflight` checks a folder before anything is written,
`fsspec_store` and `hub` are the two destinations, `fetch` opens, copies and verifies a reference, `versions` lists
what is published. `hermes_data.load_mix` sits on top of `fetch`.
"""
