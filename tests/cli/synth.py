"""Deterministic synthetic articles for crash, concurrency and scale tests."""
import os
import random

WORDS = ("militia government border oil pipeline election parliament sanctions envoy treaty drone "
         "ceasefire refugees province budget protest cleric minister coalition reform security "
         "water dam trade currency embassy negotiation withdrawal airstrike commander faction").split()
NAMES = ["Popular Mobilization Forces", "Muqtada al-Sadr", "Kurdistan Workers' Party", "Baghdad",
         "Tehran", "Mohammed Shia' al-Sudani", "Islamic State", "Turkey", "Hezbollah", "Basra"]


def article(rng, i):
    title = f"Report {i}: {rng.choice(WORDS).title()} and {rng.choice(WORDS)} in {rng.choice(NAMES)}"
    paras = []
    for _ in range(rng.randint(2, 6)):
        sents = []
        for _ in range(rng.randint(2, 5)):
            w = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
            w.insert(rng.randint(0, len(w)), rng.choice(NAMES))
            if rng.random() < 0.5:
                w.append(f"in {rng.randint(1950, 2025)}")
            s = " ".join(w)
            sents.append(s[0].upper() + s[1:] + ".")
        paras.append(" ".join(sents))
    return title + "\n\n" + "\n\n".join(paras) + "\n"


def write_corpus(folder, n, seed=1, start=0):
    """Writes articles start..start+n-1 as folder/aNNNNN.txt; returns their paths."""
    rng = random.Random(seed * 1000003 + start)
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = os.path.join(folder, f"a{i:05d}.txt")
        with open(p, "w") as f:
            f.write(article(rng, i))
        paths.append(p)
    return paths
