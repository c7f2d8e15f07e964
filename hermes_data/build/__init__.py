"""`hermes-data build`: recipe → read → validate → filter → dedup → balance → write (DESIGN §7)."""
