"""``python -m opencbec`` runs the ``cbec`` command."""

from opencbec.entry import main

main()
