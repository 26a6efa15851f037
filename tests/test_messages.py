"""Messages: a Message is its English text and keeps what the CLI needs to show
it in Chinese; every fanpin error and warning is raised with one."""

from __future__ import annotations

import ast
import importlib
import pickle
import pkgutil
import warnings
from pathlib import Path

import pytest

import fanpin
from fanpin.exceptions import (
    ConfigError,
    FanpinError,
    FanpinWarning,
    SchemaError,
)
from fanpin.messages import N_, Message, did_you_mean

SRC = Path(fanpin.__file__).resolve().parent

MSG_T = N_("Column {column!r} is missing from {path}.")


def test_message_is_its_english_text_and_keeps_template_and_params():
    msg = Message(MSG_T, column="年度", path="p.csv")
    assert msg == "Column '年度' is missing from p.csv."
    assert msg.template == MSG_T and msg.params == {"column": "年度", "path": "p.csv"}
    err = ConfigError(msg)
    assert str(err) == "Column '年度' is missing from p.csv."
    assert err.args[0].template == MSG_T  # the message id, for the CLI
    back = pickle.loads(pickle.dumps(err))  # Dask workers send errors back
    assert back.args[0].template == MSG_T and str(back) == str(err)


def test_translation_falls_back_to_english_on_a_broken_catalogue():
    msg = Message(MSG_T, column="x", path="p")
    assert msg.in_language(lambda t: "{nope} 缺少") == str(msg)
    nested = Message(N_("{a}{hint}"), a="x", hint=did_you_mean("hgh", ["high"]))
    zh = {N_(" (did you mean {names}?)"): "（是否应为 {names}？）"}
    assert nested.in_language(lambda t: zh.get(t, t)) == "x（是否应为 'high'？）"


def test_schema_error_keeps_its_problems_and_header():
    err = SchemaError([Message(MSG_T, column="a", path="p")])
    assert err.heading.template.startswith("The data break")
    assert err.problems[0].template == MSG_T
    assert pickle.loads(pickle.dumps(err)).problems[0].template == MSG_T


# -- every raise site ---------------------------------------------------------------

#: Modules whose raise sites are not migrated to Message yet (their owners migrate
#: them on their branches; the lead empties this list after merging everyone).
NOT_YET_MIGRATED = {
    "config/_yaml.py",
    "io/_chunks.py",
    "io/_write.py",
    "schema/_headers.py",
    "schema/_validate.py",
    "synthetic/_params.py",
    "synthetic/_simulate.py",
}


def _subclass_names(*roots: type) -> set[str]:
    for info in pkgutil.walk_packages([str(SRC)], prefix="fanpin."):
        if ".cli" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    names, todo = set(), list(roots)
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _fanpin_classes() -> set[str]:
    names, todo = set(), [Warning]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("fanpin"):
            names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


ERRORS = _subclass_names(FanpinError)
#: The warnings the command line shows a user: fanpin's own (FanpinWarning and
#: any warning class defined in fanpin) and plain UserWarning.
WARNINGS = (
    _subclass_names(FanpinWarning)
    | _fanpin_classes()
    | {"UserWarning"}
)


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_message(node: ast.AST, assigned: dict[str, list[ast.AST]]) -> bool:
    """A Message(...) call, an UPPER_CASE constant (an N_ template), a list of
    those, or a local name only ever assigned one of those."""
    if isinstance(node, ast.Call):
        return _name(node.func) == "Message"
    name = _name(node)
    if name is not None and name.isupper():
        return True
    if isinstance(node, ast.List | ast.Tuple):
        return all(_is_message(e, assigned) for e in node.elts)
    if isinstance(node, ast.IfExp):
        return _is_message(node.body, assigned) and _is_message(node.orelse, assigned)
    if isinstance(node, ast.Name) and assigned.get(node.id):
        return all(_is_message(v, {}) for v in assigned[node.id])
    return False


def _assignments(func: ast.AST) -> dict[str, list[ast.AST]]:
    out: dict[str, list[ast.AST]] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                out.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.Call) and _name(node.func) == "append":
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            if isinstance(owner, ast.Name) and node.args:
                out.setdefault(owner.id, []).append(ast.List(elts=[node.args[0]]))
    return out


def _constants(node: ast.AST) -> list[str]:
    """The UPPER_CASE names a message is made of (its templates)."""
    if isinstance(node, ast.Call) and _name(node.func) == "Message" and node.args:
        return _constants(node.args[0])
    if isinstance(node, ast.List | ast.Tuple):
        return [n for e in node.elts for n in _constants(e)]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    name = node.id if isinstance(node, ast.Name) else None
    return [name] if name is not None and name.isupper() else []


