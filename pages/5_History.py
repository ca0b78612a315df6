"""Past sessions: reopen and continue, search, delete, export."""

from tutor import ui

ui.history_page()
