"""bookkit: the book's machinery, beside the papers' science (``com``).

Chapters import both; ``com`` never imports ``bookkit``. Nothing here is imported
until used, so that ``python -m bookkit.chapters`` runs with any ``python3``.

``chapter``     setup(seed), stream(seed, *names), progress bars for com's loops
``params``      each chapter's parameters: rules, validation, unknown names
``chapters``    THE chapter list, scales, parameter sets, what results depend on
``cache``       finished work on disk (with ``fingerprint`` and ``streams``, its keys)
``claims``      Claims (verdicts, table, strict) and glue
``plotting``    the book's one plotting style
``provenance``  the facts of the run behind a page
``sweep``       every claim across many seeds, on Dask (``python -m bookkit.sweep``)
``build``       staging, notebooks from their .py, the Sphinx extension, bad values,
                profiles (``python -m bookkit.build.<tool>``)
"""
