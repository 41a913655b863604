"""Niche fit across languages on multilingual-e5-small (issue 10): a creator who posts in Spanish is
judged against English briefs as the same creator posting in English is, and the other way round."""

from __future__ import annotations

import pytest

from server.schemas import NicheBrief
from server.scoring import glance, niche
from server.scoring.embedder import Embedder

pytestmark = pytest.mark.slow

# The Spanish fitness creator: six captions, the first as the issue quotes it.
SPANISH_FITNESS = [
    "Rutina de piernas en el gimnasio: sentadillas 5x5 y peso muerto",
    "Hoy tocó pecho y tríceps, press de banca con 80 kg por primera vez",
    "Cardio en ayunas: 30 minutos de cinta inclinada antes del trabajo",
    "Mi batido de proteínas después de entrenar: plátano, avena y leche",
    "Día de descanso activo: estiramientos y movilidad de cadera",
    "Tres meses de entrenamiento constante, así ha cambiado mi espalda",
]
ENGLISH_COOKING = [
    "Slow-cooked beef ragu with fresh pappardelle, recipe in the comments.",
    "Sourdough day: overnight proof, the crumb came out beautiful.",
    "Five weeknight dinners under 30 minutes, all on one tray.",
    "Homemade ramen broth simmered for twelve hours, worth every minute.",
    "Lemon tart with a buttery shortcrust and torched meringue.",
    "My grandmother's dumplings, folded the way she taught me.",
]
# French, the language where English-only topics lost to the plain cosine (training/reports/niche-fit.md)
FRENCH_RUNNING = [
    "Sortie longue du dimanche : 24 km en endurance fondamentale, les jambes ont tenu jusqu'au bout.",
    "Semaine d'affûtage avant le marathon de Paris : on réduit le volume, on garde un peu d'intensité.",
    "Fractionné sur piste ce matin : 10 x 400 m avec une minute de récupération.",
    "Trail dans les Alpes ce week-end : 30 km et 1 800 m de dénivelé positif.",
    "Mes nouvelles chaussures de course après 100 km : amorti parfait, je valide.",
    "Nouveau record sur 10 km en 41:30, objectif sous les 40 minutes cet été !",
]
RUNNING = {"name": "Running", "description": "Road and trail running, marathon training, races and gear.",
           "keywords": ["marathon", "running", "race", "training plan", "trail run"]}
FITNESS = {"name": "Fitness",
           "description": "Workouts, gym training, strength and conditioning, healthy habits.",
           "keywords": ["workout", "gym", "training", "exercise", "strength"]}
COOKING = {"name": "Cooking", "description": "Recipes, home cooking, baking and food.",
           "keywords": ["recipe", "cooking", "dinner", "baking", "kitchen"]}
FITNESS_ES = {"name": "Fitness", "description": "Entrenamientos, gimnasio, fuerza y hábitos saludables.",
              "keywords": ["entrenamiento", "gimnasio", "ejercicio", "fuerza", "rutina"]}
COOKING_ES = {"name": "Cocina", "description": "Recetas, cocina casera, repostería y comida.",
              "keywords": ["receta", "cocinar", "cena", "repostería", "cocina"]}


@pytest.fixture(scope="module")
def e5(tmp_path_factory):
    instance = Embedder(8, 16, backend="onnx-int8", data_dir=str(tmp_path_factory.mktemp("e5-niche")),
                        store_url="", model="e5")
    assert instance.wait(timeout=900)
    return instance


@pytest.fixture(scope="module")
def background(e5):
    return niche.Background.load(e5)


def scores(e5, background, captions, briefs):
    posts = [(f"p{i}", c) for i, c in enumerate(captions)]
    vectors = e5.encode(captions)
    out = {}
    for brief in briefs:
        item = niche.Niche.from_brief(NicheBrief(**brief))
        out[item.name] = niche.assess(item, e5.encode(item.texts()), "", None, posts, vectors, background)
    return out


def test_the_e5_background_uses_e5s_settings(background):
    assert background.method == niche.METHODS["e5"]


def test_a_spanish_fitness_creator_fits_fitness_well_above_cooking_on_english_briefs(e5, background):
    found = scores(e5, background, SPANISH_FITNESS, [FITNESS, COOKING])
    fitness, cooking = found["Fitness"], found["Cooking"]
    assert fitness["score"] >= 70, fitness
    assert fitness["score"] >= cooking["score"] + 30, (fitness, cooking)
    assert fitness["on_niche_share"] > cooking["on_niche_share"]
    assert fitness["evidence"]["best"][0]["caption"] in SPANISH_FITNESS


def test_a_french_runner_fits_an_english_running_brief_and_not_cooking(e5, background):
    found = scores(e5, background, FRENCH_RUNNING, [RUNNING, COOKING, FITNESS])
    running, cooking = found["Running"], found["Cooking"]
    assert running["score"] >= 75 and running["on_niche_share"] >= 0.5, running
    assert running["score"] >= cooking["score"] + 50, (running, cooking)
    assert running["score"] > found["Fitness"]["score"], found["Fitness"]


def test_spanish_briefs_judge_english_posts_alike(e5, background):
    cook = scores(e5, background, ENGLISH_COOKING, [FITNESS_ES, COOKING_ES])
    lifter = scores(e5, background, SPANISH_FITNESS, [FITNESS_ES, COOKING_ES])
    assert cook["Cocina"]["score"] >= cook["Fitness"]["score"] + 30, cook
    assert lifter["Fitness"]["score"] >= lifter["Cocina"]["score"] + 20, lifter


def test_a_glance_at_spanish_posts_ranks_the_niches_as_the_score_does(e5, background):
    briefs = [niche.Niche.from_brief(NicheBrief(**b)) for b in (FITNESS, COOKING)]
    found = glance.fits(e5, background, briefs, [SPANISH_FITNESS[:n] for n in (1, 2, 3)])
    for fits in found:
        fitness, cooking = (f["score"] for f in fits)
        assert fitness > cooking + 20 and fitness < 90, fits
