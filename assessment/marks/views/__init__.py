"""The entry grid's pages: `entry` (a year's overview, a category's grid, cell saves, bulk set, history, undo,
new year) and `due` (another due date for one cell)."""
