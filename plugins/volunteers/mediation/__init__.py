"""People's mediation (人民调解面对面): a sub-product of the volunteers plugin.

``models.py`` the case and its mediators, ``services.py`` who sees a case and the workflow steps,
``forms.py`` and ``views.py`` the pages (on the volunteers blueprint).
"""
