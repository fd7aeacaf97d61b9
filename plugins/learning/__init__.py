"""Online learning: courses, lessons, progress, assigned learning and daily practice."""
