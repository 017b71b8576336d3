"""q.import_mxnet graphs (DOT, SVG through Graphviz) and q.report objects."""

import os
import shutil

import numpy as np
import pytest

import q
from conftest import BUILD, PARAMS, SYMBOL


@pytest.fixture(autouse=True)
def tools_of_this_build(monkeypatch):
    monkeypatch.setenv("Q_BIN_DIR", os.path.join(BUILD, "bin"))


def test_import_mxnet_graphs(tmp_path):
    graph = q.import_mxnet(SYMBOL, PARAMS, inputs={"data": (1, 1, 28, 28)})
    assert "q.convolution" in graph.mlir
    fused = graph.fused()
    assert "q.fused_conv" in fused.mlir and "q.batch_norm" not in fused.mlir
    int8 = graph.int8()
    assert "q.quantize" in int8.mlir or "quant.uniform" in int8.mlir
    assert "digraph" in graph.dot and "conv0" in graph.dot
    assert graph.save(tmp_path / "g.dot") and "digraph" in (tmp_path / "g.dot").read_text()
    if shutil.which("dot"):
        svg = int8._repr_svg_()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    with pytest.raises(q.CompileError, match="missing-symbol.json"):
        q.import_mxnet(tmp_path / "missing-symbol.json", PARAMS,
                       inputs={"data": (1, 1, 28, 28)})


def test_report(fmnist):
    x, labels = fmnist["t10k"]
    report = q.report(SYMBOL, PARAMS, inputs={"data": (100, 1, 28, 28)},
                      calibration=x[:100], data=x[:100], labels=labels[:100],
                      calib_batch_size=100, compare_modes=False,
                      worst=1, num_threads=1)
    assert report.text.startswith("# int8 report")
    assert "top-1 accuracy, int8" in report.text
    html = report._repr_html_()
    assert "<table>" in html and "<h2>Final output</h2>" in html
    assert report._repr_markdown_() == report.text
