"""``swathkit seaice`` verbs (being built)."""

from __future__ import annotations

import argparse


def add(verbs: argparse._SubParsersAction) -> None:
    """Register the verbs of this module (none yet)."""
