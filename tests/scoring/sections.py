"""Realistic comment sections and captions in several languages, for the voice and brand rules.

Each section is one post with its caption and the comments under it, written the way they read on
the platforms: emoji and one-word praise, a spam offer, questions, a thoughtful comment that drew
a crowd (the voice), a popular but off-topic joke, and a substantive comment nobody liked yet.
``voice`` names the commenter the rules must find; everyone else must not be one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    language: str
    niche: dict[str, Any]
    caption: str
    comments: tuple[tuple[str, str, int, int], ...]  # author, text, likes, replies
    voice: str

    def snapshot(self, handle: str = "creator") -> dict[str, Any]:
        return {
            "platform": "instagram", "handle": handle, "followers": 31_000, "bio": self.niche["description"],
            "posts": [{"id": "p0", "caption": self.caption, "likes": 1_800,
                       "comments_count": len(self.comments)}],
            "comments": [{"id": f"c{i}", "post_id": "p0", "author": author, "text": text, "likes": likes,
                          "replies": replies}
                         for i, (author, text, likes, replies) in enumerate(self.comments)],
            "niches": [self.niche],
        }


SECTIONS = {
    "en": Section(
        "en",
        {"name": "Running", "description": "Road and trail running, marathon training, races and "
                                           "running gear.",
         "keywords": ["marathon", "running", "race", "training plan", "trail run"]},
        "Race report: city half marathon in 1:29, a new personal best by two minutes! Negative split, "
        "held back for the first 10 km and it paid off.",
        (
            ("jo.b", "🔥🔥🔥", 3, 0),
            ("lena.fit", "Love it", 1, 0),
            ("growth.hub", "Want more followers? DM us to collab and grow fast!!! link in bio", 0, 0),
            ("mike_t", "Congrats! How did you pace the second half?", 2, 1),
            ("coach.dani", "Holding back early is the hardest skill in racing. Most runners bank time in the "
                           "first 5 km and pay for it twice at 18. This split is a textbook example.", 64, 9),
            ("funny.fred", "me running to the fridge after watching this 😂😂", 41, 0),
            ("old.town.ola", "Does anyone know a good dentist near the old town? Mine retired last "
                             "month and I have "
                             "had a cracked tooth since Friday.", 29, 4),
            ("sara.k", "Which shoes did you race in? I am training for my first half marathon in "
                       "spring and my "
                       "long runs feel heavy.", 1, 0),
        ),
        "coach.dani"),
    "es": Section(
        "es",
        {"name": "Cocina casera", "description": "Recetas caseras, cocina española, pan, guisos y "
                                                 "repostería.",
         "keywords": ["receta", "cocina", "horno", "guiso", "masa"]},
        "Cocido madrileño como lo hacía mi abuela: garbanzos en remojo la noche antes, tres vuelcos y "
        "mucha paciencia. ¿Quién se apunta el domingo?",
        (
            ("ana_g", "Qué rico 😍😍", 4, 0),
            ("pepe.r", "Top!!", 1, 0),
            ("promo.seguidores", "Gana 500 seguidores al día, escríbenos por DM para colaborar", 0, 0),
            ("chef.marta", "Un truco de mi madre: echa los garbanzos cuando el agua ya hierve y no rompas el "
                           "hervor, así quedan enteros y mantecosos. El caldo de la primera vuelta "
                           "es oro.", 58, 7),
            ("lucas_fc", "Hala Madrid!! ⚽ qué partidazo el de ayer", 35, 2),
            ("irene.cocina", "¿Cuánto tiempo de cocción le das al morcillo en olla normal? Yo "
                             "siempre lo dejo "
                             "duro y no sé por qué.", 2, 0),
        ),
        "chef.marta"),
    "pt": Section(
        "pt",
        {"name": "Corrida", "description": "Corrida de rua, treino para maratona, provas e tênis de corrida.",
         "keywords": ["corrida", "maratona", "treino", "prova", "pace"]},
        "Treino longo de domingo: 28 km no pace de maratona, último longão antes da prova de São Paulo. "
        "Pernas cansadas mas a cabeça forte.",
        (
            ("bia.run", "Arrasou 👏👏", 3, 0),
            ("joao_p", "Top demais", 2, 0),
            ("ganhe.seguidores", "Quer mais seguidores? Chama no direct e ganhe 1000 por dia", 0, 0),
            ("treinador.rafa", "Ótimo treino. Nas últimas três semanas antes da maratona reduza o volume em "
                               "vinte por cento por semana, mas mantenha um pouco de ritmo de prova para as "
                               "pernas não esquecerem.", 52, 8),
            ("meme.br", "eu correndo atrás do ônibus às 6 da manhã kkkkkk", 33, 1),
            ("carla.corre", "Qual gel você usa no longão? O meu sempre dá dor de barriga depois do "
                            "km 20.", 1, 0),
        ),
        "treinador.rafa"),
    "de": Section(
        "de",
        {"name": "Wandern", "description": "Wandern, Bergtouren, Hüttentouren und Ausrüstung für die Alpen.",
         "keywords": ["wandern", "berge", "hütte", "gipfel", "rucksack"]},
        "Drei Tage von Hütte zu Hütte im Karwendel: 54 km, 3.800 Höhenmeter und ein Gewitter am zweiten "
        "Abend. Packliste in den Stories.",
        (
            ("mia.b", "Wow 😍", 4, 0),
            ("tom_k", "Mega!!", 2, 0),
            ("follower.boost", "Mehr Follower? Schreib uns per DM, wir machen dich bekannt", 0, 0),
            ("bergfex.jonas", "Schöne Runde! Tipp für alle, die nachgehen wollen: die Etappe zur "
                              "Lamsenjochhütte "
                              "früh starten, ab Mittag ziehen dort fast jeden Sommertag Gewitter auf.",
             47, 6),
            ("witzbold", "Ich nach drei Stufen zur U-Bahn 😅😅", 38, 0),
            ("lisa.wandert", "Welchen Rucksack hattest du dabei? Ich suche einen mit 35 Litern für "
                             "Hüttentouren.",
             1, 0),
        ),
        "bergfex.jonas"),
}
