"""Where products live and how to ask for them (catalogues and file servers)."""
