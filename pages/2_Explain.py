"""Explanations."""

from tutor import ui

ui.chat_page("explain")
