"""graph engine of trilha."""
