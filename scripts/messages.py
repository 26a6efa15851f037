"""The message catalogue of the command line: extract, update, compile, check.

Usage (``make messages`` runs ``update`` then ``compile``)::

    python scripts/messages.py extract   # src/fanpin/locale/fanpin.pot
    python scripts/messages.py update    # + merge into each fanpin.po
    python scripts/messages.py compile   # each fanpin.po -> fanpin.mo
    python scripts/messages.py check     # exit 1 on any problem below

The templates come from two places: every ``N_("...")`` in ``src/fanpin``
(Babel's extractor), and the help texts of the ``fanpin`` commands (read from the
built typer/click command tree, so a docstring or ``help=`` needs no marker).

``check`` finds: a template without a translation (or a fuzzy one), a
translation whose ``{placeholders}`` differ from its template's, a catalogue
entry nothing uses any more, and a ``.mo`` that does not match its ``.po``.
Babel is a development dependency (the Makefile installs it); at run time fanpin
reads the ``.mo`` files with the standard library's gettext.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gettext
import io
import string
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "fanpin"
LOCALE = SRC / "locale"
DOMAIN = "fanpin"
POT = LOCALE / f"{DOMAIN}.pot"
LANGUAGES = ("zh_CN",)
WIDTH = 88
#: Fixed header fields, so that `make messages` changes only what changed.
HEADER = {
    "project": "fanpin",
    "copyright_holder": "the fanpin developers",
    "msgid_bugs_address": "",
    "language_team": "fanpin",
    "last_translator": "fanpin",
    "creation_date": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    "revision_date": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
}


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def _code_templates() -> Iterator[tuple[str, str, int]]:
    """(template, file, line) of every ``N_(...)`` in the package."""
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SRC),
        method_map=[("**.py", "python")],
        keywords={"N_": None},
        comment_tags=(),
        strip_comment_tags=True,
    ):
        if isinstance(message, str) and message:
            yield message, f"src/fanpin/{filename}", lineno


def _walk(command, path: str) -> Iterator[tuple[str, str]]:  # noqa: ANN001
    """(help text, where) of a click command and everything under it."""
    src = getattr(command, "_fanpin_source", {})
    for name in ("help", "short_help", "epilog"):
        text = src.get(name, getattr(command, name, None))
        if text:
            yield text, path
    ctx = command.context_class(command, info_name=command.name)
    option = command.get_help_option(ctx)
    params = [*command.params, *([option] if option is not None else [])]
    for param in params:
        text = getattr(param, "_fanpin_source", {}).get("help", param.help)
        if text:
            yield text, f"{path} {param.opts[0] if param.opts else param.name}"
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, f"{path} {name}")


def help_texts() -> Iterator[tuple[str, str]]:
    """(help text, where) of every ``fanpin`` command, option and argument."""
    import typer

    from fanpin.cli import app

    yield from _walk(typer.main.get_command(app), "fanpin")


def extract() -> Catalog:
    """The template catalogue (``fanpin.pot``) from the code and the CLI help."""
    cat = Catalog(domain=DOMAIN, fuzzy=False, charset="utf-8", **HEADER)
    for template, filename, lineno in _code_templates():
        cat.add(template, locations=[(filename, lineno)])
    for text, where in help_texts():
        cat.add(text, locations=[(where, 0)], auto_comments=["--help"])
    return cat


def _write(catalog: Catalog, path: Path, **kw: object) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, width=WIDTH, sort_output=True, omit_header=False,
             include_lineno=False, **kw)  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def update() -> None:
    """Write the .pot and merge it into each language's .po (new templates get
    an empty translation; templates no longer used become obsolete)."""
    template = extract()
    _write(template, POT)
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            cat = _read(path, lang)
        else:
            cat = Catalog(locale=lang, domain=DOMAIN, fuzzy=False, **HEADER)
        cat.update(template, no_fuzzy_matching=True)
        for name, value in HEADER.items():
            setattr(cat, name, value)
        cat.fuzzy = False
        _write(cat, path, ignore_obsolete=True)


def compiled(lang: str) -> bytes:
    """The .mo bytes of a language's .po (fuzzy entries left out)."""
    buf = io.BytesIO()
    write_mo(buf, _read(po_path(lang), lang), use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> None:
    for lang in LANGUAGES:
        mo_path(lang).write_bytes(compiled(lang))


def placeholders(text: str) -> set[str]:
    """The field names of a ``str.format`` template (``{n:,}`` -> ``{"n"}``)."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        return {"<unparsable>"}


def problems() -> list[str]:
    """Everything wrong with the catalogues (empty when all is well)."""
    out = []
    template = extract()
    wanted = {m.id for m in template if m.id}
    for lang in LANGUAGES:
        path = po_path(lang)
        if not path.exists():
            return [f"{path} is missing: run `make messages`"]
        cat = _read(path, lang)
        have = {m.id: m for m in cat if m.id}
        for msgid in sorted(wanted):
            m = have.get(msgid)
            where = next(iter(template[msgid].locations), ("?", 0))[0]
            if m is None or not m.string:
                out.append(f"{lang}: no translation of {msgid!r} ({where})")
            elif m.fuzzy:
                out.append(f"{lang}: fuzzy translation of {msgid!r} ({where})")
            elif placeholders(m.string) != placeholders(msgid):
                out.append(
                    f"{lang}: the translation of {msgid!r} has placeholders "
                    f"{sorted(placeholders(m.string))}, the template "
                    f"{sorted(placeholders(msgid))}"
                )
        for msgid in sorted(set(have) - wanted):
            out.append(f"{lang}: {msgid!r} is in the catalogue but no longer used")
        mo = mo_path(lang)
        if not mo.exists():
            out.append(f"{mo} is missing: run `make messages`")
        else:
            with mo.open("rb") as f:
                shipped = gettext.GNUTranslations(f)._catalog  # noqa: SLF001
            fresh = gettext.GNUTranslations(io.BytesIO(compiled(lang)))._catalog  # noqa: SLF001
            if shipped != fresh:
                out.append(f"{mo} does not match {path.name}: run `make messages`")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["extract", "update", "compile", "check"])
    args = parser.parse_args(argv)
    if args.action == "extract":
        _write(extract(), POT)
    elif args.action == "update":
        update()
    elif args.action == "compile":
        compile_all()
    else:
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
