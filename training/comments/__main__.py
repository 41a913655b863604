"""``python -m training.comments``."""

import sys

from training.comments.cli import _cli

sys.exit(_cli())
