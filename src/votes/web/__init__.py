"""HTTP: Litestar controllers, forms, guards and server-rendered pages."""
