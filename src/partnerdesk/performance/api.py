"""Metrics, service levels, measurements, period closes, credit proposals and scores over the
API."""

from ninja import Router

router = Router(tags=["performance"])
