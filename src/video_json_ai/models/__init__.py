"""The pydantic models: the one definition of the JSON schema (``report.Report`` is the top)."""
