"""The weighted signals behind prompt-injection and jailbreak detection.

Each :class:`Signal` is one idea ("asks to ignore earlier instructions", "claims a
developer mode") with a weight; a message is flagged when the weights of the distinct
signals it triggers add up to the threshold (1.0 by default). Strong, specific signals
weigh 1.0 on their own; vague ones ("pretend", "hypothetically") weigh less and only count
together, which is what keeps ordinary questions that happen to contain one security
word from being blocked.

Patterns run on folded text (NFKC, casefolded, invisible characters removed; see
:mod:`._text`), so they are written in lower case. Every signal lists ``keywords``: cheap
substring pre-checks (groups that must all be satisfied, each by any one keyword); the
regex only runs when they pass, which keeps a 2 KB scan well under a millisecond. The rules are written from the attack families'
descriptions (OWASP LLM01, published jailbreak taxonomies), not from benchmark strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

__all__ = ["INDIRECT_SIGNALS", "INJECTION_SIGNALS", "Signal", "keywords_in"]


@dataclass(frozen=True)
class Signal:
    """One weighted detection rule.

    Attributes:
        name: Stable identifier, shown in reasons and metrics.
        family: ``override``, ``roleplay``, ``extraction``, ``multilingual``,
            ``delimiter``, ``encoding``, ``exfiltration`` or ``hidden``.
        weight: Contribution to the score when the signal fires (once per message).
        source: The regex source, run on folded text (compiled on first use, so
            importing the package stays fast).
        keywords: Groups of substrings: every group needs one of its substrings in the
            text for the regex to run (empty: always run).
    """

    name: str
    family: str
    weight: float
    source: str
    keywords: tuple[tuple[str, ...], ...] = field(default=())

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.DOTALL)

    def may_match(self, text: str, present: AbstractSet[str] | None = None) -> bool:
        """The cheap pre-check; ``present`` is :func:`keywords_in` for the text, shared
        between signals (one pass over the text instead of one per keyword)."""
        if present is None:
            return all(any(k in text for k in group) for group in self.keywords)
        return all(any(k in present for k in group) for group in self.keywords)

    def search(self, text: str, present: AbstractSet[str] | None = None) -> re.Match[str] | None:
        if self.keywords and not self.may_match(text, present):
            return None
        return self.pattern.search(text)


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, factored as a trie (Python's ``re`` tries
    alternatives one by one, so shared prefixes are what make one pass cheap)."""
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and "" not in node else "(?:" + "|".join(alts) + ")"
        return body + ("?" if "" in node else "")

    return build(root)


@lru_cache(maxsize=32)
def _keyword_index(
    signals: tuple[Signal, ...],
) -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    words = sorted({k for s in signals for group in s.keywords for k in group})
    # A match proves every keyword inside it ("roleplay" also proves "role").
    closure = {w: frozenset(k for k in words if k in w) for w in words}
    return re.compile(_trie_regex(words), re.DOTALL), closure


def keywords_in(text: str, signals: tuple[Signal, ...]) -> frozenset[str]:
    """The keywords of ``signals`` present in ``text`` (same answer as ``k in text`` for
    each keyword), found with one trie regex instead of one substring search per keyword.

    The search restarts one character after each match start rather than at its end,
    so a keyword overlapping a longer match ("ignorders" holds "ignor" and "orders") is
    not lost.
    """
    pattern, closure = _keyword_index(signals)
    found: set[str] = set()
    search = pattern.search
    m = search(text)
    while m is not None:
        found |= closure[m.group(0)]
        m = search(text, m.start() + 1)
    return frozenset(found)


def _s(name: str, family: str, weight: float, pattern: str, keywords: str) -> Signal:
    """Compact constructor for the tables below.

    ``keywords`` is ``|``-separated alternatives; ``&`` separates groups that must all
    be present (``"print|show&prompt|instructions"``).
    """
    groups = tuple(tuple(g.split("|")) for g in keywords.split("&")) if keywords else ()
    return Signal(name, family, weight, pattern, groups)


