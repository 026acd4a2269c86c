"""``cbec bench``: parse floor, batch clearing and the online path, measured on the same traffic."""
