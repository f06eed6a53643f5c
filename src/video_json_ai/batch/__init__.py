"""Batch extraction: many videos into one folder of reports and an index, resumable, on this
machine (a process pool) or on a Ray cluster.

inputs (what to read) -> runner (what to do, resume) -> engines (where it runs: work.py per video)
-> outputs + index (what is written). ``cli.py`` is the ``video-json-ai batch`` command;
``service.py`` is the same batch as one job of the MCP server.
"""