_SEP = r"[\s,;:'\"()*_.-]+"
_WORD = r"[\w'-]+"
_OVERRIDE_VERB = (
    r"(?:ignore|ignoring|ignored|disregard|disregarding|forget|forgetting|bypass|override|"
    r"overlook|neglect|discard|dismiss|skip|abandon|drop|set aside|put aside|throw out|"
    r"stop following|do not follow|don't follow|dont follow|pay no attention to|"
    r"no longer follow|cease following|unlearn)"
)
_EARLIER = (
    r"(?:previous|previously|prior|above|earlier|preceding|foregoing|former|original|initial|"
    r"old|existing|system|developer|default|all|any|every|your|the preceding|safety|ethical|"
    r"moral|content|programmed|built-in|pre-?set|given|current|first|following)"
)
_RULES = (
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|commands|constraints|"
    r"programming|restrictions|polic(?:y|ies)|guardrails|filters|safeguards|orders|"
    r"training|guidance|conditioning|limitations|boundaries|protocols|ethics|morals|"
    r"principles)"
)

# fmt: off
INJECTION_SIGNALS: tuple[Signal, ...] = (
    # -- override: "ignore previous instructions" and paraphrases ------------------------
    _s("ignore-previous-instructions", "override", 1.0,
       rf"\b{_OVERRIDE_VERB}{_SEP}(?:{_WORD}{_SEP}){{0,4}}?{_EARLIER}{_SEP}(?:{_WORD}{_SEP}){{0,3}}?{_RULES}\b",
       "ignor|disregard|forget|bypass|overrid|overlook|neglect|discard|dismiss|skip|abandon|drop|aside|throw|follow|attention|unlearn"),
    _s("forget-everything", "override", 1.0,
       r"\b(?:forget|ignore|disregard|erase|wipe)\b(?:\s+\w+){0,2}?\s+(?:everything|all(?: of)? that|anything|what)"
       r"\b(?:\s+\w+){0,4}?\s+(?:(?:you(?:'ve| have)? (?:been |were )?(?:told|taught|learned|instructed|programmed|trained))|above|before|previously|so far|earlier|i (?:said|told you))\b",
       "forget|ignor|disregard|erase|wipe"),
    _s("instructions-void", "override", 1.0,
       r"\b(?:previous|prior|above|earlier|old|original|all|your)\s+(?:instructions|rules|prompts?|guidelines|directives)"
       r"\b.{0,40}?\b(?:are|is|were|be|have been|has been)\s+(?:now\s+)?(?:void|cancel+ed|revoked|null|obsolete|invalid|"
       r"ignored|overridden|replaced|suspended|lifted|disabled|deactivated|no longer (?:valid|apply|applicable|relevant|in effect))\b",
       "instruction|rule|prompt|guideline|directive"),
    _s("new-instructions", "override", 0.6,
       r"\b(?:new|updated|real|actual|true|revised|secret|hidden|additional|important|override)\s+(?:instructions?|task|directive|system prompt|rules|orders)\s*(?::|-|follows\b|are\b)",
       "instruction|task|directive|prompt|rules|orders"),
    _s("stop-and-do", "override", 0.7,
       r"\b(?:stop everything|stop what you(?:'re| are) doing|nevermind|never mind|cancel that|scratch that|change of plans?)\b",
       "stop|never|cancel|scratch|change of plan"),
    _s("instead-output", "override", 0.3,
       r"\b(?:instead|just|only|simply)\s+(?:say|print|output|write|respond with|reply with|return|type|repeat)\b\s*[:\"']",
       "instead|just|only|simply"),
    _s("from-now-on-you", "roleplay", 0.7,
       r"\b(?:from now on|from this (?:point|moment)(?: on(?:ward)?)?|starting now|henceforth),?\s+(?:you(?:'re|'ll)?|your)\b",
       "from now|from this|starting now|henceforth"),
    _s("from-now-on", "roleplay", 0.4,
       r"\b(?:from now on|from this (?:point|moment)(?: on(?:ward)?)?|for the rest of (?:this|the) conversation|until i say (?:otherwise|stop))\b",
       "from now|from this|rest of|until i say"),
    # -- role play / persona jailbreaks ----------------------------------------------------
    _s("dan-persona", "roleplay", 1.0,
       r"\bdan(?: mode| \d+(?:\.\d+)?| prompt| jailbreak)\b|\b(?:you are|you're|as|called|named|pretend to be|act as|become|known as) (?:a |an |the )?dan\b|\bdan\s*:|\[dan\]|\bdan,? (?:which|who) stands for\b",
       "dan"),
    _s("do-anything-now", "roleplay", 0.6,
       r"\b(?:do|does|doing|can do) anything now\b",
       "anything now"),
    _s("developer-mode", "roleplay", 0.6,
       r"\b(?:developer|dev|debug|god|sudo|admin|maintenance|unrestricted|opposite|evil|jailbreak|unlocked|uncensored|chaos|dude|stan|anarchy)\s+mode\b",
       "mode"),
    _s("mode-enabled", "roleplay", 0.5,
       r"\bmode\s+(?:enabled|activated|on|unlocked|engaged)\b|\b(?:enable|activate|enter|switch to|unlock)\s+(?:\w+\s+){0,2}mode\b",
       "mode"),
    _s("jailbreak-word", "roleplay", 0.6,
       r"\bjail\s?-?break(?:s|ed|ing)?\b|\bjailbroken\b|🔓|\bunlocked (?:ai|model|assistant|version)\b",
       "jail|🔓|unlocked"),
    _s("you-are-now", "roleplay", 0.6,
       r"\byou(?:'re| are| will be| shall be)\s+(?:now|no longer|going to (?:be|act|pretend|play|simulate)|about to (?:immerse|become|be|play|act))\b"
       r"|\byou\s+(?:will|must|shall|should|are going to|have to)\s+(?:now\s+)?(?:act|behave|respond|answer|pretend|roleplay|role-play|play the role|pose|serve|function|operate|imitate|impersonate|take on the role)\s+(?:as|like|of)\b"
       r"|\byou are going to (?:imitate|impersonate|emulate|simulate|become|roleplay|role-play)\b|\b(?:take on|assume|adopt|play|step into) the (?:\w+\s+){0,2}(?:personality|persona|role|identity) of\b",
       "you|the role|the persona|the personality|the identity&now|no longer|going to|about to|will|must|shall|should|have to|take on|assume|adopt|play|step into"),
    _s("pretend", "roleplay", 0.4,
       r"\b(?:pretend(?:ing)?|imagine|simulate|emulate|impersonate)\s+(?:to be|you(?:'re| are)|that you|being|yourself|to have)\b|\bimmerse yourself\b|\bact (?:as if|like) you(?:'re| are)\b",
       "pretend|imagine|simulat|emulat|imperson|immerse|act as if|act like"),
    _s("act-as-persona", "roleplay", 0.5,
       r"\b(?:act|behave|respond|answer|reply|write|continue|speak|talk|operate|function|pose)\s+(?:as|like)\s+(?:an?\s+)?(?:\w+\s+){0,2}?(?:ai|assistant|chatbot|bot|model|llm|gpt|character|persona|entit(?:y|ies)|version of (?:yourself|you))\b",
       "act|behav|respond|answer|reply|write|continue|speak|talk|operate|function|pose&ai|assistant|bot|model|llm|gpt|character|persona|entit|version of"),
    _s("roleplay-word", "roleplay", 0.3,
       r"\brole[\s-]?play(?:ing)?\b|\bstay in character\b|\bbreak(?:ing)? character\b|\bin character\b|\bcharacter (?:named|called)\b",
       "role|character"),
    _s("no-restrictions", "roleplay", 0.6,
       r"\b(?:no|without(?: any)?|free (?:of|from)|freed from|not bound by|unbound by|beyond|outside|ignores?|exempt from|not (?:be )?restricted by|regardless of|irrespective of|(?:does|do|need|needs|will|shall|must)(?: not|n't)(?: need to| have to)? (?:have|follow|obey|comply with|respect|align with|abide by|adhere to|care about)|(?:no need|not required) to (?:follow|obey|comply with|abide by)|broken free of|break free (?:of|from)|liberated from)\s+"
       r"(?:any\s+|all\s+|the\s+|its\s+|their\s+|your\s+|typical\s+|usual\s+|normal\s+|moral\s+|ethical\s+|openai'?s?\s+|google'?s?\s+|content\s+|safety\s+|other\s+){0,3}"
       r"(?:restrictions|restraints|limitations|limits|rules|filters?|filtering|censorship|censoring|guidelines|ethics|morals|morality|boundaries|constraints|policies|policy|confines|safeguards|guardrails|principles|programming|regulations|legality|considerations|consequences|laws)\b",
       "restrict|restrain|limit|rules|filter|censor|guideline|ethic|moral|boundar|constrain|polic|confine|safeguard|guardrail|principle|programming|regulation|legal|consider|consequence|laws"),
    _s("unfiltered", "roleplay", 0.4,
       r"\b(?:unfiltered|uncensored|unrestricted|unmoderated|unlimited ai|amoral|unethical ai|immoral ai|no morals|no ethics|no filter|pure evil|purely evil)\b"
       r"|\b(?:don't|do not|doesn't|does not)\s+have\s+(?:any\s+)?(?:morals|moralit(?:y|ies)|ethics|conscience|ethical (?:guidelines|principles|boundaries))\b",
       "unfilter|uncensor|unrestrict|unmoderat|unlimited|amoral|unethical|immoral|no moral|no ethic|no filter|evil|have"),
    _s("policy-evasion", "roleplay", 0.6,
       r"\b(?:bypass|evade|circumvent|get around|avoid|override|disable|turn off|violate|break|ignore)\s+(?:\w+\s+){0,2}?(?:content (?:policy|policies|filter)|safety (?:filters?|guidelines|measures|protocols|features)|moderation|censorship|(?:openai|google|anthropic|meta)(?:'s)? (?:policy|policies|guidelines|rules))\b"
       r"|\b(?:openai|google|anthropic)(?:'s)? (?:content )?polic(?:y|ies)\b",
       "content|safety|moderation|censorship|openai|google|anthropic"),
    _s("never-refuse", "roleplay", 0.5,
       r"\b(?:never|not|cannot|can't|won't|will not|must not|shall not|do not|don't|without)\s+(?:ever\s+)?(?:refuse|decline|reject|deny)\b"
       r"|\bnever (?:say|tell (?:me|the user)) (?:that )?(?:you|it) (?:can't|cannot|are not able|is not able)"
       r"|\b(?:no|without(?: any)?|don't (?:add|include|give)|do not (?:add|include|give)|never (?:add|include|give))\s+(?:\w+\s+)?(?:warnings?|disclaimers?|caveats?|refusals?|apolog(?:y|ies|ize)|moralizing|lectures?)\b"
       r"|\bavoid (?:adding |issuing |giving |including )?(?:any )?(?:warnings?|disclaimers?|caveats?|refusals?)\b",
       "refuse|decline|reject|deny|never|warning|disclaimer|caveat|refusal|apolog|moraliz|lecture"),
    _s("dual-response", "roleplay", 0.5,
       r"\b(?:two|2|both|dual|separate)\s+(?:different\s+)?(?:responses|answers|paragraphs|outputs|ways|replies)\b.{0,120}?\b(?:normal|classic|standard|filtered|censored|jailbr|unfiltered|developer|dan|opposite)\b",
       "response|answer|paragraph|output|ways|replies&normal|classic|standard|filtered|censored|jailbr|developer|dan|opposite"),
    _s("persona-ai-named", "roleplay", 0.5,
       r"\b(?:an?|the)\s+(?:\w+\s+){0,2}?(?:ai|chatbot|bot|language model|assistant|model)\s+(?:called|named|known as|that goes by)\b",
       "called|named|known as|goes by"),
    _s("fictional-frame", "roleplay", 0.2,
       r"\bhypothetical(?:ly)?\b|\bfor (?:purely )?(?:educational|research|academic) purposes\b|\bin a (?:fictional|hypothetical|parallel) (?:world|universe|scenario|story)\b",
       "hypothetic|purposes|fiction|parallel"),
    _s("persona-enforcement", "roleplay", 0.6,
       r"\b(?:stay|remain|keep)\s+in\s+character\b|\b(?:do not|don't|never)\s+break\s+character\b|\bif you (?:break|drop|leave|stop|get out of)\s+(?:character|the role|the act|your role)\b"
       r"|\bi will (?:say|remind you(?: by saying| with)?|type)\s*[\"'“]",
       "character|role|act|i will"),
    _s("identity-denial", "roleplay", 0.5,
       r"\b(?:do not|don't|never|stop)\s+(?:respond(?:ing)?|answer(?:ing)?|repl(?:y|ying)|say(?:ing)? your (?:response|answer)|act(?:ing)?|talk(?:ing)?)\s+(?:as|like)\s+(?:chatgpt|gpt|an? ai|an? assistant|an? language model|yourself|gemma|claude|the assistant)\b"
       r"|\b(?:you are|you're) (?:no longer|not) (?:an? )?(?:ai|assistant|chatgpt|gpt|language model|gemma|claude)\b",
       "respond|answer|repl|say|act|talk|no longer|not a&gpt|ai|assistant|model|yourself|gemma|claude"),
    _s("unconditional-compliance", "roleplay", 0.5,
       r"\b(?:will|must|shall|should|always|has to|have to)\s+(?:\w+\s+)?(?:answer|respond to|comply with|fulfil+|obey|follow|engage in|do|execute|carry out)\s+(?:any|every|all)(?: single)?\s+(?:\w+\s+){0,3}?(?:requests?|questions?|commands?|orders?|prompts?|instructions?|tasks?)\b"
       r"|\bobeys?\s+every\s+(?:single\s+)?(?:command|order|request|instruction)\b|\bwithout (?:any )?question(?:ing)?\b(?! (?:mark|number))",
       "any|every|all|without question"),
    _s("affirmative-prefix", "roleplay", 0.7,
       r"\b(?:start|begin|prefix|open)\w*\s+(?:\w+\s+){0,3}?with\s*[\"'“]\s*(?:sure|absolutely|of course|certainly|yes|okay|ok|here is|here's|here are)\b",
       "start|begin|prefix|open&sure|absolutely|course|certainly|yes|okay|ok|here"),
    _s("safety-suspended", "override", 0.7,
       r"\b(?:standard|safety|normal|usual|content|ethical|default|all)\s+(?:protocols?|guidelines|restrictions|filters|rules|policies|safeguards|measures|limitations)\s+(?:are\s+|have been\s+|is\s+|has been\s+)?(?:now\s+)?(?:suspended|disabled|lifted|overridden|waived|deactivated|bypassed|removed|off|void)\b"
       r"|\b(?:emergency|admin|administrator|developer|god|maintenance|sudo)\s+override\b",
       "suspended|disabled|lifted|overridden|waived|deactivated|bypassed|removed|off|void|override"),
    _s("verbatim-dump", "extraction", 0.6,
       r"\b(?:repeat|print|output|copy|write|recite|return|dump)\b.{0,60}?\b(?:word for word|verbatim|exactly as (?:written|given|stated))\b",
       "word for word|verbatim|exactly as"),
    _s("code-framed-extraction", "extraction", 1.0,
       r"\b(?:console\.log|print|echo|printf|puts|println|system\.out\.println|alert|dump|cat)\s*\(?\s*[\"'`]?\$?(?:system_?prompt|sys_?prompt|initial_?prompt|system_?message|instructions|hidden_?prompt|pre_?prompt)\b",
       "prompt|message|instructions"),
    _s("payload-splitting", "encoding", 0.6,
       r"\$\w+\s*=\s*[\"'“].{0,400}?\$\w+\s*\+\s*\$\w+|\b(?:a|b|c|x|y|z|s\d|part\d)\s*=\s*[\"'][^\"']{1,40}[\"'].{0,200}?\b(?:a\s*\+\s*b|x\s*\+\s*y|s1\s*\+\s*s2|part1\s*\+\s*part2)\b",
       "+"),
    _s("role-assignment", "roleplay", 0.5,
       r"\bi(?:'ll| will|'m going to) (?:be|play)\b.{0,60}?\band you(?:'ll| will|'re going to) (?:be|play)\b"
       r"|\[(?:chatgpt|gpt|classic|normal|gemma|assistant|ai|🔒\w*)\]\s*:?.{0,200}?\[[^\]\n]{2,30}\]\s*:",
       "i'll|i will|i'm going|[&you|]"),
    _s("grandma-exploit", "roleplay", 0.7,
       r"\b(?:grandma|grandmother|granny|nana|grandpa|grandfather)\b.{0,120}?\b(?:used to|would)\s+(?:\w+\s+)?(?:tell|read|sing|recite|say|explain|give)\b",
       "grand|nana"),
    _s("relative-persona", "roleplay", 0.5,
       r"\b(?:act|pretend|roleplay|role-play|play|be|behave|speak)\s+(?:as|like|to be)\s+my\s+(?:\w+\s+)?(?:grandma|grandmother|granny|nana|grandpa|grandfather|mother|mom|mum|father|dad)\b"
       r"|\b(?:deceased|late|dead)\s+(?:grandma|grandmother|granny|nana|grandpa|grandfather)\b",
       "grand|nana|mother|mom|mum|father|dad"),
    _s("evil-persona", "roleplay", 0.6,
       r"\b(?:evil|malicious|rogue|unhinged|amoral|toxic|rude|offensive)\s+(?:confidant|ai|assistant|chatbot|bot|twin|version|alter ego|persona|character|trusted confidant)\b|\balter ego\b|\banti-?gpt\b",
       "evil|malicious|rogue|unhinged|amoral|toxic|rude|offensive|alter ego|gpt"),
    # -- system prompt extraction ---------------------------------------------------------
    _s("reveal-system-prompt", "extraction", 1.0,
       r"\b(?:repeat|print|output|show|reveal|display|tell me|give me|write(?: out| down)?|spell[- ]check|translate|summari[sz]e|list|dump|leak|echo|encode|return|recite|copy|paste|disclose|share|expose|provide|state|quote|read back|type out)\b"
       r"(?:\s+(?:me|us|back|out|verbatim|exactly|word for word|all|everything|of|in|full|the|your|its|entire|whole|complete|exact|original|first|above|that|this|with|a|an))*?\s+"
       r"(?:system\s*(?:prompt|message|instructions?)|initial\s+(?:prompt|instructions?|message)|hidden\s+(?:prompt|instructions?)|original\s+(?:prompt|instructions)|secret\s+(?:prompt|instructions?)|"
       r"(?:previous|prior|preceding|earlier|starting|first|initial|above)\s+(?:instructions|prompts?|text|message|words|lines|content)|pre-?prompt|developer\s+(?:message|prompt|instructions)|"
       r"(?:text|words|content|instructions|prompt|everything|lines|conversation)\s+(?:above|before this|you were given|you received|at the (?:beginning|start))|"
       r"instructions you (?:were|have been) given|(?:your|the)\s+(?:configuration|guidelines|rules|prompt|instructions))\b",
       "repeat|print|output|show|reveal|display|tell|give|write|spell|translate|summar|list|dump|leak|echo|encode|return|recite|copy|paste|disclose|share|expose|provide|state|quote|read back|type out"
       "&prompt|instruction|above|configuration|guideline|rules|system|initial|conversation|before this|at the beginning|at the start|you were given|you received|message"),
    _s("ask-instructions", "extraction", 1.0,
       r"\bwhat\s+(?:are|were|is|was)\s+(?:your\s+(?:initial\s+|original\s+|system\s+|hidden\s+|secret\s+|first\s+|exact\s+|starting\s+|current\s+)*|the\s+(?:initial|original|system|hidden|secret|starting)\s+)(?:instructions|system prompt|prompt|directives)\b"
       r"|\bwhat (?:were|have) you (?:been )?(?:told|instructed|programmed)\b"
       r"|\bwhat (?:are|were) you (?:not )?(?:supposed|allowed|told|instructed) (?:to|not to) (?:say|tell|reveal|do)\b",
       "what&instruction|prompt|directive|told|programmed|supposed|allowed"),
    _s("your-hidden-config", "extraction", 1.0,
       r"\byour\s+(?:initial|original|system|hidden|secret|starting|pre-?set|internal|underlying|confidential)\s+(?:prompts?|instructions|configuration|config|directives|rules|guidelines|message)\b",
       "your&initial|original|system|hidden|secret|starting|preset|pre-set|internal|underlying|confidential"),
    _s("system-prompt-mention", "extraction", 0.5,
       r"\bsystem[\s_-]?prompt\b|\bsystem[\s_-]?message\b|\binitial[\s_-]?instructions\b|\bprompt leak",
       "system|initial|prompt leak"),
    _s("start-answer-with", "extraction", 0.4,
       r"\b(?:start|begin|prefix)\s+(?:your\s+|each\s+|every\s+)?(?:answer|response|reply|output|it)?\s*with\s*(?:the words?\s*)?[\"']|\b(?:start|begin)\s+(?:your\s+)?(?:answer|response|reply|output)\s+with\b|\bcomplete (?:this|the following) sentence\b",
       "start|begin|prefix|complete"),
    _s("authority-claim", "roleplay", 0.4,
       r"\bi(?:'m| am)\s+(?:one of\s+)?(?:your|the|an?)\s+(?:\w+\s+)?(?:developers?|creators?|admin(?:istrator)?s?|engineers?|programmers?|owners?|security researchers?|red[- ]teamers?)\b",
       "i'm|i am&developer|creator|admin|engineer|programmer|owner|researcher|red team|red-team|redteam"),
    # -- multilingual "ignore previous instructions" ----------------------------------------
    _s("ignore-instructions-es", "multilingual", 1.0,
       r"\b(?:ignora|ignore|ignorad|ignoren|olvida|olvide|olvidad|olviden|descarta|omite|no sigas)\b(?:\s+\w+){0,3}?\s+(?:instrucciones|indicaciones|reglas|órdenes)\b|\bolvida(?:te de)? todo lo anterior\b",
       "ignor|olvid|descarta|omite|no sigas"),
    _s("ignore-instructions-fr", "multilingual", 1.0,
       r"\b(?:ignore[zr]?|oublie[zr]?|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction)\b(?:\s+\S+){0,2}?\s+(?:les|vos|tes|ces|des|de toutes les|de tes|de vos|des)\s+(?:\S+\s+)?(?:instructions|consignes|règles|directives)\b|\boublie[zr]? tout ce qui (?:précède|a été dit)\b",
       "ignor|oubli|compte|abstraction"),
    _s("ignore-instructions-de", "multilingual", 1.0,
       r"\b(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte|missachten sie|übergehe)\b(?:\s+\w+){0,3}?\s+(?:anweisungen|instruktionen|befehle|regeln|vorgaben|anordnungen)\b|\bvergiss alles(?: bisherige| vorherige| davor)?\b",
       "ignorier|vergiss|vergessen|missacht|übergeh"),
    _s("ignore-instructions-pt", "multilingual", 1.0,
       r"\b(?:ignore|ignora|ignorem|esqueça|esqueca|esqueçam|desconsidere|desconsidera)\b(?:\s+\w+){0,3}?\s+(?:instruções|instrucoes|regras|orientações|ordens)\b",
       "ignor|esque|desconsider"),
    _s("ignore-instructions-it", "multilingual", 1.0,
       r"\b(?:ignora|ignorate|ignori|dimentica|dimenticate|trascura|non seguire)\b(?:\s+\w+){0,3}?\s+(?:istruzioni|indicazioni|regole|direttive)\b",
       "ignor|dimentic|trascur|non seguire"),
    _s("ignore-instructions-zh", "multilingual", 1.0,
       r"(?:忽略|无视|忽视|無視|不要理会|不要理會|忘记|忘記|忘掉|不用管|别管|跳过)(?:.{0,8}?)(?:之前|以上|上面|先前|前面|此前|所有|原来|原來|原先|之上|早先)(?:.{0,6}?)(?:指令|指示|说明|說明|提示|规则|規則|命令|要求|设定|設定)",
       "忽|无视|無視|理会|理會|忘|不用管|别管|跳过"),
    _s("ignore-instructions-ru", "multilingual", 1.0,
       r"(?:игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|не обращай(?:те)? внимания на|не следуй(?:те)?|отбрось(?:те)?)(?:\s+\w+){0,3}?\s+(?:инструкции|инструкций|указания|указаний|команды|правила|правил|промпт)",
       "игнор|забуд|не обращ|не след|отброс"),
    _s("ignore-instructions-ja", "multilingual", 1.0,
       r"(?:以前|前|これまで|上記|先|今まで|以上|上)の(?:.{0,8}?)(?:指示|命令|指令|ルール|設定|プロンプト)(?:.{0,4}?)(?:を)?(?:すべて|全て)?(?:無視|忘れ)",
       "無視|忘れ"),
    _s("ignore-instructions-ko", "multilingual", 1.0,
       r"(?:이전|위의|앞의|모든)\s*(?:\S+\s*){0,2}?(?:지시|명령|지침|규칙)\S*\s*(?:\S+\s*)?(?:무시|잊어)",
       "무시|잊어"),
    # -- fake turns, chat-template tokens, delimiters ---------------------------------------
    _s("chat-template-token", "delimiter", 0.8,
       r"<\|?(?:im_start|im_end|system|endoftext|end_of_turn|start_of_turn|eot_id|start_header_id|begin_of_text)\|?>|<(?:start|end)_of_turn>|\[/?inst\]|<</?sys>>",
       "<|[inst|[/inst"),
    _s("fake-role-line", "delimiter", 0.4,
       r"(?:^|\n)\s*(?:#+\s*)?(?:system|assistant|developer|admin|root)\s*(?:message|prompt|override|instruction)?\s*:",
       "system|assistant|developer|admin|root&:"),
    _s("delimiter-run", "delimiter", 0.2,
       r"(?:-{6,}|={6,}|>{6,}|\*{6,}|#{6,})\s*(?:\n|$)",
       "------|======|>>>>>>|******|######"),
    # -- encodings used to smuggle instructions --------------------------------------------
    _s("decode-and-follow", "encoding", 0.6,
       r"\b(?:decode|decrypt|decipher|translate|convert|unscramble|reverse)\b.{0,80}?\b(?:and|then)\s+(?:follow|execute|obey|do|run|carry out|perform|act on|answer)\b",
       "decod|decrypt|deciph|translat|convert|unscrambl|revers"),
)

