"""Every write that leaves an audit event does so inside its transaction, read from the source.

At run time the rule cannot be checked under pytest-django, where every test already runs inside a
transaction: a service that forgot `transaction.atomic` would pass every test and half-write in production.
So the functions that call `audit.record` (or `audit.record_many`) are read with ast: each is decorated
with `transaction.atomic`, or makes the call inside a `with transaction.atomic():` block, or is a helper
called only from such functions of its own module (directly or through other such helpers). The few
whose transaction is opened in another module are named below, each with the reason.
"""

import ast
from pathlib import Path

import fupin

ROOT = Path(fupin.__file__).parent
AUDIT_CALLS = {"audit.record", "audit.record_many"}

# Functions whose transaction is opened outside their module, where this reader does not look.
OPENED_ELSEWHERE = {
    ("employment/demo.py", "load_jobs"): "core.demo.run_once runs every demo loader in transaction.atomic",
}


def writing_modules() -> dict[str, ast.Module]:
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if {"tests", "migrations"} & set(path.parts) or relative == "core/audit.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "audit.record" in text:
            modules[relative] = ast.parse(text)
    return modules


def is_atomic(expression: ast.expr) -> bool:
    """`transaction.atomic`, `transaction.atomic(...)` or a bare `atomic` imported from it."""
    target = expression.func if isinstance(expression, ast.Call) else expression
    return ast.unparse(target) in {"transaction.atomic", "atomic"}


def calls(node: ast.AST, names: set[str]) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call) and ast.unparse(n.func) in names]


def atomic_spans(function: ast.FunctionDef) -> list[tuple[int, int]]:
    """Line ranges of the function's `with transaction.atomic():` blocks."""
    return [
        (block.lineno, block.end_lineno)
        for block in ast.walk(function)
        if isinstance(block, ast.With) and any(is_atomic(item.context_expr) for item in block.items)
    ]


def is_inside_atomic(function: ast.FunctionDef, names: set[str]) -> bool:
    """Every call of `names` in the function runs inside a transaction the function opens."""
    if any(is_atomic(decorator) for decorator in function.decorator_list):
        return True
    spans = atomic_spans(function)
    return all(any(start <= call.lineno <= end for start, end in spans) for call in calls(function, names))


def functions(module: ast.Module) -> list[ast.FunctionDef]:
    return [node for node in ast.walk(module) if isinstance(node, ast.FunctionDef)]


def is_covered(function: ast.FunctionDef, names: set[str], module: ast.Module, seen=frozenset()) -> bool:
    """The calls of `names` in `function` run in a transaction: the function opens it, or every caller
    of the function in its module calls it inside one (a private helper of atomic services)."""
    if is_inside_atomic(function, names):
        return True
    callers = [f for f in functions(module) if f is not function and calls(f, {function.name})]
    if not callers or function.name in seen:
        return False
    return all(is_covered(caller, {function.name}, module, seen | {function.name}) for caller in callers)


def test_every_audited_write_is_inside_a_transaction():
    modules = writing_modules()
    assert {"projects/services/lifecycle.py", "registry/services/gates.py", "core/policy.py"} <= set(modules)
    unguarded = []
    for name, module in modules.items():
        for function in functions(module):
            if not calls(function, AUDIT_CALLS) or (name, function.name) in OPENED_ELSEWHERE:
                continue
            if not is_covered(function, AUDIT_CALLS, module):
                unguarded.append(f"{name}:{function.lineno} {function.name}")
    assert not unguarded, "audit.record outside transaction.atomic:\n" + "\n".join(unguarded)


def test_the_exceptions_still_exist():
    modules = writing_modules()
    for (name, function), _why in OPENED_ELSEWHERE.items():
        assert function in {f.name for f in functions(modules[name])}, f"{name} has no {function} any more"


def test_the_reader_catches_a_write_outside_the_block():
    source = (
        "@transaction.atomic\n"
        "def decorated():\n    audit.record(x=1)\n"
        "def block():\n    with transaction.atomic():\n        audit.record(x=1)\n"
        "def after():\n    with transaction.atomic():\n        pass\n    audit.record_many([])\n"
        "def bare():\n    audit.record(x=1)\n"
    )
    module = ast.parse(source)
    verdicts = {f.name: is_covered(f, AUDIT_CALLS, module) for f in functions(module)}
    assert verdicts == {"decorated": True, "block": True, "after": False, "bare": False}


def test_a_helper_counts_only_when_every_caller_is_atomic():
    source = (
        "def _helper():\n    audit.record(x=1)\n"
        "def _middle():\n    _helper()\n"
        "@transaction.atomic\n"
        "def service():\n    _middle()\n"
        "def _lonely():\n    audit.record(x=1)\n"
    )
    module = ast.parse(source)
    verdicts = {f.name: is_covered(f, AUDIT_CALLS, module) for f in functions(module)}
    assert verdicts["_helper"] and verdicts["_middle"] and not verdicts["_lonely"]
    unsafe = ast.parse(source + "def careless():\n    _middle()\n")
    helper = next(f for f in functions(unsafe) if f.name == "_helper")
    assert not is_covered(helper, AUDIT_CALLS, unsafe)
