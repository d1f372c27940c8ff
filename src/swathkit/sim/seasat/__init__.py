"""Simulated Seasat SAR: raw telemetry streams with the archive's damage, header truth and its
corruptions, and the truth of both."""
