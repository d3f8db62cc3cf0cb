"""The per-document stages `pipeline` runs (clean, segment, nlp, extract, assertions, attribute) and the
cross-document ones (resolve, dedupe, enrich): pure functions over `records` types."""
