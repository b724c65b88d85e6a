"""seqlab.datasets.read_ts: the sktime/aeon .ts format, against hand-written expectations."""

from pathlib import Path

import numpy as np
import pytest

from seqlab.datasets import read_ts

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "motion"

UNIVARIATE = """# a comment
#another one
@problemName Tiny
@timeStamps false
@missing false
@univariate true
@equalLength true
@seriesLength 4
@classLabel true a b
@data
1,2,3,4:a
0.5,-1.5,2e-1,7:b

"""

MULTIVARIATE = """@problemName Multi
@timestamps false
@univariate false
@dimensions 2
@equalLength false
@classLabel true walk run
@data
1,2,3:4,5,6:walk
7,8:9,10:run
"""


def _write(tmp_path, text, name="x.ts"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_univariate_by_hand(tmp_path):
    ts = read_ts(_write(tmp_path, UNIVARIATE))
    assert ts.name == "Tiny"
    assert ts.class_labels == ["a", "b"]
    assert ts.labels == ["a", "b"]
    assert ts.n_channels == 1 and ts.lengths == [4, 4] and len(ts) == 2
    np.testing.assert_array_equal(ts.series[0], np.array([[1], [2], [3], [4]], np.float32))
    np.testing.assert_allclose(ts.series[1][:, 0], [0.5, -1.5, 0.2, 7.0])
    assert ts.series[0].dtype == np.float32
    assert ts.header["serieslength"] == "4"


def test_multivariate_variable_length_by_hand(tmp_path):
    ts = read_ts(_write(tmp_path, MULTIVARIATE))
    assert ts.n_channels == 2 and ts.lengths == [3, 2]
    np.testing.assert_array_equal(ts.series[0], np.array([[1, 4], [2, 5], [3, 6]], np.float32))
    np.testing.assert_array_equal(ts.series[1], np.array([[7, 9], [8, 10]], np.float32))
    assert ts.labels == ["walk", "run"]


def test_unlabelled(tmp_path):
    text = "@univariate true\n@classLabel false\n@data\n1,2,3\n4,5,6\n"
    ts = read_ts(_write(tmp_path, text))
    assert ts.labels == ["", ""] and ts.class_labels == []
    assert ts.lengths == [3, 3]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("@univariate true\n@missing true\n@classLabel true a\n@data\n1,?,3:a\n", "missing value"),
        ("@univariate true\n@classLabel true a\n@data\n1,NaN,3:a\n", "missing value"),
        ("@univariate true\n@classLabel true a\n@data\n1,x,3:a\n", "'x' is not a number"),
        ("@univariate false\n@dimensions 2\n@classLabel true a\n@data\n1,2:3:a\n",
         "ragged channels"),
        ("@univariate false\n@dimensions 2\n@classLabel true a\n@data\n1,2:a\n", "1 channels"),
        ("@univariate true\n@equalLength true\n@classLabel true a\n@data\n1,2:a\n1,2,3:a\n",
         "earlier lines have 2"),
        ("@univariate true\n@equalLength true\n@seriesLength 3\n@classLabel true a\n@data\n1,2:a\n",
         "@seriesLength is 3"),
        ("@univariate true\n@classLabel true a b\n@data\n1,2:c\n", "label 'c' is not among"),
        ("@univariate true\n@classLabel true a\n", "no @data"),
        ("@univariate true\n@classLabel true a\n@data\n\n", "no examples"),
        ("@timeStamps true\n@data\n(1,2)\n", "not supported"),
        ("1,2,3\n@data\n", "data before @data"),
        ("@univariate maybe\n@data\n1\n", "@univariate must be true or false"),
    ],
)  # fmt: skip
def test_bad_files_name_file_and_line(tmp_path, body, match):
    path = _write(tmp_path, body)
    with pytest.raises(ValueError, match=match) as info:
        read_ts(path)
    assert str(path) in str(info.value)


def test_error_names_the_line(tmp_path):
    body = "@univariate true\n@classLabel true a\n@data\n1,2:a\n1,?:a\n"
    with pytest.raises(ValueError, match=r"line 5, channel 1"):
        read_ts(_write(tmp_path, body))


@pytest.mark.skipif(not DATA.is_dir(), reason="needs ../shared/data/motion")
@pytest.mark.parametrize(
    ("name", "n", "channels", "lengths", "classes"),
    [
        ("GunPoint/GunPoint_TRAIN.ts", 50, 1, (150, 150), ["1", "2"]),
        ("BasicMotions/BasicMotions_TEST.ts", 40, 6, (100, 100),
         ["Standing", "Running", "Walking", "Badminton"]),
        ("PickupGestureWiimoteZ/PickupGestureWiimoteZ_TRAIN.ts", 50, 1, (29, 361),
         [str(k) for k in range(1, 11)]),
    ],
)  # fmt: skip
def test_shared_motion_files(name, n, channels, lengths, classes):
    ts = read_ts(DATA / name)
    assert len(ts) == n and ts.n_channels == channels
    assert (min(ts.lengths), max(ts.lengths)) == lengths
    assert ts.class_labels == classes and set(ts.labels) <= set(classes)
