"""Every claim across many seeds: chapters x seeds (x parameter grids) on Dask.

``run`` executes runs on a cluster and keeps their notebooks, ``runs`` plans,
validates, keeps and collects them, ``robustness`` summarises what they say about
each claim; ``python -m bookkit.sweep`` is the command line. No chapter imports it.
"""
