"""The REST API (bearer tokens) under ``/api``."""
