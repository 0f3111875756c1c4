"""README.md and docs/ hold what `make docs` writes, and every shell example in them runs as written.

The generator (offline/docs.py) runs each tool once per process; the freshness check is one test so a
session runs them once. Examples marked `<!-- needs: aws -->` (or pulumi, or long) are skipped with that
reason; the others run from the repository root and must exit 0, or the code an `<!-- exit: N -->` states.
"""

import difflib

import pytest

from offline import docs

EXAMPLES = [example for path in docs.doc_files() for example in docs.shell_examples(path)]


def test_every_doc_is_what_make_docs_writes():
    stale = docs.changed()
    shown = []
    for path, data in stale.items():
        before = path.read_text().splitlines() if path.exists() else []
        diff = difflib.unified_diff(before, data.decode().splitlines(), str(path), "make docs", lineterm="", n=1)
        shown.append("\n".join(list(diff)[:40]))
    assert not stale, "run `make docs` and commit the result:\n" + "\n".join(shown)


def test_every_marker_names_a_section():
    for path in docs.doc_files():
        for match in docs.MARKER.finditer(path.read_text()):
            assert match["name"] in docs.SECTIONS, f"{path}: unknown generated:{match['name']}"


def test_the_docs_have_examples_to_run():
    assert any(not example.needs for example in EXAMPLES)
    assert all(example.code.strip() for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_shell_example_runs_as_written(example):
    if example.needs:
        pytest.skip(f"needs {example.needs}")
    done = docs.run_example(example)
    assert done.returncode == example.exit, (
        f"{example.id} exited {done.returncode}, the doc says {example.exit}\n{example.code}\n"
        f"stdout: {done.stdout[-1500:]}\nstderr: {done.stderr[-1500:]}"
    )


def test_readme_stays_short_and_has_contents():
    text = (docs.ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 420
    assert "## Contents" in text


def _anchors(path):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    import re

    text = docs.MARKER.sub("", path.read_text())
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in text.splitlines()
        if line.startswith("#")
    }


def test_every_relative_link_and_anchor_exists():
    import re

    missing = []
    for path in docs.doc_files():
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            if not linked.exists():
                missing.append(f"{path.name}: {target} (no file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                missing.append(f"{path.name}: {target} (no heading)")
    assert not missing, "\n".join(missing)
