"""Naboskap: neighbourhood networks in residents' pockets."""

__version__ = "0.1.0"
