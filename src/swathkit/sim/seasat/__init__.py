"""Simulated Seasat: header truth and corruptions of decoded takes."""
