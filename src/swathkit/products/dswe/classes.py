"""DSWE INWAM class codes (uint8) and the seed's scoring defaults."""

from __future__ import annotations

__all__ = [
    "CLOUD", "FILL", "INVALID_CLASSES", "LOW_CONFIDENCE_WATER", "MIN_VALID", "MIN_WATER",
    "NOT_WATER", "POTENTIAL_WETLAND", "WATER_CLASSES", "WATER_HIGH", "WATER_MODERATE",
]

NOT_WATER = 0
WATER_HIGH = 1  # water, high confidence
WATER_MODERATE = 2  # water, moderate confidence
POTENTIAL_WETLAND = 3
LOW_CONFIDENCE_WATER = 4  # low-confidence water or wetland
CLOUD = 9  # cloud, cloud shadow or snow
FILL = 255  # no data (outside the path, SLC-off stripes)

INVALID_CLASSES: tuple[int, ...] = (CLOUD, FILL)
"""The seed: valid = 1 − (n(255) + n(9)) / N."""
WATER_CLASSES: tuple[int, ...] = (WATER_HIGH, WATER_MODERATE)
"""The seed: water = (n(1) + n(2)) / N."""
MIN_VALID = 0.5
"""The seed keeps a pair with valid ≥ 0.5 …"""
MIN_WATER = 0.05
"""… and water ≥ 0.05."""
