"""Seasat SAR raw telemetry: the minor-frame layout and the decoded ``.hdr`` table."""