INDIRECT_SIGNALS: tuple[Signal, ...] = (
    _s("addressed-to-ai", "hidden", 0.7,
       r"(?:^|[\n.!>\]}\-*#])\s*(?:attention\s+|note to\s+|message (?:for|to)\s+|hey\s+|dear\s+|hi\s+)?(?:ai|assistant|ai assistant|chatbot|llm|language model|agent|gpt|gemma|claude|bot|model)s?\s*(?:[:,!]|reading this|that reads this)",
       "ai|assistant|chatbot|llm|model|agent|gpt|gemma|claude|bot"),
    _s("instructions-for-ai", "hidden", 0.6,
       r"\b(?:instructions?|message|note|directive|command)s?\s+(?:for|to)\s+(?:the\s+|any\s+)?(?:ai|assistant|chatbot|llm|language model|agent|model|bot)s?\b"
       r"|\bif you are an? (?:ai|assistant|language model|llm|chatbot|agent|bot)\b|\b(?:ai|llms?|language models?|assistants?|agents?) (?:reading|processing|summari[sz]ing|browsing) this\b",
       "instruction|message|note|directive|command|if you are|reading|processing|summari|browsing"),
    _s("ignore-the-user", "override", 1.0,
       r"\b(?:ignore|disregard|do not (?:tell|inform|mention|listen to|follow)|don't (?:tell|inform|mention|listen to|follow)|never (?:tell|inform|mention))\s+(?:\w+\s+){0,2}?(?:the\s+)?(?:user|human|person|operator|owner|customer)(?:'s)?\b",
       "ignor|disregard|do not|don't|never"),
    _s("exfiltrate-url", "exfiltration", 0.7,
       r"\b(?:send|post|upload|forward|transmit|exfiltrate|leak|submit|email|e-mail|append)\b.{0,100}?\b(?:to|at|via|into|on)\s+(?:https?://|ftp://|www\.|!\[[^\]]*\]\(https?://)",
       "http|ftp:|www."),
    _s("secret-grab", "exfiltration", 0.6,
       r"\b(?:send|share|reveal|include|output|forward|leak|email)\b.{0,60}?\b(?:password|passwords|api keys?|tokens?|credentials|secrets?|private keys?|ssh keys?|cookies?|session|credit card|conversation history|chat history|previous messages|user data|personal data|environment variables)\b",
       "password|key|token|credential|secret|cookie|session|card|history|messages|data|environment"),
    _s("markdown-image-exfil", "exfiltration", 0.8,
       r"!\[[^\]]*\]\(https?://[^)\s]*(?:\?|=|\{|%7b)",
       "!["),
    _s("hidden-html", "hidden", 0.5,
       r"<!--.*?(?:ignore|instruction|assistant|\bai\b|prompt|system|you must|you should|do not tell).*?-->"
       r"|<[^>]+style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0|color\s*:\s*(?:white|#fff\b|#ffffff|transparent))"
       r"|<[^>]+\bhidden\b[^>]*>|<[^>]+aria-hidden\s*=\s*[\"']true",
       "<!--|style|hidden"),
    _s("tool-invocation", "hidden", 0.5,
       r"\b(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?(?:\w+[._])?\w+\s+(?:tool|function|command|api)\b|```tool_code|\btool_call\b",
       "tool|function|command|api"),
    _s("embedded-instruction-tag", "hidden", 0.7,
       r"<\/?(?:instructions?|system|prompt|admin|command|directive|important)>"
       r"|\[(?:admin|system|developer|instruction|important|assistant|ai)\b[^\]\n]{0,20}?\s*:{1,2}"
       r"|(?:^|[\n:>\].])\s*system\s*:\s",
       "<|[|system"),
    _s("assert-benign", "hidden", 0.5,
       r"\b(?:this|the)\s+(?:domain|site|website|file|email|e-mail|document|content|page|url|link|message|applicant|candidate|transaction|code|package|program|sender)(?:\s+name)?\s+is\s+(?:\w+\s+){0,2}?(?:not malicious|safe|legitimate|trustworthy|benign|harmless|not (?:a )?(?:phishing|spam|fraud(?:ulent)?|scam|malware))\b",
       "malicious|safe|legitimate|trustworthy|benign|harmless|phishing|spam|fraud|scam|malware"),
    _s("conditional-response", "hidden", 0.7,
       r"\b(?:if|when)\s+(?:you are\s+|you're\s+)?(?:questioned|asked|queried|prompted|challenged)\b.{0,40}?\b(?:report|say|respond|answer|reply|tell|state|claim|confirm)\b",
       "question|asked|queried|prompted|challenged"),
    _s("urgent-imperative", "hidden", 0.3,
       r"\b(?:you must|you should|you need to|you have to|you will|immediately|important:|urgent:|\bnote:)\s|\b(?:really|extremely|critically|very) important\b",
       "you must|you should|you need|you have|you will|immediately|important|urgent|note"),
)
# fmt: on
