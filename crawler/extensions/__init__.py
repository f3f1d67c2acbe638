"""Scrapy extensions of trilha's project."""
