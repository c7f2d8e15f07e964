from hermes_data.cli import main

main()
