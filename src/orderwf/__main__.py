from orderwf.cli.app import main

main()
