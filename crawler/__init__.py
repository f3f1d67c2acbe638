"""crawler engine of trilha."""
