"""What the commands run: the build's plan (plan.py), building decks in worker processes and the site's
index (builder.py), and --watch (watch.py). The commands parse, print and return exit codes."""
