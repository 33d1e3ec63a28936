"""orderwf: an online shop's order workflow, run from YAML."""

__version__ = "0.1.0"
