"""The evaluation notebook is committed executed: valid, every code cell has its outputs, no errors.

Only the saved file is read; the notebook is not executed here (it scores the whole dev
split). Re-run it with
``jupyter nbconvert --to notebook --execute --inplace notebooks/01_evaluation.ipynb``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_evaluation.ipynb"

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_is_valid_nbformat(notebook):
    nbformat.validate(notebook)


def test_every_code_cell_was_executed_with_outputs(notebook):
    cells = code_cells(notebook)
    assert cells
    missing = [i for i, c in enumerate(cells) if not c.outputs or c.execution_count is None]
    assert missing == [], f"code cells without saved outputs: {missing}"


def test_cells_ran_top_to_bottom(notebook):
    counts = [c.execution_count for c in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1))


def test_no_error_outputs(notebook):
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(code_cells(notebook))
              for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_imports_mtdetect(notebook):
    assert any("import mtdetect" in c.source or "from mtdetect" in c.source for c in code_cells(notebook))
