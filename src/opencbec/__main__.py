"""``python -m opencbec`` runs the ``cbec`` command."""

from opencbec.cli import main

main()
