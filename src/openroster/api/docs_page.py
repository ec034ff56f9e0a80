"""The human-readable API reference: one self-contained HTML page rendered from the OpenAPI document."""

from __future__ import annotations

import re
from html import escape
from typing import Any

Schema = dict[str, Any]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:1.6rem 0 .4rem;font-size:1.05rem}code{font:13px ui-monospace,monospace;background:#f3f4f6;
padding:.05rem .3rem;border-radius:3px}table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;color:#fff;font-weight:600;
font-size:13px;padding:.05rem .4rem;margin-right:.5rem}.get{background:#1f6feb}.put{background:#9a6700}
.delete{background:#cf222e}nav a{margin-right:1rem}.op{border-top:1px solid #eaeef2;padding-top:.4rem}
"""


def _text(markdown: str) -> str:
    """Escaped text with `code` spans (all the markup the document's descriptions use)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(markdown))


def _link(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'


def describe(schema: Schema) -> str:
    """A short HTML description of a schema: its type, enumeration, pattern or referenced schema."""
    if "$ref" in schema:
        return _link(schema["$ref"])
    if "anyOf" in schema:
        return " or ".join(describe(s) for s in schema["anyOf"])
    if "allOf" in schema:
        return " and ".join(describe(s) for s in schema["allOf"])
    if "const" in schema:
        return f"<code>{escape(str(schema['const']))}</code>"
    kind = schema.get("type", "any")
    text = " or ".join(kind) if isinstance(kind, list) else str(kind)
    if kind == "array":
        text = f"array of {describe(schema.get('items', {}))}"
    if "enum" in schema:
        text += ": " + ", ".join(f"<code>{escape(str(v))}</code>" for v in schema["enum"])
    if "format" in schema:
        text += f" ({escape(schema['format'])})"
    if "pattern" in schema and "format" not in schema:
        text += f" matching <code>{escape(schema['pattern'])}</code>"
    bounds = [
        f"{label} {schema[key]}"
        for key, label in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"))
        if key in schema
    ]
    if bounds:
        text += " (" + ", ".join(bounds) + ")"
    return text


def _examples(parameter: Schema) -> str:
    values = [e["value"] for e in parameter.get("examples", {}).values()]
    return "<br>e.g. " + ", ".join(f"<code>{escape(v)}</code>" for v in values) if values else ""


def _parameters(parameters: list[Schema]) -> str:
    if not parameters:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{'yes' if p.get('required') else ''}</td><td>{describe(p['schema'])}</td>"
        f"<td>{_text(p.get('description', ''))}{_examples(p)}</td></tr>"
        for p in parameters
    )
    return (
        "<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th><th>meaning</th></tr>"
        f"{rows}</table>"
    )


def _responses(responses: Schema) -> str:
    rows = []
    for status, response in responses.items():
        content = response.get("content", {}).get("application/json", {}).get("schema")
        body = describe(content) if content else ""
        if content and "properties" in content:
            body = ", ".join(
                f"<code>{escape(k)}</code>: {describe(v)}" for k, v in content["properties"].items()
            )
        rows.append(
            f"<tr><td>{escape(status)}</td><td>{_text(response['description'])}</td><td>{body}</td></tr>"
        )
    return f"<table><tr><th>status</th><th>when</th><th>body</th></tr>{''.join(rows)}</table>"


def _operation(path: str, method: str, operation: Schema) -> str:
    parts = [
        f'<div class="op" id="{escape(operation["operationId"])}"><h3><span class="m {method}">'
        f"{method.upper()}</span><code>{escape(path)}</code> {escape(operation['summary'])}</h3>",
        f"<p><code>{escape(operation['operationId'])}</code>. {_text(operation['description'])}</p>",
        _parameters(operation["parameters"]),
    ]
    body = operation.get("requestBody")
    if body:
        schema = body["content"]["application/json"]["schema"]
        key = escape(schema["required"][0])
        parts.append(
            f'<p>Body (JSON): <code>{{"{key}": ...}}</code>, the value a '
            f"{describe(schema['properties'][schema['required'][0]])}</p>"
        )
    parts.append(_responses(operation["responses"]))
    return "".join(parts) + "</div>"


def _schema(name: str, schema: Schema) -> str:
    head = f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>'
    if schema.get("description"):
        head += f"<p>{_text(schema['description'])}</p>"
    if "allOf" in schema:
        head += (
            f"<p>{describe(schema)}; required: "
            + ", ".join(f"<code>{escape(r)}</code>" for r in schema.get("required", []))
            + "</p>"
        )
        return head
    properties = schema.get("properties")
    if not properties:
        return head + f"<p>{describe(schema)}</p>"
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{escape(k)}</code></td><td>{'yes' if k in required else ''}</td>"
        f"<td>{describe(v)}</td><td>{_text(v.get('description', ''))}</td></tr>"
        for k, v in properties.items()
    )
    return head + (f"<table><tr><th>field</th><th>required</th><th>type</th><th>note</th></tr>{rows}</table>")


def docs_page(document: Schema) -> str:
    """The whole reference page for `document` (an OpenAPI 3.1 document from `openapi_document`)."""
    info, components = document["info"], document["components"]
    server = document["servers"][0]["url"]
    oauth2 = components["securitySchemes"]["oauth2"]
    flow = oauth2["flows"]["clientCredentials"]
    scope_rows = "".join(
        f"<tr><td><code>{escape(s)}</code></td><td>{escape(t)}</td></tr>" for s, t in flow["scopes"].items()
    )
    sections = []
    for tag in document["tags"]:
        ops = [
            _operation(path, method, op)
            for path, item in document["paths"].items()
            for method, op in item.items()
            if tag["name"] in op["tags"]
        ]
        sections.append(
            f'<h2 id="tag-{escape(tag["name"])}">{escape(tag["name"])} '
            f"({escape(tag['description'])}, {len(ops)} operations)</h2>" + "".join(ops)
        )
    schemas = "".join(_schema(name, s) for name, s in components["schemas"].items())
    nav = "".join(f'<a href="#tag-{escape(t["name"])}">{escape(t["name"])}</a>' for t in document["tags"])
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(info["title"])}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head><body>'
        f"<h1>{escape(info['title'])}</h1><p>Version {escape(info['version'])}. {escape(info['description'])}</p>"
        f"<p>Base URL: <code>{escape(server)}</code>. Machine-readable: "
        f'<a href="openapi.json">openapi.json</a> (OpenAPI {escape(document["openapi"])}).</p>'
        f'<nav>{nav}<a href="#schemas">Schemas</a></nav>'
        f"<h2>Authentication</h2><p>{_text(oauth2['description'])} Token URL: "
        f"<code>{escape(flow['tokenUrl'])}</code>.</p>"
        f"<p>{_text(components['securitySchemes']['oauth1']['description'])}</p>"
        f"<table><tr><th>scope</th><th>grants</th></tr>{scope_rows}</table>"
        + "".join(sections)
        + f'<h2 id="schemas">Schemas</h2>{schemas}</body></html>'
    )
