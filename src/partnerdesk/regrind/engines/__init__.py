"""Pure computation for the regrind module (control charts, run rules, capability, reading
checks): no Django imports."""
