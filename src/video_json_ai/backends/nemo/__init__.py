"""The `nemo` backend: the five tools over the NemoVideo cloud API (see docs/cloud.md).

Layers, one job each: ``headers`` (attribution), ``auth`` (token, client id, session id in the
store), ``errors`` (code → user error), ``client`` (HTTP with recovery), ``sse`` (the agent's event
stream), ``multipart`` (streamed file uploads), ``draft`` (the cloud draft → a readable timeline),
``wording`` (GUI wording → tool names), ``routing`` (free text → action), ``backend`` (the Backend).
"""

from video_json_ai.backends.nemo.routing import Action, route

__all__ = ["Action", "route"]
