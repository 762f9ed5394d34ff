"""The finance import API: order, receipt and invoice lines from CSV or XLSX files."""

from ninja import Router

router = Router(tags=["finance imports"])
