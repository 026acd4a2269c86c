"""The pure domain: documents, codes, identifiers and money. No I/O imports allowed here."""
