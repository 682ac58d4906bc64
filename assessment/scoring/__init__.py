"""Scores from the rules: the rules as data, live and frozen scores, deductions, the pages."""
