"""Study tutor: the entry point. Home page (model status, modes, recent sessions) and navigation.

Run it with `make run` (or `.venv/bin/streamlit run streamlit_app.py`).
"""

from tutor import ui

ui.run_app()
