"""Is a word ordinary English?

Typo correction maps a word the knowledge base has never seen to a known word one or two
edits away. That is right for "recyling" but wrong for "buy" (one edit from "bus") or
"heads" (one edit from "leads"): those are real words the article simply does not use, and
reading them as known words turns "which EV should I buy" into a question about buses. A
word that is common in English (wordfreq's Zipf scale: at least once per million words) is
therefore taken as meant, not as a typo (the index applies this to short words, where such
near neighbours abound). Chat shorthand such as "wat" or "govt" is common
too, which is why it is spelled out (``bot.chat``, the synonyms table) instead of relying
on correction.
"""

from __future__ import annotations

from functools import lru_cache

# Zipf 3 = once per million words: "ceo", "buy", "heads", "feb" are at or above it;
# typos ("recyling", "contries", "organizd") and the article's names ("lohum") are below.
COMMON_ZIPF = 3.0


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    # Imported on first use: wordfreq (and the language data it imports) took about 0.1 s
    # of every start, and a question whose words the knowledge all knows never asks.
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= COMMON_ZIPF
