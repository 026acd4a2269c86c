"""OpenCBEC: customs supervision and clearance for cross-border e-commerce."""

__version__ = "0.1.0"
