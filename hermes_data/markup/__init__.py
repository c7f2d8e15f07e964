"""Hermes markup (DESIGN §4): parse and render the text forms that live inside message content."""
