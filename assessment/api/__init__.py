"""The assessment over the API: categories, units, schemes (indicators, notes), marks and scores.

Reading is scoped by role (core.api.base); marks change only through `services.set_mark` and
`services.bulk_set_marks`, so the API refuses exactly what the browser refuses, in the same words.

- `schemes.py`: the directory — categories, units, schemes with their declared parts (assessment.scheme_fields);
- `marks.py`: the cells of the progress tables, read as every page shows them (assessment.cells) and written
  one by one or in batches;
- `scores.py`: the year's scores, the same figures as the scores page (assessment.scoring).
"""
