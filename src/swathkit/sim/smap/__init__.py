"""Synthetic SMAP products, format-faithful to the real files (h5py), truth recoverable.

- :mod:`~swathkit.sim.smap.orbit`: the SMAP orbit (685 km, 98.1°, 6 AM descending /
  6 PM ascending, 8-day repeat) and which points a half orbit's 1000 km swath sees;
- :mod:`~swathkit.sim.smap.earth`: soil moisture, frozen ground, water and L-band
  emission from the synthetic Earth; :mod:`~swathkit.sim.smap.coverage`: cells seen;
- writers: :mod:`~swathkit.sim.smap.l3` (L3_SM_P, L3_SM_P_E), :mod:`~swathkit.sim.smap.l2`
  (L2_SM_P, L2_SM_P_E), :mod:`~swathkit.sim.smap.l1c` (L1C_TB), :mod:`~swathkit.sim.smap.l1b`
  (L1B_TB), :mod:`~swathkit.sim.smap.l1c_s0` (L1C_S0_HiRes), through
  :mod:`~swathkit.sim.smap.h5out`; :func:`swathkit.sim.smap.generate.write_smap` runs them.
"""
