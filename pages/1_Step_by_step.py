"""Step-by-step solutions."""

from tutor import ui

ui.chat_page("step_by_step")
