"""``cbec clear`` reads files in the order of ``sorted(rglob)``, streaming the directory walk."""

from __future__ import annotations

from pathlib import Path

from opencbec.service.batch_clear import READABLE_SUFFIXES, input_files


def _old_order(directory: Path) -> list[Path]:
    """The listing as it was: every path under ``directory`` sorted, then filtered."""
    return [
        p
        for p in sorted(directory.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in READABLE_SUFFIXES
        and not p.name.startswith((".", "ground-truth"))
    ]


def _tree(root: Path) -> None:
    names = [
        "a/x.xml",
        "a-b.xml",
        "a/b/c.json",
        "a/B.XML",
        "b.xml",
        "b.txt",
        ".hidden.xml",
        "ground-truth.jsonl",
        "ground-truth-summary.json",
        "day/2024-06-18/00000002_CEB311Message.xml",
        "day/2024-06-18/00000010_CEB621Message.xml",
        "day/2024-06-17/00000001_CEB411Message.xml",
        "z/.dir/inside.xml",
        "Z.xml",
    ]
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<x/>")
    outside = root.parent / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "linked.xml").write_text("<x/>")
    (root / "m-link").symlink_to(outside)  # a linked directory (not descended, as rglob did)
    (root / "c-link.xml").symlink_to(root / "b.xml")  # a linked file (read, as before)


def test_the_order_is_that_of_sorted_rglob(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _tree(root)
    got = list(input_files([root]))
    assert got == _old_order(root)
    names = [p.relative_to(root).as_posix() for p in got]
    assert names[:4] == ["Z.xml", "a/B.XML", "a/b/c.json", "a/x.xml"]  # a directory's files before a-b.xml
    assert "a-b.xml" in names and "c-link.xml" in names
    assert not any(n.startswith((".", "ground-truth", "m-link")) for n in names)
    assert "z/.dir/inside.xml" in names  # only hidden files are skipped, not files in hidden directories


def test_paths_keep_their_given_order_and_named_files_are_always_read(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _tree(root)
    named = root / "b.txt"
    assert list(input_files([named, root / "day"])) == [named, *_old_order(root / "day")]
