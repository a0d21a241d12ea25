"""The tools as an OpenAPI tool server at `/tools` (Open WebUI: 设置 → 工具 → 工具服务器; any client
that reads an OpenAPI description): `GET /tools/openapi.json`, `POST /tools/<tool>` with the tool's
parameters as a JSON object. The same functions as the MCP tools (`assistant.plugin.tools`).

A user error answers 400 `{"detail": "<one line>"}`.
"""

from typing import Any

from core.errors import BiganziError
from core.settings import Settings

TITLE = "笔杆子工具"


def build_tool_app(settings: Settings) -> Any:
    """A FastAPI app (mounted at /tools by ui/server.py) with one POST route per tool."""
    import inspect

    from fastapi import FastAPI
    from fastapi.responses import JSONResponse
    from pydantic import create_model
    from starlette.concurrency import run_in_threadpool

    from assistant.plugin.tools import TOOLS, bind, parameters

    app = FastAPI(
        title=TITLE,
        version="1",
        description="参照往年材料起草工作总结：检索、起草、改写、套改、校对、解析数据、历年指标。",
        docs_url=None,
        redoc_url=None,
    )

    @app.exception_handler(BiganziError)
    async def user_error(_request: Any, exc: BiganziError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    for tool in TOOLS:
        fields: dict[str, Any] = {
            p.name: (p.annotation, ... if p.default is inspect.Parameter.empty else p.default)
            for p in parameters(tool.fn)
        }
        body_model = create_model(f"{tool.name}_input", **fields)
        call = bind(tool.fn, settings)

        def endpoint_for(call: Any, body_model: Any) -> Any:
            async def endpoint(body: Any) -> Any:
                return await run_in_threadpool(call, **body.model_dump())

            endpoint.__annotations__ = {"body": body_model, "return": Any}
            return endpoint

        app.add_api_route(
            f"/{tool.name}",
            endpoint_for(call, body_model),
            methods=["POST"],
            operation_id=tool.name,
            summary=tool.description.split("。")[0],
            description=tool.description,
        )
    return app
