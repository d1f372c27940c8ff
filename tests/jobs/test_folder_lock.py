"""One download run per folder: a second is refused at once, naming the job."""

import pytest

from swathkit.errors import InputError
from swathkit.jobs._fetch import folder_lock


def test_a_second_run_on_the_folder_is_refused_and_the_lock_freed_after(tmp_path):
    with folder_lock(tmp_path, "smap download"), \
            pytest.raises(InputError, match="another 'smap download' is writing there"), \
            folder_lock(tmp_path, "smap download"):
        pass
    with folder_lock(tmp_path, "pairs download"):  # released when the first run ended
        assert any(p.name.endswith(".lock") for p in tmp_path.iterdir())


def test_an_error_inside_the_run_is_not_taken_for_a_lock(tmp_path):
    with pytest.raises(InputError, match="bad input"), folder_lock(tmp_path, "pairs download"):
        raise InputError("bad input")
