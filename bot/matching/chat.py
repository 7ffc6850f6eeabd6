"""How people type in chat, whatever the article: contractions, shorthand and filler.

This is general English, not knowledge about the tour, so it lives in code rather than in
``knowledge/synonyms.yaml`` (which moderators keep for the article's own vocabulary). It
matters because the matcher reads a word it has never seen as a sign that the question is
about something the article does not cover: "dont", "doin" or "noob question" would count
against an honest question exactly as "price" counts against "the price of a Tata Nexon".

The lists were written from how people pad and abbreviate chat messages, not from the
labelled question sets; words that can be what a question is about ("people", "time",
"news", "one", "part", "help") are left out on purpose.
"""

from __future__ import annotations

import re

# "don't" -> "do not"; "i'm", "they're", "we've", "it'll", "i'd" -> the pronoun alone (the
# rest carries no topic). "can't" and "won't" lose more than "n't": "ca", "wo".
_NOT = re.compile(r"\b(\w+)n't\b")
_IRREGULAR_NOT = {"ca": "can", "wo": "will", "ai": "is"}
_CLITIC = re.compile(r"(\w)'(?:m|re|ve|ll|d)\b")
# Words whose apostrophe is inside: split at it, "y'all" would read as "y" ("why") + "all".
_APOSTROPHE_WORDS = {"y'all": "yall", "ma'am": "maam", "'cause": "because", "c'mon": "come on"}
_APOSTROPHE_WORD = re.compile("|".join(map(re.escape, _APOSTROPHE_WORDS)))


def expand_contractions(text: str) -> str:
    """Expand contractions in casefolded text with straight apostrophes."""
    text = _APOSTROPHE_WORD.sub(lambda m: _APOSTROPHE_WORDS[m.group(0)], text)
    text = _NOT.sub(lambda m: _IRREGULAR_NOT.get(m.group(1), m.group(1)) + " not", text)
    return _CLITIC.sub(r"\1", text)


# Shorthand and apostrophe-less contractions, one word to its full form.
SHORTHAND: dict[str, str] = {
    # question words
    "wat": "what", "wht": "what", "wut": "what", "whut": "what", "whta": "what",
    "wich": "which", "whch": "which", "whcih": "which", "wihch": "which",
    "wen": "when", "whn": "when", "wher": "where", "whr": "where",
    "hw": "how", "wy": "why", "y": "why",
    # contractions typed without the apostrophe
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "wasnt": "was not", "arent": "are not", "werent": "were not", "cant": "can not",
    "wont": "will not", "couldnt": "could not", "wouldnt": "would not",
    "shouldnt": "should not", "havent": "have not", "hasnt": "has not", "hadnt": "had not",
    "im": "i", "ive": "i", "youre": "you", "theyre": "they", "thats": "that",
    "theres": "there", "gonna": "going to", "wanna": "want to", "gotta": "got to",
    "lemme": "let me", "gimme": "give me", "tryna": "trying to", "outta": "out of",
    # everyday shorthand
    "abt": "about", "bout": "about", "r": "are", "u": "you", "ur": "your", "n": "and",
    "nd": "and", "frm": "from", "tht": "that", "thn": "then", "dat": "that", "da": "the",
    "dis": "this", "dey": "they", "bc": "because", "cuz": "because", "coz": "because",
    "cos": "because", "bcoz": "because", "bcuz": "because", "becuz": "because",
    "thru": "through", "altho": "although", "doin": "doing", "goin": "going",
    "sayin": "saying", "talkin": "talking", "happenin": "happening", "happend": "happened",
    "happned": "happened", "ppl": "people", "some1": "someone", "sum1": "someone",
    "any1": "anyone", "every1": "everyone", "evryone": "everyone", "sth": "something",
    "smth": "something", "wud": "would", "cud": "could", "shud": "should", "hav": "have",
    "knw": "know", "kno": "know", "gud": "good", "lil": "little", "prolly": "probably",
    "probly": "probably", "plz": "please", "plss": "please", "pleasee": "please",
    "thx": "thanks", "thnx": "thanks", "thanx": "thanks", "ty": "thanks", "rly": "really",
    "b4": "before", "yr": "year", "yrs": "years", "wk": "week", "wks": "weeks",
    "hrs": "hours", "mins": "minutes", "esp": "especially", "approx": "approximately",
    "natl": "national", "dept": "department", "rn": "right now",
    "asap": "as soon as possible",
    # the commonest typing slips of everyday words (letters swapped or dropped); a
    # phrasing written with one ("how long was teh tour") must not make it a topic word
    "teh": "the", "hte": "the", "adn": "and", "nad": "and", "waht": "what", "whre": "where",
    "wehre": "where", "wehn": "when", "hwo": "how", "woh": "who", "taht": "that",
    "thier": "their", "wiht": "with", "yuo": "you", "tehy": "they", "abotu": "about",
    "baout": "about", "becuase": "because", "becasue": "because", "aer": "are",
}  # fmt: skip

