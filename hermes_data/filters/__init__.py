"""Row filters of `hermes-data build` (DESIGN §7): each module decides which rows a stage drops and why."""
