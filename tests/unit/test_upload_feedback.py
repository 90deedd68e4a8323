"""Issue 14: each file's percentage from the share of the upload request sent."""

from __future__ import annotations

from support_portal.states.upload_feedback import UploadItem, _item, _spread


def percents(items: list[UploadItem]) -> list[int]:
    return [item.percent for item in items]


def test_files_fill_one_after_the_other_in_the_order_chosen():
    items = [UploadItem(name="big.pdf", size=3000), UploadItem(name="small.txt", size=1000)]
    assert percents(_spread(items, 0.0)) == [0, 0]
    assert percents(_spread(items, 0.5)) == [67, 0]
    assert percents(_spread(items, 0.75)) == [100, 0]
    assert percents(_spread(items, 0.9)) == [100, 60]
    assert percents(_spread(items, 1.0)) == [100, 100]


def test_sizes_the_browser_did_not_give_fall_back_to_the_whole_requests_share():
    items = [_item({"name": "a.txt", "size": "lots"}), _item({"name": "b.txt"})]
    assert [i.size for i in items] == [0, 0]
    assert percents(_spread(items, 0.42)) == [42, 42]


def test_a_forged_file_entry_is_cut_to_size():
    item = _item({"name": "x" * 1000, "size": -5})
    assert len(item.name) == 255 and item.size == 0
