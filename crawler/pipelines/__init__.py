"""Item pipelines of trilha's Scrapy project."""
