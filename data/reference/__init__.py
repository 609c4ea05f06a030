"""The authority register's files (see README.md here), installed as the package data of harvester.reference."""
