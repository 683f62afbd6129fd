"""Escucha: brand-perception monitor."""

__version__ = "0.1.0"
