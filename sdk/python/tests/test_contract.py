"""The SDK's types against schemas/admin-api.openapi.json, the one description of what the admin API takes and returns:
each answer's typed dictionary has the component schema's name and exactly its keys, required and optional; what the
SDK sends is built from keyword arguments the request schemas know. (test/contract/pythonSdk.test.ts validates every
answer these tests receive against the same document.)"""

from __future__ import annotations

import inspect
import json
import typing
import unittest
from typing import Any

import ai_gateway.types as types
from ai_gateway import AI_Gateway

from .support.gateway import REPO_ROOT

OPENAPI: dict[str, Any] = json.loads((REPO_ROOT / "schemas" / "admin-api.openapi.json").read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = OPENAPI["components"]["schemas"]
# Request bodies: the SDK builds them from its methods' keyword arguments (checked below), not from a typed dictionary.
REQUEST_BODIES = {"RouteInput", "SecurityInput", "LogLevelBody"}


def typed_dicts() -> dict[str, Any]:
    # typing.is_typeddict is Python 3.10+.
    return {name: value for name, value in vars(types).items() if not name.startswith("_") and hasattr(value, "__required_keys__")}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class ContractTest(unittest.TestCase):
    def test_every_answer_schema_has_a_typed_dictionary_with_exactly_its_keys(self) -> None:
        objects = {name for name, schema in SCHEMAS.items() if "properties" in schema and name not in REQUEST_BODIES}
        self.assertEqual(set(typed_dicts()), objects)
        for name in sorted(objects):
            with self.subTest(schema=name):
                schema, typed = SCHEMAS[name], typed_dicts()[name]
                self.assertEqual(set(typed.__required_keys__), set(schema.get("required", [])))
                self.assertEqual(set(typed.__optional_keys__), set(schema["properties"]) - set(schema.get("required", [])))

    def test_the_enumerations_are_the_schemas(self) -> None:
        self.assertEqual(list(typing.get_args(types.LogLevel)), SCHEMAS["LogLevel"]["enum"])
        self.assertEqual(list(typing.get_args(types.AuthType)), SCHEMAS["AuthType"]["enum"])
        metrics_type = next(p for p in OPENAPI["paths"]["/api/v1/metrics"]["get"]["parameters"] if p["name"] == "type")
        self.assertEqual(list(typing.get_args(types.MetricType)), metrics_type["schema"]["enum"])

    def test_what_the_sdk_sends_is_what_the_request_schemas_take(self) -> None:
        def keywords(method: Any, *skip: str) -> set[str]:
            return {camel(p.name) for p in inspect.signature(method).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD and p.name not in ("self", *skip)}

        route = SCHEMAS["RouteInput"]
        self.assertLessEqual(keywords(AI_Gateway.create_route), set(route["properties"]))
        self.assertLessEqual(keywords(AI_Gateway.update_route, "name"), set(route["properties"]))
        self.assertEqual(route["required"], ["path"])
        self.assertEqual(route["additionalProperties"], {})  # **fields: any other route key
        security = SCHEMAS["SecurityInput"]
        self.assertLessEqual(keywords(AI_Gateway.update_security, "endpoint"), set(security["properties"]))
        self.assertEqual(security["additionalProperties"], {})
        log_level = inspect.signature(AI_Gateway.set_log_level).parameters
        self.assertEqual({"level", "persist"} & set(log_level), set(SCHEMAS["LogLevelBody"]["properties"]))
