"""reports engine of trilha."""
