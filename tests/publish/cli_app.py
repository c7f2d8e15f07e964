"""`hermes-data` with the publish commands registered, for subprocess tests.

Runs the real `hermes_data.cli.main` (user errors → one line, exit 2). The commands are added here only when
`hermes_data/cli/__init__.py` does not register them yet, so the tests exercise the real registration once it does.
"""

from hermes_data.cli import app, main
from hermes_data.cli.publish import publish_command
from hermes_data.cli.pull import pull_command
from hermes_data.cli.verify import verify_command
from hermes_data.cli.versions import versions_command

COMMANDS = {"publish": publish_command, "pull": pull_command, "verify": verify_command, "versions": versions_command}

if __name__ == "__main__":
    registered = {command.name for command in app.registered_commands}
    for name, command in COMMANDS.items():
        if name not in registered:
            app.command(name)(command)
    main()
