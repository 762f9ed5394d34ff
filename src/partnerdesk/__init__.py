"""Partnerdesk: outsourcing management with connected controls and incentives."""

__version__ = "0.1.0"
