"""The HTTP edge: request validation, routes, limits, auth."""
