"""The conditioned-generation chapters are in the built book, with audio that plays offline."""

import pathlib
import re

import pytest

HTML = pathlib.Path(__file__).resolve().parents[1] / "_build" / "html" / "book"

pytestmark = pytest.mark.skipif(not HTML.exists(), reason="no built book: run `make book` (make test does)")


@pytest.mark.parametrize("chapter", ["15_captioning", "16_audio"])
def test_conditioned_generation_chapter_is_in_the_built_book(chapter):
    assert (HTML / f"{chapter}.html").exists()


def test_audio_chapter_embeds_its_sound_as_data_uris():
    page = (HTML / "16_audio.html").read_text(encoding="utf-8")
    players = re.findall(r"<audio[^>]*\bsrc=\"([^\"]{0,30})", page)
    assert len(players) >= 12 and all(src.startswith("data:audio/wav;base64,") for src in players)
