"""Every machine code an API error can carry is documented in docs/API.md, and every rule a
service raises has its own code (not the catch-all ``invalid``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rest_framework import exceptions, serializers

ROOT = Path(__file__).resolve().parents[2]
SKIP_PARTS = {".venv", "tests", "migrations", "bench", "simulator", "node_modules", "var"}
# Where a service's rule is raised: these must give every ValidationError a code.
RULE_MODULES = ("services", "validators", "rules.py", "images.py", "models.py", "identity.py")


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if set(path.relative_to(ROOT).parts) & SKIP_PARTS:
            continue
        yield path, ast.parse(path.read_text())


def _name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _const(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _names(targets) -> set[str]:
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _codes_in(node) -> list[str | None]:
    """The codes ``node`` writes, in every form the code base uses."""
    if isinstance(node, ast.Call):
        name = _name(node.func)
        keywords = {k.arg: k.value for k in node.keywords}
        if name in {"ValidationError", "__init__", "ErrorDetail"} and "code" in keywords:
            return [_const(keywords["code"])]
        if name == "ErrorDetail" and len(node.args) >= 2:
            return [_const(node.args[1])]
        if name in {"field_error", "add"} and len(node.args) == 3:  # RuleErrors.add too
            return [_const(node.args[2])]
        if name == "error_response" and node.args:
            return [_const(node.args[0])]
    if isinstance(node, ast.Assign):
        names = _names(node.targets)
        if any(n.endswith("_CODE") and n != "LANGUAGE_CODE" for n in names):
            return [_const(node.value)]  # a code kept in a constant (LOCKED_OUT_CODE)
        if "default_code" in names:  # an APIException subclass
            return [_const(node.value)]
        if any(n.endswith("_CODES") for n in names) and isinstance(node.value, ast.Dict):
            return [_const(v) for v in node.value.values]
    if isinstance(node, ast.Dict):  # an error body written out: {"status": …, "code": …}
        keys = [_const(k) for k in node.keys]
        if "status" in keys and "code" in keys:
            return [_const(node.values[keys.index("code")])]
    if isinstance(node, ast.ClassDef) and node.name.endswith("Validator"):
        return [
            _const(item.value)
            for item in node.body
            if isinstance(item, ast.Assign) and "code" in _names(item.targets)
        ]
    return []


def raised_codes() -> dict[str, str]:
    """code -> where it is first written, for every code in the code base."""
    found: dict[str, str] = {}
    for path, tree in _sources():
        for node in ast.walk(tree):
            for code in _codes_in(node):
                if code:
                    found.setdefault(code, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def drf_codes() -> set[str]:
    """Codes of DRF's own refusals: its exceptions, and the fields the API's serializers use."""
    codes = {
        cls.default_code
        for cls in vars(exceptions).values()
        if isinstance(cls, type) and issubclass(cls, exceptions.APIException)
    }
    for _path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                field = getattr(serializers, node.func.attr, None)
                if isinstance(field, type) and issubclass(field, serializers.Field):
                    for cls in field.__mro__:
                        codes |= set(getattr(cls, "default_error_messages", {}))
    return codes


def documented_codes() -> set[str]:
    text = (ROOT / "docs/API.md").read_text()
    section = text.split("<!-- codes:start -->")[1].split("<!-- codes:end -->")[0]
    return set(re.findall(r"^\| `([a-z0-9_]+)`", section, flags=re.M))


def test_every_code_the_api_can_answer_is_documented():
    missing = {
        code: where for code, where in raised_codes().items() if code not in documented_codes()
    }
    assert missing == {}, f"document these codes in docs/API.md (the codes table): {missing}"
    assert drf_codes() - documented_codes() == set()


# The codes of Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), which the
# sign-up services pass on.
PASSWORD_CODES = {
    "password_too_short",
    "password_too_common",
    "password_entirely_numeric",
    "password_too_similar",
}


def test_the_documentation_names_no_code_that_is_never_answered():
    known = set(raised_codes()) | drf_codes() | PASSWORD_CODES | {"invalid"}
    assert documented_codes() - known == set()


def _is_message(node) -> bool:
    """A message written on the spot: a string, ``_("…")``, ``_("…") % {…}``."""
    if isinstance(node, ast.Call) and _name(node.func) == "ValidationError":
        return False  # checked on its own
    return isinstance(node, ast.Constant | ast.Call | ast.BinOp | ast.JoinedStr)


def test_every_rule_a_service_raises_has_its_own_code():
    uncoded = []
    for path, tree in _sources():
        rel = str(path.relative_to(ROOT))
        if not any(part in rel for part in RULE_MODULES):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) == "ValidationError"):
                continue
            if any(k.arg == "code" for k in node.keywords) or not node.args:
                continue
            message = node.args[0]
            # A message written here (a string, a gettext call, a dict of them) needs a code;
            # a variable holds errors that were built (and coded) elsewhere.
            literal = _is_message(message) or (
                isinstance(message, ast.Dict) and any(_is_message(v) for v in message.values)
            )
            if literal:
                uncoded.append(f"{rel}:{node.lineno}")
    assert uncoded == [], f"give each rule a code (ValidationError(msg, code=…)): {uncoded}"
