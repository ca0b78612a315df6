"""`python -m tutor.models list | add | fetch`: the registry's command line lives in tutor/models_cli.py.

The registry (tutor/models/__init__.py) never imports its command line; only this entry point does.
"""

import sys

from tutor.models_cli import main

sys.exit(main())
