"""Cross-border e-commerce exports: list release, consolidated declaration, returns.

The modules here are pure (no I/O imports) except :mod:`opencbec.export.cli`, the Typer app.
"""
