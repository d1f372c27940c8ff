"""Synthetic SMAP products, format-faithful to the real files (h5py), truth recoverable."""
