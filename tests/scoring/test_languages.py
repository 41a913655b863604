"""Language shares: real sentences in 13 languages, and the bad input of issue 10 (each gets an answer)."""

from __future__ import annotations

import pytest

from server.scoring import languages
from training.niche_eval import SHARED, SIB_LANGUAGES


def sib_sentences(folder: str, n: int) -> list[str]:
    lines = (SHARED / "sib-200" / folder / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 2)[2] for line in lines[:n]]


@pytest.mark.parametrize("folder", sorted(SIB_LANGUAGES))
def test_real_sentences_get_their_language(folder):
    found = languages.shares(sib_sentences(folder, 20))
    assert max(found, key=found.get) == SIB_LANGUAGES[folder]
    assert found[SIB_LANGUAGES[folder]] >= 0.9


def test_shares_add_up_and_come_largest_first():
    texts = sib_sentences("spa_Latn", 6) + sib_sentences("deu_Latn", 3) + ["😍😍😍"]
    found = languages.shares(texts)
    assert list(found) == ["es", "de", "und"]
    assert found == {"es": 0.6, "de": 0.3, "und": 0.1}
    assert languages.shares([]) == {}


@pytest.mark.parametrize("text", ["", "   ", "😍🔥👏👏", "12345 !!! ???", "@someone #", "\u200b\u200d\u200b",
                                  "https://example.com/x?y=1", "ok"])
def test_nothing_to_read_is_und(text):
    assert languages.detect(text) == languages.UNKNOWN


def test_bad_input_gets_an_answer():
    arabic = "أحب الطبخ في المنزل مع عائلتي كل يوم جمعة"
    hindi = "मुझे हर सुबह दौड़ना और योग करना पसंद है"
    assert languages.detect(arabic) == "ar"  # right to left
    assert languages.detect(hindi) == "hi"  # Devanagari with its vowel signs (marks)
    assert languages.detect("x" * 5000) == languages.UNKNOWN  # one 5,000-letter word is no language
    long_word = "Rutina de piernas en el gimnasio: sentadillas y peso muerto " + "a" * 5000
    assert languages.detect(long_word) == "es"
    zero_width = "Rutina\u200b de piernas\u200d en el gimnasio\ufeff con sentadillas"
    assert languages.detect(zero_width) == "es"
    with_handles = "@maria_fit https://t.co/abc #fitness Rutina de piernas en el gimnasio hoy 💪💪"
    assert languages.detect(with_handles) == "es"
    mixed = "Love this! " + "Me encanta esta receta de tortilla de patatas con cebolla, la mejor del mundo"
    assert languages.detect(mixed) == "es"  # the larger part wins


def test_clean_bounds_what_the_detector_reads():
    cleaned = languages.clean("ab" * 10_000 + " " + "mot " * 1000)
    assert len(cleaned) <= languages.MAX_CHARS
    assert max(len(word) for word in cleaned.split()) <= languages.MAX_WORD


def test_unknown_detector_is_refused():
    with pytest.raises(ValueError, match="unknown language detector"):
        languages.detector("cld9")


def test_mix_counts_shares_and_names_the_main_known_language():
    texts = sib_sentences("por_Latn", 3) + ["🔥🔥", "", "ok"] + sib_sentences("spa_Latn", 1)
    found = languages.mix(texts)
    assert found == {"texts": 7, "main": "pt", "shares": [
        {"code": "pt", "share": 0.429, "count": 3}, {"code": "und", "share": 0.429, "count": 3},
        {"code": "es", "share": 0.143, "count": 1}]}
    assert languages.mix(["😍", "!!!"]) == {"texts": 2, "main": None,
                                            "shares": [{"code": "und", "share": 1.0, "count": 2}]}
    assert languages.mix([]) == {"texts": 0, "main": None, "shares": []}
    assert languages.share_map(found) == {"pt": 0.429, "und": 0.429, "es": 0.143}


def test_the_section_says_when_the_audience_writes_in_another_language():
    section = languages.assess("Entrenadora personal en Madrid, rutinas y nutrición",
                               sib_sentences("spa_Latn", 4), sib_sentences("por_Latn", 5) + ["👏👏"])
    assert section["bio"] == "es" and section["posts"]["main"] == "es" and section["comments"]["main"] == "pt"
    assert section["comments"]["shares"][-1] == {"code": "und", "share": 0.167, "count": 1}
    assert section["reasons"][0] == "Captions: es 100% of 4."
    assert section["reasons"][1] == ("Comments: pt 83%, und 17% of 6 "
                                     "(und: too few words, or the detector unsure).")
    assert "mostly writes in pt, the creator mostly in es" in section["reasons"][2]
    # one Portuguese and one Chinese comment among emoji is no "mostly": the main is a tie's first
    split = languages.assess("", sib_sentences("spa_Latn", 4),
                             sib_sentences("por_Latn", 1) + sib_sentences("zho_Hans", 1) + ["👏", "🔥"])
    assert split["comments"]["main"] == "pt" and len(split["reasons"]) == 2, split["reasons"]
    empty = languages.assess("", [], [])
    assert empty["bio"] is None and empty["posts"]["texts"] == 0
    assert empty["reasons"][0] == "Captions: none to read."


