"""Imports from Excel: marks, units and schemes, the scheme JSON loader, the pages."""
