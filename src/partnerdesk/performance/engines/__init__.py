"""Pure-Python calculation engines for partner performance: no Django imports."""
