"""Loading: catalog.yaml, agency.yaml and dataset.yaml into the frozen model, with the
structure problems of each file (JSON Schema, "did you mean")."""
