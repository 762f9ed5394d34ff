"""The finance API: documents, reviews, payment status, exceptions, reconciliations."""

from ninja import Router

router = Router(tags=["finance"])
