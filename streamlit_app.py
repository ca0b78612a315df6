"""Study tutor, home page: model status, the modes, recent sessions.

Run it with `make run` (or `.venv/bin/streamlit run streamlit_app.py`).
"""

from tutor import ui

ui.home_page()
