"""Validation rules, one module per concern. Each returns a list of Problems."""
