"""The medical tutor for med-school students."""

from tutor import ui

ui.chat_page("medical")
