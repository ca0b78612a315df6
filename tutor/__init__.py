"""Study tutor core: everything but the Streamlit pages.

Only ``tutor.ui`` imports streamlit; every other module is plain Python so it can
be tested with fakes and reused by scripts (bench/, training/).
"""

__version__ = "0.1.0"
