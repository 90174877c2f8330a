"""What several test suites share (actors, cooperatives, servers)."""
