"""``swathkit seasat``: the Seasat SAR raw-telemetry verbs."""
