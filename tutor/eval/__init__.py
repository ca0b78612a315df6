"""The evaluation command: ``python -m tutor.eval --model NAME [--no-checks]``.

- ``splits``  held-out rows of ../shared/data, fixed by a hash of each text (training leaves them out)
- ``sets``    the held-out items: generated symbolic problems, GSM8K, ChatDoctor, red flags
- ``score``   measures of one answer (final answer, labels, hint leaks/cuts, wrong results, medical)
- ``runner``  ask each item through ``tutor.chat.ask`` and summarise the records
- ``__main__`` the command line: a table on stdout, JSON with every record
"""
