"""The import rules between the rooms of the app, read from the source with ``ast``.

Pure Python, no database: each file is parsed, never imported. Every import statement counts,
wherever it is (inside a function, under ``if TYPE_CHECKING``); relative imports are resolved
against the file's package, and ``from package import module`` counts as importing the module.
A failure names the file, the line and the import that broke the rule.
"""

import ast
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "var", ".git", "node_modules", "__pycache__", "static", "templates"}
FIRST_PARTY = {"ipt", "patients", "sessions_app", "groups", "tests"}
MAX_LINES = 600


@dataclass(frozen=True)
class Import:
    path: str  # relative to the project root: "ipt/rules/adherence.py"
    line: int
    module: str  # absolute: "ipt.course.models"
    names: tuple[str, ...] = ()  # ("Phase",) for ``from ipt.course.models import Phase``

    @property
    def targets(self):
        """What may be imported: the module, and for ``from pkg import x``, pkg.x too (x may
        be a submodule: ``from ipt import models``, ``from django import db``)."""
        return (self.module, *(f"{self.module}.{name}" for name in self.names))

    def __str__(self):
        if self.names:
            return f"{self.path}:{self.line}: from {self.module} import {', '.join(self.names)}"
        return f"{self.path}:{self.line}: import {self.module}"


@cache
def python_files():
    """Every .py file of the project (not the virtualenv, not var/), relative to the root."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
    )


@cache
def imports_of(path):
    """The imports in one file, resolved to absolute module names."""
    package = path.removesuffix(".py").split("/")[:-1]  # a module's package, or __init__'s own
    found = []
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = tuple(alias.name for alias in node.names)
            found.append(Import(path, node.lineno, module, names))
    return sorted(found, key=lambda imp: imp.line)


def _under(module, *prefixes):
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _in(path, *places):
    """Whether a file is one of these files or under one of these folders (ending in "/")."""
    return any(path.startswith(p) if p.endswith("/") else path == p for p in places)


def _files_in(*places, outside=False):
    return [path for path in python_files() if _in(path, *places) != outside]


def _file_of(module):
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(ROOT).as_posix()
    return None


def _files_run_by(module):
    """The project files Python runs to import a module: its packages' __init__, then itself."""
    parts = module.split(".")
    return [f for i in range(1, len(parts) + 1) if (f := _file_of(".".join(parts[:i])))]


def _chains(path, bad, *, ok=lambda imp: False, seen=None):
    """Import chains from a file to an import that breaks the rule (``bad`` of one of its
    targets), following the project's own imports (but those ``ok`` allows) into the files
    they run."""
    seen = {path} if seen is None else seen
    for imp in imports_of(path):
        if ok(imp):
            continue
        if any(bad(target) for target in imp.targets):
            yield (imp,)
            continue
        for target in imp.targets:
            if target.split(".")[0] not in FIRST_PARTY:
                continue
            for file in _files_run_by(target):
                if file not in seen:
                    seen.add(file)
                    yield from ((imp, *chain) for chain in _chains(file, bad, ok=ok, seen=seen))


def _offences(files, bad, **kwargs):
    """One line per chain: where the rule broke, and through which imports."""
    return [
        " -> ".join(map(str, chain)) for path in files for chain in _chains(path, bad, **kwargs)
    ]


# --- the rules: each returns its offences -------------------------------------------------------
def devtools_offences():
    """(a) Only ipt/devtools/ itself and tests/ import ipt.devtools (the demo, the bench).

    ipt/settings.py names "ipt.devtools" in INSTALLED_APPS as a string: that is no import.
    Direct imports: whatever imports a module that imports devtools is caught at that module.
    """
    return [
        str(imp)
        for path in _files_in("ipt/devtools/", "tests/", outside=True)
        for imp in imports_of(path)
        if any(_under(target, "ipt.devtools") for target in imp.targets)
    ]


# ipt.typed holds the one rule for typed text and dates every form shares: nothing clinical.
NOT_CLINICAL = ("patients", "ipt.accounts", "ipt.typed")


