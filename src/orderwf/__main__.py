from orderwf.cli import main

main()
