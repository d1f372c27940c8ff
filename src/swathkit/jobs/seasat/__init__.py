"""Seasat SAR jobs: decode raw telemetry into range-line segments; clean their header tables."""
