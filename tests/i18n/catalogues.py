"""Reading the strings a person reads out of the code, and the catalogues that translate them.

`python -m tests.i18n.catalogues [--catalogues DIR|FILE...] [PATH ...]` lists, per language, the
strings under PATH (default: all of cxgov and the templates) that a catalogue lacks, leaves
fuzzy or translates with other placeholders than the English; it exits 1 when any is found.
"""
import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("pt_PT", "pt_BR", "ro")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "_l": None,
            "lazy_gettext": None, "lazy_ngettext": (1, 2), "npgettext": ((1, "c"), 2, 3), "N_": None}
# The translation machinery itself is not read by a person.
SKIP = ("cxgov/translations",)


def _files(target):
    if target.is_file():
        yield target
        return
    for suffix in ("*.py", "*.html", "*.txt"):
        yield from sorted(target.rglob(suffix))


def extract(paths=None):
    """A catalogue of every translatable string under `paths` (files or directories under ROOT)."""
    catalog = Catalog()
    for target in (ROOT / p for p in (paths or ["cxgov", "templates"])):
        for file in _files(target):
            name = str(file.relative_to(ROOT))
            if name.startswith(SKIP) or "__pycache__" in name:
                continue
            method, options = ("python", {}) if file.suffix == ".py" else ("jinja2", {"trimmed": "true"})
            for lineno, message, comments, context in extract_from_file(method, file, keywords=KEYWORDS,
                                                                         options=options):
                catalog.add(message, None, [(name, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalogue(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def problems(extracted, catalogue):
    """What `catalogue` lacks for `extracted`: missing, empty, fuzzy or with other placeholders."""
    found = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalogue.get(message.id, context=message.context)
        location = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        if translated is None:
            found.append(f"missing: {message.id!r} ({location})")
        elif translated.fuzzy:
            found.append(f"fuzzy: {message.id!r} ({location})")
        elif not (all(translated.string) if isinstance(translated.string, (list, tuple)) else translated.string):
            found.append(f"untranslated: {message.id!r} ({location})")
        else:
            checked = Catalog(locale=catalogue.locale)
            checked[message.id] = translated
            translated.flags |= message.flags  # (by the object: a msgctxt entry is not found by its id)
            for _, errors in checked.check():
                found.extend(f"placeholders: {message.id!r}: {e}" for e in errors)
    return found


def catalogue_path(locale, directory=ROOT / "cxgov" / "translations"):
    return Path(directory) / locale / "LC_MESSAGES" / "messages.po"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--catalogues", nargs="*",
                        help="PO files named <anything>.<locale>.po, or directories holding them")
    arguments = parser.parse_args(argv)
    extracted = extract(arguments.paths or None)
    if arguments.catalogues:
        files = []
        for entry in map(Path, arguments.catalogues):
            files.extend(sorted(entry.glob("*.po")) if entry.is_dir() else [entry])
        by_locale = {}
        for file in files:
            locale = file.name.rsplit(".", 2)[-2]
            merged = by_locale.setdefault(locale, Catalog(locale=locale))
            for message in read_catalogue(file):
                if message.id:
                    merged[message.id] = message
    else:
        by_locale = {locale: read_catalogue(catalogue_path(locale)) for locale in LOCALES
                     if catalogue_path(locale).exists()}
    failed = False
    print(f"{len([m for m in extracted if m.id])} strings to translate")
    for locale in LOCALES:
        catalogue = by_locale.get(locale)
        if catalogue is None:
            print(f"{locale}: no catalogue")
            failed = True
            continue
        found = problems(extracted, catalogue)
        print(f"{locale}: {len(found)} problems")
        for line in found[:200]:
            print("  " + line)
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
