"""Steering the programme: tasks, visits, meetings, counsellor areas, the standard, rules."""
