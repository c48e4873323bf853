"""Client-side access to stack services, as the runner (outside the stack network) sees them."""
