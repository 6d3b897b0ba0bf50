"""Optical mark recognition for Romanian medical exam answer sheets."""

__version__ = "0.1.0"
