"""Benchmarks and the generated corpora they (and some tests) use; not part of the library.

`breachlens bench` imports these lazily; they ship in the same distribution so the command works when installed.
"""
