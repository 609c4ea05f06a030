"""Scrapy's own commands, made to run the harvester as its own command does (settings COMMANDS_MODULE)."""
