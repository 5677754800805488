"""Building the book: ``stage`` (what the book shows about its own build),
``notebooks`` (book/<chapter>.ipynb from its .py), ``book_sphinx`` (the Sphinx
extension and stylesheet), ``bad_values`` (every parameter given bad values) and
``profile`` (chapters under cProfile). Each runs as ``python -m bookkit.build.<name>``;
no chapter imports them."""
