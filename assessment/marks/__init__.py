"""Marks and the entry grid: every mark change, the grid, a cell's history."""
