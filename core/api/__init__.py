"""What every app's API shares (`base`), its documentation page (`docs`) and the office's API tokens (`tokens`)."""
