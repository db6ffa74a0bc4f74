"""The core: the model, problems, the contract, YAML with line numbers, cell values.

The bottom layer. It imports nothing of the catalog's other layers (a test says so)."""
