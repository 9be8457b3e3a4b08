"""SPBE crawler: survey, health, inventory and monitoring of Indonesian local-government websites."""

__version__ = "0.1.0"
