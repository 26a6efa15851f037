"""score_file(predictor="lignum") writes the same bytes as LightGBM's predict."""

from __future__ import annotations

import pytest

from fanpin.exceptions import ConfigError
from fanpin.scoring import excluded_path, monitored_path, score_file


@pytest.mark.parametrize("workers, explain", [(1, None), (2, "top:0.1")])
def test_lignum_outputs_byte_identical(small_model, panel_file, tmp_path, workers,
                                       explain):  # fmt: skip
    pytest.importorskip("lignum")
    outs = {}
    for predictor in ("lightgbm", "lignum"):
        out = tmp_path / predictor / "scores.csv"
        out.parent.mkdir()
        s = score_file(
            panel_file, small_model, out=out, chunk_households=300,
            workers=workers, explain=explain, predictor=predictor,
        )  # fmt: skip
        assert s.chunks > 1
        outs[predictor] = [p.read_bytes() for p in
                           (out, monitored_path(out), excluded_path(out))]  # fmt: skip
    assert outs["lignum"] == outs["lightgbm"]
    assert small_model.model.raw_predictor_ is None


def test_unknown_predictor_fails_before_reading(small_model, tmp_path):
    with pytest.raises(ConfigError, match="predictor 'fast'"):
        score_file(tmp_path / "absent.parquet", small_model,
                   out=tmp_path / "s.csv", predictor="fast")  # fmt: skip
