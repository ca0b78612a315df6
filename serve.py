"""Study tutor with its sign-in pages: `make run` (personal) or `make run-class` (class mode).

    .venv/bin/streamlit run serve.py --server.address 127.0.0.1            # personal (TUTOR_MODE unset)
    TUTOR_MODE=class .venv/bin/streamlit run serve.py --server.address 0.0.0.0

Streamlit finds ``app`` below and serves streamlit_app.py through it, with the account
routes of tutor/ui/account_routes.py (sign-in forms that set an HttpOnly cookie) and, in
class mode, a redirect of signed-out page requests to /account/login.
"""

import streamlit as st
from starlette.middleware import Middleware

from tutor.ui.account_routes import SignInRedirect, routes

app = st.App("streamlit_app.py", routes=routes(), middleware=[Middleware(SignInRedirect)])
