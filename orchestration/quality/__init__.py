"""Great Expectations suites over the raw batches and the public marts, run as Dagster checks.

``suites`` holds every expectation as data, each with its severity
(blocking or warning) in its ``meta``; ``frames`` reads the small DataFrames
the suites judge (the rows of the batches loaded in a run, per-partner and
per-program aggregates of the marts); ``validate`` runs a suite on a frame
and builds the Data Docs site; ``checks`` turns it all into Dagster asset
checks.
"""