def unmigrated_sites(path: Path, templates: dict[str, list[str]] | None = None) -> list[str]:  # noqa: E501
    """``raise FanpinErrorSubclass(text)`` and ``warnings.warn(text, FanpinWarning…)``
    whose text is not a Message or an N_ constant. The constants each site uses
    are added to ``templates`` (site -> names), to check they are N_-marked."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    scope_of = {}
    for scope in scopes:
        for node in ast.walk(scope):
            scope_of.setdefault(id(node), scope)
    for node in ast.walk(tree):
        message = None
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            if _name(node.exc.func) in ERRORS and node.exc.args:
                message = node.exc.args[0]
        elif isinstance(node, ast.Call) and _name(node.func) == "warn" and node.args:
            category = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "category"), None
            )
            if category is not None and _name(category) in WARNINGS:
                message = node.args[0]
        if message is None:
            continue
        scope = scope_of.get(id(node))
        assigned = _assignments(scope) if scope is not None else {}
        site = f"{path.relative_to(SRC)}:{node.lineno}"
        if not _is_message(message, assigned):
            bad.append(site)
        elif templates is not None:
            templates[site] = _constants(message)
    return bad


def _catalogue_ids() -> set[str]:
    """The templates of the message catalogue (the extracted fanpin.pot)."""
    text = (SRC / "locale" / "fanpin.pot").read_text(encoding="utf-8")
    ids, current, in_id = set(), [], False
    for line in text.splitlines():
        if line.startswith("msgid "):
            current, in_id = [ast.literal_eval(line[6:])], True
        elif line.startswith('"') and in_id:
            current.append(ast.literal_eval(line))
        else:
            if in_id and "".join(current):
                ids.add("".join(current))
            in_id = False
    return ids


def test_every_raise_site_carries_a_message():
    """Library errors keep English str() for developers and carry the message id
    (a Message of an N_ template, or the template itself) so that the command
    line can show them in Chinese: no f-string or .format() at a raise site."""
    assert {"ConfigError", "SchemaError", "InputError", "TransitionError"} <= ERRORS
    assert {"FanpinWarning", "DataRepairWarning", "ChartFontWarning"} <= WARNINGS
    found: dict[str, list[str]] = {}
    used: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        sites = unmigrated_sites(path, used)
        if sites:
            found[str(path.relative_to(SRC))] = sites
    new = {m: s for m, s in found.items() if m not in NOT_YET_MIGRATED}
    assert not new, f"raise with Message(MSG_X, ...) (an N_ template): {new}"
    # the constants used are N_ templates of the catalogue (or the CLI cannot
    # translate them)
    ids = _catalogue_ids()
    unmarked = []
    for site, names in used.items():
        module_path = site.rsplit(":", 1)[0]
        if module_path in NOT_YET_MIGRATED:
            continue
        dotted = "fanpin." + module_path[:-3].replace("/", ".").replace(".__init__", "")
        module = importlib.import_module(dotted)
        for name in names:
            value = getattr(module, name, None)
            if isinstance(value, str) and value not in ids:
                unmarked.append(f"{site} {name}")
    assert not unmarked, f"mark these templates with N_(): {unmarked}"
    done = sorted(NOT_YET_MIGRATED - set(found))
    assert not done, f"migrated: take them off NOT_YET_MIGRATED: {done}"


def test_the_checker_sees_what_it_must(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import warnings\n"
        "def f(x):\n"
        "    raise ConfigError(f'bad {x}')\n"  # line 3: f-string
        "def g(x):\n"
        "    raise ConfigError(MSG_X.format(x=x))\n"  # line 5: .format
        "def h(x):\n"
        "    raise ConfigError(Message(MSG_X, x=x))\n"
        "def i(x):\n"
        "    raise ConfigError(MSG_X) from None\n"
        "def j(x):\n"
        "    msg = Message(MSG_X, x=x)\n"
        "    raise ConfigError(msg)\n"
        "def k(x):\n"
        "    warnings.warn('plain ' + x, DataRepairWarning)\n"  # line 14
        "def m(x):\n"
        "    problems = []\n"
        "    problems.append(Message(MSG_X, x=x))\n"
        "    raise SchemaError(problems)\n"
        "def n(x):\n"
        "    raise ValueError(f'not ours {x}')\n",
        encoding="utf-8",
    )
    assert unmigrated_sites_of(sample) == ["3", "5", "14"]


def unmigrated_sites_of(path: Path) -> list[str]:
    global SRC
    old, SRC = SRC, path.parent
    try:
        return [s.rsplit(":", 1)[1] for s in unmigrated_sites(path)]
    finally:
        SRC = old


@pytest.mark.parametrize("module", ["fanpin.config._rules", "fanpin.config._alerts"])
def test_migrated_config_errors_carry_their_template(module):
    from fanpin.config import AlertsConfig, RulesConfig

    with pytest.raises(ConfigError) as info:
        if module.endswith("_rules"):
            RulesConfig(rules=())
        else:
            AlertsConfig(min_level="中等")
    arg = info.value.args[0]
    assert isinstance(arg, str)
    if module.endswith("_alerts"):
        assert isinstance(arg, Message) and "(did you mean" in arg
        assert arg.params["hint"].template == N_(" (did you mean {names}?)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        str(info.value)


def test_message_keeps_str_translate():
    """rich (and others) call ``str.translate``: a Message must still be a str."""
    from rich.text import Text

    msg = Message(N_("Column {c!r}"), c="年度")
    assert msg.translate(str.maketrans("C", "K")) == "Kolumn '年度'"
    assert Text(msg).plain == "Column '年度'"
