"""The `nemo` backend: the five tools over the NemoVideo cloud API (the contract:
../shared/spec/nemo-api.md; tested against tests/nemo_emulator.py).

Layers, one job each: ``headers`` (attribution), ``auth`` (token, client id, session id in the
store), ``errors`` (code → user error), ``client`` (HTTP with recovery), ``sse`` (the agent's event
stream), ``multipart`` (streamed file uploads), ``draft`` (the cloud draft → a readable timeline),
``wording`` (GUI wording → tool names), ``routing`` (free text → action), ``api`` (request and
response models), ``answer`` (the message sent, JSON in replies), ``backend`` (the Backend).
"""

from video_json_ai.backends.nemo.routing import Action, route

__all__ = ["Action", "route"]
