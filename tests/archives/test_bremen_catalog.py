"""Bremen as an Archive: a query's days become the day granules, without the network."""

from datetime import date

import pytest

from swathkit.archives.bremen import BremenCatalog, asi_granules, bremen_archive
from swathkit.errors import InputError
from swathkit.types import Query


def _query(start, end, **kw):
    return Query("asi-amsr2", start, end, **kw)


def test_the_days_from_start_to_the_exclusive_end_are_the_granules():
    granules = list(BremenCatalog().search(_query("2024-04-01", "2024-04-04", grid="n3125")))
    assert granules == asi_granules("n3125", date(2024, 4, 1), date(2024, 4, 3))


def test_a_day_partly_inside_the_period_is_included():
    query = _query("2024-04-01T12:00", "2024-04-03T06:00", grid="n6250")
    days = [g.properties["day"] for g in BremenCatalog().search(query)]
    assert days == ["2024-04-01", "2024-04-02", "2024-04-03"]


def test_the_query_grid_wins_over_the_catalogue_grid():
    catalog = BremenCatalog(grid="n3125")
    own = next(catalog.search(_query("2024-04-01", "2024-04-02")))
    asked = next(catalog.search(_query("2024-04-01", "2024-04-02", grid="s6250")))
    assert own.properties["grid"] == "n3125" and asked.properties["grid"] == "s6250"


def test_matched_and_pages_agree_with_search():
    catalog, query = BremenCatalog("n3125"), _query("2024-02-27", "2024-03-02")
    assert catalog.matched(query) == 4
    assert [g for page in catalog.pages(query) for g in page] == list(catalog.search(query))


@pytest.mark.parametrize(("catalog", "query", "message"), [
    (BremenCatalog(), _query("2024-04-01", "2024-04-02"), "needs a grid"),
    (BremenCatalog("n3125"), Query("amsr2-l1b", "2024-04-01", "2024-04-02"),
     "product 'asi-amsr2', not 'amsr2-l1b'"),
])
def test_a_query_the_archive_cannot_answer_is_an_input_error(catalog, query, message):
    with pytest.raises(InputError, match=message):
        catalog.matched(query)


def test_the_archive_fetches_from_its_base_url():
    archive = bremen_archive(base_url="http://127.0.0.1:9/", grid="n6250")
    assert archive.sessions.host.startswith("127.0.0.1")
    assert archive.name == "Bremen http://127.0.0.1:9/" and archive.retry is not None
    with pytest.raises(ValueError, match="unknown ASI grid 'n1000'"):
        bremen_archive(grid="n1000")
