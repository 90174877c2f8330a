"""One controller per area of the site."""
