"""Pure-Python tallies: standard library only, no I/O, no framework."""
