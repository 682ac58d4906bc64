"""The office's own administration in the browser (/office/units/, /office/schemes/): units, and each year's
indicators. The services here (`units`, `indicators`) are the one way the portal changes them; the rules
they apply live in the models (`Unit.clean`, `Indicator.clean`, `deletion_refusal`), shared with the Excel
import and the IT administrator's /admin/."""
