"""Built-in plugins of 乡学通: calendar, lecturers, volunteers, competitions."""
