"""Use cases: one function each, owning its transaction; web controllers call nothing else."""
