"""Files go to a decoding worker in chunks bounded by count and by bytes, in input order."""

from __future__ import annotations

from pathlib import Path

from opencbec.service.decode_pool import _chunks


def test_chunks_close_at_a_file_count_or_at_a_size(tmp_path: Path) -> None:
    sizes = [10, 10, 10, 50, 5, 5, 5, 5, 5, 100, 1]
    paths = []
    for n, size in enumerate(sizes):
        path = tmp_path / f"{n:02d}.xml"
        path.write_bytes(b"x" * size)
        paths.append(path)
    chunks = list(_chunks(paths, 4, 60))
    assert [[p.name[:2] for p in chunk] for chunk, _ in chunks] == [
        ["00", "01", "02", "03"],  # four files (80 bytes: the fourth brought it over 60)
        ["04", "05", "06", "07"],  # four files of 20 bytes
        ["08", "09"],  # 105 bytes: closed at the size
        ["10"],
    ]
    assert [size for _, size in chunks] == [80, 20, 105, 1]
    assert [p for chunk, _ in chunks for p in chunk] == paths


def test_a_missing_file_counts_no_bytes_and_is_kept_for_the_decoder_to_report(tmp_path: Path) -> None:
    gone = tmp_path / "gone.xml"
    assert list(_chunks([gone], 16, 1024)) == [([gone], 0)]
