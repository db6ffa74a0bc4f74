"""The tools a person runs, entered only from the command line: scaffold (with inference),
review, freshness and links, the preview server."""
