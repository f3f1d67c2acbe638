"""The spider that checks the resources of a study list (thin: adapters parse, classify decides)."""
