import sys

from .launch import start_early

start_early(sys.argv[1:])

from .cli import main  # noqa: E402  (after the early start, on purpose)

sys.exit(main())
