"""Pure-Python calculation engines for quality control: no Django imports."""
