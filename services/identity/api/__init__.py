"""The identity service's routes, one module per resource."""
