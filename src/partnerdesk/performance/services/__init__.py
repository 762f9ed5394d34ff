"""Writes of the performance app: metrics, service levels and their terms, exclusions,
measurements (entry, import, corrections), period closes and scorecard policies."""
