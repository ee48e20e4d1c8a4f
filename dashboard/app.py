"""News topics & sentiment dashboard.

Run from the repository root::

    streamlit run dashboard/app.py                      # analyses seeds/
    streamlit run dashboard/app.py -- --source PATH --cache-dir DIR

The page itself is :mod:`dashboard.page`.  This script only puts the repository on the
path and calls it: Streamlit compiles the script it runs (a test runner on every run),
and a module is compiled once.
"""
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ first
    sys.path.insert(0, str(_ROOT))

from dashboard.page import main  # noqa: E402

# Streamlit runs this script as __main__; a worker process that imports it under
# another name must not draw the page again.
if __name__ == "__main__":
    main()
