"""The Streamlit UI: the only part of the core that imports streamlit.

Each page file calls one function from here; the sidebar is drawn once, by
``common.frame``. Anything that can go wrong is a ``TutorError`` and is shown on
the page that hit it, with what to do; the other pages keep working.
"""

from tutor.ui.chat_page import chat_page
from tutor.ui.dashboard import dashboard_page
from tutor.ui.pages import history_page, home_page, run_app
from tutor.ui.settings import settings_page

__all__ = ["chat_page", "dashboard_page", "history_page", "home_page", "run_app", "settings_page"]
