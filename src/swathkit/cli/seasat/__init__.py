"""``swathkit seasat``: Seasat telemetry verbs."""