# Words that are filler in a chat question: greetings, thanks, interjections, hedges,
# slang, ways of addressing people, and the politeness and tag particles of regional
# Englishes (Filipino "po", Indian "yaar", Singaporean "lah", British "innit"). (The core
# stopwords are in ``bot.textnorm``.)
FILLER_WORDS = frozenset(
    """
    heyy heya heyo hii hiii hiya helloo helo hallo hola howdy sup wassup ayo ayy oi
    greetings thankyou tysm tyvm tia cheers appreciated plox plis kindly
    oh ohh ooh ah ahh aha uhh uhm umm er erm hm hmmm mhm huh eh meh welp wow whoa woah
    oops oof ugh yikes geez jeez dang damn omg omfg wtf smh lmfao rofl hahaha hehe xd
    perhaps kinda sorta literally honestly frankly seriously srsly genuinely truly
    totally definitely absolutely obviously apparently supposedly presumably probably
    possibly essentially technically somewhat simply quite tbf tbqh imho iirc afaik
    afaict fwiw idek dunno ig istg fr frfr deadass lowkey highkey legit af ofc obv obvs
    jk lmk nvm np fyi ikr anyhow fam mate mates bruh dude buddy pal homie bestie fellas
    lads peeps sir maam mam sry soz apologies yea yeh yup okk okie kk alright aight nah
    nope innit reckon ta crikey blimey yaar ji bhai bhaiya arre achha accha haan lah leh lor
    po naman lang nga diba pala daw talaga
    """.split()
)

# Phrases that pad a question as a whole: preambles, introductions, trailing tags and
# "according to the article"-style sourcing. Matched as whole words after normalisation.
FILLER_PHRASES = (
    "quick question", "quick q", "quick one", "real quick", "random question", "random q",
    "noob question", "dumb question", "stupid question", "silly question",
    "sorry if this is a dumb question", "sorry if this is obvious",
    "sorry if this was asked", "sorry if this has been asked before", "sorry to bother",
    "sorry in advance", "sorry for my english", "sorry for bad english",
    "english is not my first language", "not a native speaker", "just wondering",
    "just curious", "i was wondering", "i'm curious", "out of curiosity", "no idea",
    "i have no idea", "if anyone knows", "does anyone know", "anyone know",
    "can someone tell me", "can anyone tell me", "can you tell me", "please tell me",
    "kindly tell me", "can someone explain", "please explain", "i want to know",
    "i would like to know", "help me understand", "please help", "pls help", "i need help",
    "i have a question", "i got a question", "question for you", "one more question",
    "another question", "follow up question", "can i ask", "may i ask", "i wanted to ask",
    "just wanted to ask", "can you please", "could you please", "just joined", "new here",
    "i'm new here", "first time here", "long time lurker", "hi everyone", "hey everyone",
    "hello everyone", "hi all", "hey all", "hey guys", "hey bot", "good morning",
    "good evening", "how are you", "hope you're doing well", "i might have missed it",
    "maybe i missed it", "i might have missed something", "didn't read it all",
    "didn't read the whole article", "i skimmed the article", "i'm confused",
    "i'm a bit confused", "i don't understand", "or nah", "or what", "or not",
    "if that makes sense", "thanks in advance", "thanks a lot", "thank you so much",
    "thank you", "thank u", "many thanks", "much appreciated", "appreciate it",
    "any help would be appreciated", "asking for a friend", "just asking", "just saying",
    "let me know", "please reply", "please answer", "no rush", "no worries",
    "if you don't mind", "when you get a chance", "not sure if this is the right place",
    "correct me if i'm wrong", "if i'm not mistaken", "if i understand correctly",
    "as far as i know", "from what i read", "from what i understand", "from what i gather",
    "i think", "i guess", "i mean", "you know", "to be honest", "to be fair",
    "not gonna lie", "in my opinion", "by the way", "for real", "ok so", "so basically",
    "like i said", "according to the article", "acc to the article",
    "according to the news", "according to the piece", "according to the report",
    "per the article", "based on the article",
    "as mentioned in the article",
)  # fmt: skip


# Words of chat acts (greetings, thanks, acknowledgements, reactions, goodbyes, ways of
# addressing people), as people type them in an English-speaking community server whose
# members come from South and Southeast Asia: written from everyday chat, not from any
# labelled set. ``bot.matching.smalltalk`` reads a message made of them (and of stopwords
# and filler) as small talk, and typo correction leaves them as typed: "perfect" is not a
# slip for "percent", nor "khop khun krap" for "shop".
CHAT_ACTS = """
    hi hii hiii hey heyy heya hiya hello helo hallo howdy yo sup wassup greetings welcome
    morning afternoon evening night gm gn good
    namaste namaskar namaskaram vanakkam ayubowan salaam salam assalamualaikum assalamu
    alaikum walaikum kuzuzangpo kuzu zangpo tashi delek selamat pagi siang sore malam halo
    hai apa kabar kumusta kamusta mabuhay magandang umaga hapon gabi sawasdee sawatdee
    sawadee sawasdi xin chao konnichiwa ni hao hola bonjour ciao aloha
    thanks thank thx ty tysm tyvm thankyou thanku thnx cheers appreciate appreciated
    grateful kind much lot lots many ton tons million dhanyavad dhanyavaad dhanyawad
    shukriya shukria shukran dhonnobad dhonnobaad terima kasih makasih trims salamat
    maraming po khob khop khun kob krub krap kha ka cam istuti bohoma nandri kadrinchey
    arigato gracias merci danke
    kaise kaisa kaisi ho bhai bhaiya yaar ji kya haal hal theek thik sab badhiya acha
    accha achha bahut kemon acho bhalo kohomada eppadi irukeenga sabai dee mai khoe khong
    k kk okk okie alright aight fine got noted understood understand gotcha roger cool
    nice great awesome perfect excellent amazing wonderful brilliant neat sweet super
    fantastic interesting true agreed agree same make sense fair enough indeed no nope nah
    yup yea
    lmfao rofl hahaha hehe xd wow whoa omg damn dang yikes oof ugh meh hm oh ah aha ooh
    crazy insane wild cute
    bye byee goodbye cya later see tc care ttyl gtg tomorrow soon
    everybody team mods admin sir madam maam mam buddy dude mate fam friend
    helpful useful useless smart stupid dumb clever best worst love hate bad
    test testing tested ping pong
    hope happy glad
"""
