"""The extension points of 乡学通.

Every plugin (and the core itself, see ``core/core_plugin.py``) implements some of these with
``@hookimpl``. Each spec's docstring says what an implementation returns; a test fails when a
spec has no docstring or an implementation has no spec.

Example::

    from core.hookspecs import hookimpl

    class MyPlugin(Plugin):
        name = "myplugin"

        @hookimpl
        def nav_items(self, user):
            return [NavItem("myplugin.index", _l("我的插件"))]
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("xiangxuetong")
hookimpl = pluggy.HookimplMarker("xiangxuetong")

#: Template slots a plugin may fill through ``render_slot``; templates call ``slot(name)``.
SLOTS: dict[str, str] = {
    "home": "the public home page, below the welcome text",
    "dashboard": "the signed-in user's dashboard panels",
    "profile": "the user's own profile page (feeds, tokens, personal settings)",
    "admin": "the site administration index",
    "progress": "the reports progress page, below the villages (the page's ``?year=`` is in "
    "the request)",
    "assessment": "the annual assessment page, below its heading (e.g. a link to its method)",
    "volunteer_signup": "the volunteer sign-up page, above the form (e.g. the volunteer rules)",
}


# --- setup -----------------------------------------------------------------------------------


@hookspec
def register_blueprints():
    """Return a list of Flask blueprints that this plugin serves."""


@hookspec
def register_api():
    """Return a list of ``core.api.ApiBlueprint`` with this plugin's ``/api/v1`` endpoints.

    Kept in ``plugins/<name>/api.py``; their routes and schemas appear in the OpenAPI document
    only while the plugin is enabled. Example::

        @hookimpl
        def register_api(self):
            from plugins.library.api import blp

            return [blp]
    """


@hookspec
def register_permissions():
    """Return a list of ``Permission`` named ``<plugin>.<action>`` with their default roles."""


@hookspec
def register_services():
    """Return a dict of public service objects by name, for other plugins to look up."""


@hookspec
def register_commands():
    """Return a list of click commands or groups to add to the ``flask`` command line."""


@hookspec
def setup_app(app):
    """Finish setting ``app`` up: connect signal receivers, add template filters. Return None."""


# --- pages -----------------------------------------------------------------------------------


@hookspec
def nav_items(user):
    """Return a list of ``NavItem`` for the main navigation; core hides those ``user`` may not use."""


@hookspec
def render_slot(slot, user):
    """Return HTML (``Markup``) for the named template slot (see ``SLOTS``), or None."""


# --- data that crosses plugins ---------------------------------------------------------------


@hookspec
def calendar_entries(start, end, viewer, personal):
    """Return ``CalendarEntry`` items overlapping [start, end) that ``viewer`` (None: anonymous)
    may see; with ``personal`` true, only those ``viewer`` registered for, is assigned to or
    started. Each entry's ``url`` opens for everyone it is shown to (else ""), and its
    ``category_label`` is what people read (never an internal key)."""


@hookspec
def calendar_entry_tables():
    """Return the names of the tables (core ones included) whose rows make this plugin's public
    ``calendar_entries``: a change to any of them raises the plugin's calendar version, and
    pages, feeds and their ETags are keyed on it instead of re-running the query. Declaring
    promises the public entries depend on nothing else (not the viewer, not the clock beyond
    the window); a plugin that declares nothing is queried on every request, and one with only
    personal entries returns ``[]``. ``"table.column"`` narrows a table to the columns read
    (``"user_account.display_name"``)."""


@hookspec
def calendar_personal_tables():
    """Return the tables whose rows make this plugin's *personal* ``calendar_entries``.

    ``"table.column"`` names the column holding the person (``"volunteers_assignment.user_id"``):
    a change to such a row raises that person's calendar version (old and new person when it
    moves). A bare ``"table"`` is read for everyone's personal entries alike: a change raises
    the plugin's calendar version. A private feed's revalidation is then answered from these
    versions without running any plugin's query; while any plugin with calendar entries
    declares nothing here, every private feed request runs the queries."""


@hookspec
def report_metrics(unit_ids, start, end):
    """Return a list of ``Metric`` for the org units ``unit_ids`` over the period [start, end).

    ``start`` and ``end`` are local dates or aware datetimes. A figure counts only what ended
    inside the period and before now (``core.figures.figure_bounds``), and its evidence page
    lists exactly those items, found by the same function. A share (a completion rate) sets
    ``Metric.denominators``: reports then total it as Σnumerators / Σdenominators."""


@hookspec
def learning_entries(start, end):
    """Return ``LearningEntry`` items published in [start, end) (aware datetimes), newest last,
    for the 指尖学习 digest and Atom feed: e.g. a new lesson of an online course."""


@hookspec
def uploaded_files():
    """Return ``{subfolder of UPLOAD_DIR: {stored file name: what refers to it}}`` for every file
    this plugin's rows refer to (``flask uploads check`` finds orphans and missing files)."""


@hookspec
def audit_labels():
    """Return a dict of human labels for the audit log: this plugin's actions
    ("calendar.event_created") and the tables its records point at ("calendar_event")."""


@hookspec
def load_demo_data(town):
    """Add this plugin's demo data for the demo ``town`` (an OrgUnit); running twice adds nothing."""
