"""Core blueprints, one per module."""
