"""Training and evaluating the learned scorers (needs the `train` extra: scikit-learn).

`evaluate.train_from_shared` fits the shipped scorers on the gold sets of data/train.toml; `evaluate.evaluate`
scores the pipeline on a gold set, optionally cross-validated. The runtime never imports this package; its
modules are imported on use, so `breachlens --help` stays fast.
"""
