"""``swathkit seasat``: Seasat SAR telemetry verbs (decode raw frames, clean time tags)."""
