"""Publishing and loading versioned mixes: the Hub (a tag per version) or any fsspec store (`ROOT/ORG/NAME/VERSION/`).

`refs` parses dataset references (DESIGN §7); `preflight` checks a folder and its card before anything is written;
`publisher.publish` sends it to one of the two destinations, `hub` or `fsspec_store`; `fetch` opens, copies and
verifies a reference, with the checks of `integrity`; `versions` lists what is published. `hermes_data.load_mix`
(hermes_data/load.py) sits on top of `fetch`.
"""
