"""Mention extractors: each finds one kind of thing in text and returns spans with offsets.

They are plain functions over strings (and, for organisations, spaCy tokens), so they test on a blank pipeline
and run anywhere. The rule data they use lives in `patterns.py`, apart from the logic.
"""
