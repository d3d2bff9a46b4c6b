"""Stories and questions generated like bAbI tasks 1 and 2 (Weston et al. 2015).

Single supporting fact: people move between rooms; the question "where is
Mary" is answered by the last sentence that moves Mary. Two supporting facts:
people also pick up objects; "where is the football" needs the sentence in
which someone picked it up and that person's last move.

Every story is a list of sentences, each a list of words ending with ".".
"""

from typing import NamedTuple

import numpy as np

PEOPLE = ("Mary", "John", "Sandra", "Daniel")
ROOMS = ("bathroom", "hallway", "office", "kitchen", "garden", "bedroom")
VERBS = ("went to", "moved to", "travelled to", "journeyed to")
OBJECTS = ("football", "apple", "milk")
PICK_VERBS = ("picked up", "got", "grabbed")
PAD = 0


class QAData(NamedTuple):
    stories: list  # N lists of sentences, each a list of words
    questions: list  # N lists of words
    answers: np.ndarray  # (N,) index into ROOMS
    supporting: list  # N lists of sentence indices


def _move(rng, person):
    return f"{person} {VERBS[rng.integers(len(VERBS))]} the {ROOMS[rng.integers(len(ROOMS))]} .".split()


def single_fact_story(rng, n_sentences):
    """A story of moves and one question about someone who moved; returns (story, question, answer, supporting)."""
    story = [_move(rng, PEOPLE[rng.integers(len(PEOPLE))]) for _ in range(n_sentences)]
    person = story[rng.integers(n_sentences)][0]
    last = max(s for s, sentence in enumerate(story) if sentence[0] == person)
    return story, ["where", "is", person, "?"], ROOMS.index(story[last][-2]), [last]


def two_fact_story(rng, n_sentences):
    """Moves and pick-ups; the question asks where an object is (its holder's last room)."""
    while True:
        story, holder, location, picked = [], {}, {}, {}
        for s in range(n_sentences):
            person = PEOPLE[rng.integers(len(PEOPLE))]
            free = [o for o in OBJECTS if o not in holder]
            if free and rng.random() < 0.3:
                obj = free[rng.integers(len(free))]
                story.append(f"{person} {PICK_VERBS[rng.integers(len(PICK_VERBS))]} the {obj} .".split())
                holder[obj], picked[obj] = person, s
            else:
                story.append(_move(rng, person))
                location[person] = s
        candidates = [o for o, p in holder.items() if p in location]
        if candidates:
            obj = candidates[rng.integers(len(candidates))]
            last = location[holder[obj]]
            return story, ["where", "is", "the", obj, "?"], ROOMS.index(story[last][-2]), sorted([picked[obj], last])


def make_stories(kind, count, min_sentences, max_sentences, seed):
    """``count`` stories of ``min_sentences``..``max_sentences`` sentences; kind "single" or "two"."""
    if kind not in ("single", "two"):
        raise ValueError(f"kind must be 'single' or 'two'; got {kind!r}")
    rng = np.random.default_rng(seed)
    make = single_fact_story if kind == "single" else two_fact_story
    items = [make(rng, int(rng.integers(min_sentences, max_sentences + 1))) for _ in range(count)]
    stories, questions, answers, supporting = zip(*items)
    return QAData(list(stories), list(questions), np.array(answers), list(supporting))


def vocabulary():
    """Every word the generators use, after PAD at index 0."""
    words = {w for v in VERBS + PICK_VERBS for w in v.split()} | set(PEOPLE) | set(ROOMS) | set(OBJECTS)
    words |= {"the", ".", "where", "is", "?"}
    return ["_"] + sorted(words)


def encode_stories(data, index):
    """Time-major word ids for the stories ``(S_words, B)``, their lengths, the positions of each sentence's
    "." ``(N_sent, B)`` with a mask ``(N_sent, B)``, and the questions ``(T_q, B)``."""
    B = len(data.stories)
    flat = [[index[w] for sentence in story for w in sentence] for story in data.stories]
    lengths = np.array([len(f) for f in flat])
    words = np.full((lengths.max(), B), PAD, dtype=np.int64)
    n_sent = max(len(story) for story in data.stories)
    ends = np.zeros((n_sent, B), dtype=np.int64)
    mask = np.zeros((n_sent, B), dtype=bool)
    for b, (f, story) in enumerate(zip(flat, data.stories)):
        words[: len(f), b] = f
        ends[: len(story), b] = np.cumsum([len(s) for s in story]) - 1
        mask[: len(story), b] = True
    questions = np.full((max(len(q) for q in data.questions), B), PAD, dtype=np.int64)
    for b, q in enumerate(data.questions):
        questions[: len(q), b] = [index[w] for w in q]
    return words, lengths, ends, mask, questions
