"""Instructor settings: which modes are on and which model each page uses."""

from tutor import ui

ui.settings_page()
