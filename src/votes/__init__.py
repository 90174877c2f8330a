"""votes: democratic decisions and voting for cooperatives."""
