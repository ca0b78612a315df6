"""Hints that never give the answer away."""

from tutor import ui

ui.chat_page("hint")