@pytest.mark.parametrize(("raw", "expected"), [
    ("es", ("es",)), ("ES, pt,,es", ("es", "pt")), ("und", ("und",)), (["de", "fr"], ("de", "fr")), ("", ()),
])
def test_filter_codes_are_iso_639_1_or_und(raw, expected):
    assert languages.codes(raw) == expected


@pytest.mark.parametrize("raw", ["spa", "e", "es-ES", "1a", "<b>"])
def test_other_filter_codes_are_refused(raw):
    with pytest.raises(ValueError, match="ISO 639-1"):
        languages.codes(raw)


def test_a_filter_wants_a_real_share_of_the_language():
    kept = {"es": 0.7, "en": 0.2, "pt": 0.1}
    assert languages.matches(kept, ["es"]) and languages.matches(kept, ["en"])
    assert not languages.matches(kept, ["pt"])  # one stray post of ten
    assert languages.matches(kept, ["pt", "en"]) and not languages.matches({}, ["es"])
    assert not languages.matches(None, ["es"])


@pytest.mark.parametrize(("text", "expected"), [
    ("😍😍😍", True), ("", True), ("  \u200b ", True), ("!!! ???", True), ("👏🏽👏🏽", True),
    ("top!!", False), ("10/10", False), ("❤️ amei", False), ("好", False),
])
def test_wordless_means_no_letter_and_no_digit(text, expected):
    assert languages.wordless(text) is expected


CLEAN_TEXT = "Rutina 5x5 🏋️ @coach_ana #gym https://x.co/a l'été हिंदी, ｆｕｌｌ\u200bwidth!!"
CLEAN_WORDS = "Rutina x gym l'été हिंदी ｆｕｌｌwidth"


def test_clean_keeps_letters_marks_and_apostrophes_only(monkeypatch):
    monkeypatch.setattr(languages, "_WORD_CHARS", languages._WordChars())  # an empty table
    assert languages.clean(CLEAN_TEXT) == CLEAN_WORDS  # each character worked out
    assert len(languages._WORD_CHARS) > 20
    assert languages.clean(CLEAN_TEXT) == CLEAN_WORDS  # each character read from the table
    assert languages.clean("🎉" * 50 + "ok") == "ok"


def test_the_clean_table_stops_growing_at_its_bound_and_answers_alike(monkeypatch):
    monkeypatch.setattr(languages, "_TABLE_MAX", 4)
    monkeypatch.setattr(languages, "_WORD_CHARS", languages._WordChars())
    assert languages.clean(CLEAN_TEXT) == CLEAN_WORDS
    assert len(languages._WORD_CHARS) == 4
    assert languages.clean(CLEAN_TEXT) == CLEAN_WORDS


def _real_texts() -> list[str]:
    """Real texts in 17 languages: SIB-200 sentences in 13, tweets in English, Spanish, Greek, Japanese."""
    from training.niche_eval import load_datasets

    return [post.text for ds in load_datasets() for post in ds.posts[:150]]


def test_batched_detection_is_the_library_s_one_text_at_a_time():
    model = languages._Py3langid()
    assert model.batched
    words = [languages.clean(text) for text in _real_texts()]
    words += ["", "x", "ok ok ok ok", "😍" * 40, "a" * 600, "Rutina de piernas " * 30]
    one = [model.one(w) for w in words]
    many = [code for start in range(0, len(words), 73) for code in model.many(words[start:start + 73])]
    assert many == one
    assert len(set(one)) >= 15  # the texts really span the languages


def test_detector_remembers_answers_and_keeps_order(monkeypatch):
    found = languages.Detector(languages._Py3langid())
    texts = ["Rutina de piernas en el gimnasio hoy", "😍😍", "Leg day at the gym today with my friends",
             "Rutina de piernas en el gimnasio hoy"]
    assert found.many(texts) == ["es", "und", "en", "es"]
    asked: list[list[str]] = []
    real = found.model.many
    monkeypatch.setattr(found.model, "many", lambda words: asked.append(list(words)) or real(words))
    french = "Une recette de cuisine pour le dîner de ce soir"
    assert found.many([*texts, french]) == ["es", "und", "en", "es", "fr"]
    assert asked == [[french]]  # the rest came from memory
    assert found("Leg day at the gym today with my friends") == "en"


def test_detector_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(languages, "CACHE_SIZE", 5)
    found = languages.Detector(languages._Py3langid())
    found.many([f"texto número {i} sobre cocina casera" for i in range(12)])
    assert len(found._answers) == 5
    # it keeps 16-byte digests, not the texts: a 5,000-character caption costs what a word does
    long = "😍" + "receta " * 700 + "\ud800"  # a lone surrogate, as a JSON body may carry
    assert found.many([long]) == [found(long)]
    assert all(isinstance(key, bytes) and len(key) == 16 for key in found._answers)