def _clinical(module):
    return module.split(".")[0] in FIRST_PARTY and not _under(module, *NOT_CLINICAL)


def patients_offences():
    """(b) patients/ is who is treated: of the project it imports (even through ipt.accounts)
    only itself and ipt.accounts; Django and the standard library as it likes."""
    return _offences(_files_in("patients/"), _clinical)


BEFORE_SESSIONS = (
    "ipt/course/models.py",
    "ipt/initial/",
    "ipt/measures/",
    "ipt/rules/",
    "ipt/charts/",
)


def sessions_offences():
    """(c) The course's models and the rooms sessions build on never import sessions_app,
    directly or through another module of the project."""
    return _offences(_files_in(*BEFORE_SESSIONS), lambda module: _under(module, "sessions_app"))


# The one exception to (d): the rules read a course's phase as the TextChoices ``Phase`` (plain
# strings) that lives in ipt/course/models.py. Nothing else of a models module, there or anywhere.
ALLOWED_MODEL_IMPORTS = {("ipt/rules/", "ipt.course.models"): {"Phase"}}


def _is_models(module):
    return module.split(".")[-1] == "models" or ".models." in module


def _allowed(imp):
    return any(
        _in(imp.path, place) and imp.module == module and imp.names and set(imp.names) <= names
        for (place, module), names in ALLOWED_MODEL_IMPORTS.items()
    )


def _impure(module):
    return _under(module, "django.db") or _is_models(module)


def pure_offences():
    """(d) ipt/rules/ and ipt/charts/ are pure: no django.db and no models (but Phase, above),
    directly or through another module of the project (ipt.measures.instruments, say)."""
    return _offences(_files_in("ipt/rules/", "ipt/charts/"), _impure, ok=_allowed)


def long_modules():
    """(e) No module outside tests/ and migrations/ is over MAX_LINES lines."""
    lengths = {
        path: len((ROOT / path).read_text(encoding="utf-8").splitlines())
        for path in python_files()
        if not _in(path, "tests/") and "migrations" not in path.split("/")
    }
    return [f"{path}: {n} lines" for path, n in sorted(lengths.items()) if n > MAX_LINES]


def _report(rule, offences):
    return f"{rule}; broken by:\n" + "\n".join(f"  {offence}" for offence in offences)


# --- the tests ----------------------------------------------------------------------------------
def test_only_devtools_and_tests_import_devtools():
    offences = devtools_offences()
    assert not offences, _report("only ipt/devtools/ and tests/ import ipt.devtools", offences)


def test_patients_imports_nothing_clinical():
    offences = patients_offences()
    assert not offences, _report(
        "patients/ imports, of the project, only patients and ipt.accounts", offences
    )


def test_course_models_and_pure_rooms_never_import_sessions():
    offences = sessions_offences()
    assert not offences, _report(
        f"{', '.join(BEFORE_SESSIONS)} never import sessions_app", offences
    )


def test_rules_and_charts_touch_no_database_and_no_models():
    offences = pure_offences()
    assert not offences, _report(
        "ipt/rules/ and ipt/charts/ import no django.db and no models "
        "(ipt/rules/ may take Phase from ipt.course.models)",
        offences,
    )


def test_no_module_is_over_600_lines():
    offences = long_modules()
    assert not offences, _report(
        f"modules outside tests/ and migrations/ stay within {MAX_LINES} lines: split these",
        offences,
    )


