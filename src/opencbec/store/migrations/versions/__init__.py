"""Alembic revisions of the OpenCBEC schema (one file per revision, written by hand)."""
