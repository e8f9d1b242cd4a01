from oncospine.cli import main

main()