# --- the rules catch what they should -----------------------------------------------------------
# A small project tree, each file with the imports it would be caught for (or none).
PLANTED = {
    "ipt/course/views.py": "from ipt.devtools.demo import seed\nfrom ipt.course.models import X\n",
    "ipt/devtools/bench.py": "from .demo import seed\nfrom ipt.devtools import demo\n",
    "ipt/devtools/demo.py": "",
    "tests/test_x.py": "import ipt.devtools.demo\n",
    "ipt/accounts/access.py": "from ipt.course.models import TreatmentCourse\n",
    "patients/access.py": "from ipt.accounts.access import authorise\n",
    "patients/views.py": (
        "from ipt.accounts.access import authorise\n"
        "from django.db import models\n"
        "from ipt.course.models import TreatmentCourse\n"
        "def f():\n    import sessions_app.models\n"
    ),
    "ipt/measures/models.py": "from sessions_app.models import Session\n",
    "ipt/initial/views/focus.py": "from ... import measures\nfrom sessions_app import views\n",
    "ipt/rules/ok.py": "from ipt.course.models import Phase\nfrom ipt.measures import instruments\n",
    "ipt/rules/indirect.py": "from ipt.measures import forms\n",
    "ipt/measures/forms.py": "from django import forms\nfrom ipt.measures.models import Response\n",
    "ipt/course/forms.py": "from ipt.supervision import views\n",
    "ipt/supervision/views.py": "from sessions_app import views\n",
    "ipt/rules/bad.py": (
        "from ..course.models import Phase, TreatmentCourse\n"
        "from django.db.models import Q\n"
        "import ipt.course.models\n"
    ),
    "ipt/charts/svg.py": "from ipt import models\nfrom django.utils.html import format_html\n",
    "ipt/big.py": "x = 1\n" * (MAX_LINES + 1),
    "ipt/migrations/0001_initial.py": "x = 1\n" * (MAX_LINES + 1),
    "ipt/course/models.py": "from ipt.supervision.views import review\n",
    "ipt/models.py": "",
    "ipt/measures/instruments.py": "",
    "sessions_app/views.py": "",
}
CAUGHT = {
    devtools_offences: {"ipt/course/views.py:1"},
    patients_offences: {
        "patients/views.py:3",
        "patients/views.py:5",
        "patients/access.py:1",  # through ipt/accounts/access.py:1
        "patients/views.py:1",  # the same
    },
    sessions_offences: {
        "ipt/measures/models.py:1",
        "ipt/initial/views/focus.py:2",
        "ipt/course/models.py:1",  # through ipt/supervision/views.py
        "ipt/measures/forms.py:2",  # through ipt/measures/models.py
        "ipt/rules/indirect.py:1",  # through ipt/measures/forms.py, then models.py
        "ipt/rules/ok.py:1",  # Phase is allowed, but its module reaches sessions_app
        "ipt/rules/bad.py:1",  # the same
    },
    pure_offences: {
        "ipt/rules/bad.py:1",
        "ipt/rules/bad.py:2",
        "ipt/rules/bad.py:3",
        "ipt/charts/svg.py:1",
        "ipt/rules/indirect.py:1",  # through ipt/measures/forms.py:2
    },
}


@pytest.fixture
def planted_tree(tmp_path, monkeypatch):
    for path, source in PLANTED.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(source)
    for folder in {p.parent for p in tmp_path.rglob("*.py")} - {tmp_path}:
        (folder / "__init__.py").touch()
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    python_files.cache_clear()
    imports_of.cache_clear()
    yield
    python_files.cache_clear()
    imports_of.cache_clear()


@pytest.mark.parametrize("rule", list(CAUGHT), ids=lambda rule: rule.__name__)
def test_each_rule_catches_a_planted_regression(planted_tree, rule):
    caught = {offence.split(": ")[0] for offence in rule()}
    assert caught == CAUGHT[rule]


def test_the_line_rule_catches_a_planted_long_module(planted_tree):
    assert long_modules() == [f"ipt/big.py: {MAX_LINES + 1} lines"]


def test_the_rules_read_the_real_tree():
    """An empty list of offences means something: the project's files are all read."""
    files = set(python_files())
    assert {"manage.py", "ipt/urls.py", "ipt/devtools/__init__.py", "patients/models.py"} <= files
    assert not any(path.startswith((".venv/", "var/")) for path in files)
    assert _files_in("ipt/rules/") and _files_in("ipt/charts/") and _files_in("patients/")
