"""Seasat jobs: clean decoded header tables (and, with the decoder, decode raw telemetry)."""
