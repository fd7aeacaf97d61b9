"""Assigned learning: a course given to a group with a deadline, and the party roster."""
