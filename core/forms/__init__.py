"""WTForms (Flask-WTF) forms of the core pages; messages are Chinese."""
