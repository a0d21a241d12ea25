"""笔杆子 as a plugin for the chat tools bureaus already run: an OpenAI-compatible model
(`openai_api`), Dify's External Knowledge API (`dify`), an MCP server (`mcp_server`), and who may
call them (`access`). `ui/server.py` puts them beside the page in one ASGI app; `biganzi mcp`
serves the MCP tools over stdio."""
