"""Every write of the quality module (audits, inspections, nonconformances and 8D, costs)."""
