"""Simulated Seasat SAR: raw telemetry streams with the archive's damage, and their truth."""
