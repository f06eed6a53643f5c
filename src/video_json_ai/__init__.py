"""Video JSON AI: video files in, structured JSON out, over MCP."""

__version__ = "0.1.0"
