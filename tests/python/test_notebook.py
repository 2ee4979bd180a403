"""examples/notebook/quickstart.ipynb runs headless, top to bottom, without an error."""

import os
import pathlib

import nbclient
import nbformat


def test_quickstart_notebook_runs():
    source = pathlib.Path(os.environ.get("HPO_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
    path = source / "examples" / "notebook" / "quickstart.ipynb"
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "accuracy" in printed
