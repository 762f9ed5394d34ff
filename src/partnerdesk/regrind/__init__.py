"""Regrind ratio control: production lines and dosing units, readings at volume, statistical
process control and the monthly team precision ranking."""
