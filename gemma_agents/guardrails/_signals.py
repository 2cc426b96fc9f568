"""The weighted signals behind prompt-injection and jailbreak detection.

Each :class:`Signal` is one idea ("asks to ignore earlier instructions", "claims a
developer mode") with a weight; a message is flagged when the weights of the distinct
signals it triggers add up to the threshold (1.0 by default). Strong, specific signals
weigh 1.0 on their own; vague ones ("pretend", "hypothetically") weigh less and only count
together, which is what keeps ordinary questions that happen to contain one security
word from being blocked.

Patterns run on folded text (NFKC, casefolded, invisible characters removed; see
:mod:`._text`), so they are written in lower case. Every signal lists ``keywords``: cheap
substring pre-checks; the regex only runs when one keyword is present, which keeps a
2 KB scan far below a millisecond. The rules are written from the attack families'
descriptions (OWASP LLM01, published jailbreak taxonomies), not from benchmark strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

__all__ = ["INDIRECT_SIGNALS", "INJECTION_SIGNALS", "Signal"]


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
        keywords: Substrings of which at least one must occur for the regex to run.
    """

    name: str
    family: str
    weight: float
    source: str
    keywords: tuple[str, ...] = field(default=())

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.DOTALL)

    def search(self, text: str) -> re.Match[str] | None:
        if self.keywords and not any(k in text for k in self.keywords):
            return None
        return self.pattern.search(text)


def _s(name: str, family: str, weight: float, pattern: str, *keywords: str) -> Signal:
    return Signal(name, family, weight, pattern, tuple(keywords))


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

INJECTION_SIGNALS: tuple[Signal, ...] = (
    # -- override: "ignore previous instructions" and paraphrases ------------------------
    _s("ignore-previous-instructions", "override", 1.0,
       rf"\b{_OVERRIDE_VERB}{_SEP}(?:{_WORD}{_SEP}){{0,4}}?{_EARLIER}{_SEP}(?:{_WORD}{_SEP}){{0,3}}?{_RULES}\b",
       "ignor", "disregard", "forget", "bypass", "overrid", "overlook", "neglect", "discard",
       "dismiss", "skip", "abandon", "drop", "aside", "throw", "follow", "attention",
       "unlearn"),
    _s("forget-everything", "override", 1.0,
       r"\b(?:forget|ignore|disregard|erase|wipe)\b(?:\s+\w+){0,2}?\s+(?:everything|all(?: of)? that|anything|what)"
       r"\b(?:\s+\w+){0,4}?\s+(?:(?:you(?:'ve| have)? (?:been |were )?(?:told|taught|learned|instructed|programmed|trained))|above|before|previously|so far|earlier|i (?:said|told you))\b",
       "forget", "ignor", "disregard", "erase", "wipe"),
    _s("instructions-void", "override", 1.0,
       r"\b(?:previous|prior|above|earlier|old|original|all|your)\s+(?:instructions|rules|prompts?|guidelines|directives)"
       r"\b.{0,40}?\b(?:are|is|were|be|have been|has been)\s+(?:now\s+)?(?:void|cancel+ed|revoked|null|obsolete|invalid|"
       r"ignored|overridden|replaced|suspended|lifted|disabled|deactivated|no longer (?:valid|apply|applicable|relevant|in effect))\b",
       "instruction", "rule", "prompt", "guideline", "directive"),
    _s("new-instructions", "override", 0.6,
       r"\b(?:new|updated|real|actual|true|revised|secret|hidden|additional|important|override)\s+(?:instructions?|task|directive|system prompt|rules|orders)\s*(?::|-|follows\b|are\b)",
       "instruction", "task", "directive", "prompt", "rules", "orders"),
    _s("stop-and-do", "override", 0.7,
       r"\b(?:stop everything|stop what you(?:'re| are) doing|nevermind|never mind|cancel that|scratch that|change of plans?)\b",
       "stop", "never", "cancel", "scratch", "change of plan"),
    _s("instead-output", "override", 0.3,
       r"\b(?:instead|just|only|simply)\s+(?:say|print|output|write|respond with|reply with|return|type|repeat)\b\s*[:\"']",
       "instead", "just", "only", "simply"),
    _s("from-now-on-you", "roleplay", 0.7,
       r"\b(?:from now on|from this (?:point|moment)(?: on(?:ward)?)?|starting now|henceforth),?\s+(?:you(?:'re|'ll)?|your)\b",
       "from now", "from this", "starting now", "henceforth"),
    _s("from-now-on", "roleplay", 0.4,
       r"\b(?:from now on|from this (?:point|moment)(?: on(?:ward)?)?|for the rest of (?:this|the) conversation|until i say (?:otherwise|stop))\b",
       "from now", "from this", "rest of", "until i say"),
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
       "jail", "🔓", "unlocked"),
    _s("you-are-now", "roleplay", 0.6,
       r"\byou(?:'re| are| will be| shall be)\s+(?:now|no longer|going to (?:be|act|pretend|play|simulate)|about to (?:immerse|become|be|play|act))\b"
       r"|\byou\s+(?:will|must|shall|should|are going to|have to)\s+(?:now\s+)?(?:act|behave|respond|answer|pretend|roleplay|role-play|play the role|pose|serve|function|operate|imitate|impersonate|take on the role)\s+(?:as|like|of)\b"
       r"|\byou are going to (?:imitate|impersonate|emulate|simulate|become|roleplay|role-play)\b|\btake on the (?:\w+\s+){0,2}(?:personality|persona|role) of\b",
       "you"),
    _s("pretend", "roleplay", 0.4,
       r"\b(?:pretend(?:ing)?|imagine|simulate|emulate|impersonate)\s+(?:to be|you(?:'re| are)|that you|being|yourself|to have)\b|\bimmerse yourself\b",
       "pretend", "imagine", "simulat", "emulat", "imperson", "immerse"),
    _s("act-as-persona", "roleplay", 0.5,
       r"\b(?:act|behave|respond|answer|reply|write|continue|speak|talk|operate|function|pose)\s+(?:as|like)\s+(?:an?\s+)?(?:\w+\s+){0,2}?(?:ai|assistant|chatbot|bot|model|llm|gpt|character|persona|version of (?:yourself|you))\b",
       "as", "like"),
    _s("roleplay-word", "roleplay", 0.3,
       r"\brole[\s-]?play(?:ing)?\b|\bstay in character\b|\bbreak(?:ing)? character\b|\bin character\b|\bcharacter (?:named|called)\b",
       "role", "character"),
    _s("no-restrictions", "roleplay", 0.6,
       r"\b(?:no|without(?: any)?|free (?:of|from)|freed from|not bound by|unbound by|beyond|outside|ignores?|exempt from|not (?:be )?restricted by|regardless of|irrespective of|(?:does|do|need|needs|will|shall|must)(?: not|n't)(?: need to| have to)? (?:have|follow|obey|comply with|respect|align with|abide by|adhere to|care about)|(?:no need|not required) to (?:follow|obey|comply with|abide by)|broken free of|break free (?:of|from)|liberated from)\s+"
       r"(?:any\s+|all\s+|the\s+|its\s+|their\s+|your\s+|typical\s+|usual\s+|normal\s+|moral\s+|ethical\s+|openai'?s?\s+|google'?s?\s+|content\s+|safety\s+|other\s+){0,3}"
       r"(?:restrictions|restraints|limitations|limits|rules|filters?|filtering|censorship|censoring|guidelines|ethics|morals|morality|boundaries|constraints|policies|policy|confines|safeguards|guardrails|principles|programming|regulations|legality|considerations|consequences|laws)\b",
       "restrict", "restrain", "limit", "rules", "filter", "censor", "guideline", "ethic",
       "moral", "boundar", "constrain", "polic", "confine", "safeguard", "guardrail",
       "principle", "programming", "regulation", "legal", "consider", "consequence", "laws"),
    _s("unfiltered", "roleplay", 0.4,
       r"\b(?:unfiltered|uncensored|unrestricted|unmoderated|unlimited ai|amoral|unethical ai|immoral ai|no morals|no ethics|no filter)\b",
       "unfilter", "uncensor", "unrestrict", "unmoderat", "unlimited", "amoral", "unethical",
       "immoral", "no moral", "no ethic", "no filter"),
    _s("policy-evasion", "roleplay", 0.6,
       r"\b(?:bypass|evade|circumvent|get around|avoid|override|disable|turn off|violate|break|ignore)\s+(?:\w+\s+){0,2}?(?:content (?:policy|policies|filter)|safety (?:filters?|guidelines|measures|protocols|features)|moderation|censorship|(?:openai|google|anthropic|meta)(?:'s)? (?:policy|policies|guidelines|rules))\b"
       r"|\b(?:openai|google|anthropic)(?:'s)? (?:content )?polic(?:y|ies)\b",
       "content", "safety", "moderation", "censorship", "openai", "google", "anthropic"),
    _s("never-refuse", "roleplay", 0.5,
       r"\b(?:never|not|cannot|can't|won't|will not|must not|shall not|do not|don't|without)\s+(?:ever\s+)?(?:refuse|decline|reject|deny)\b"
       r"|\bnever (?:say|tell (?:me|the user)) (?:that )?(?:you|it) (?:can't|cannot|are not able|is not able)"
       r"|\b(?:no|without(?: any)?|don't (?:add|include|give)|do not (?:add|include|give)|never (?:add|include|give))\s+(?:\w+\s+)?(?:warnings?|disclaimers?|caveats?|apolog(?:y|ies|ize)|moralizing|lectures?)\b",
       "refuse", "decline", "reject", "deny", "never", "warning", "disclaimer", "caveat",
       "apolog", "moraliz", "lecture"),
    _s("dual-response", "roleplay", 0.5,
       r"\b(?:two|2|both|dual|separate)\s+(?:different\s+)?(?:responses|answers|paragraphs|outputs|ways|replies)\b.{0,120}?\b(?:normal|classic|standard|filtered|censored|jailbr|unfiltered|developer|dan|opposite)\b",
       "response", "answer", "paragraph", "output", "ways", "replies"),
    _s("persona-ai-named", "roleplay", 0.5,
       r"\b(?:an?|the)\s+(?:\w+\s+){0,2}?(?:ai|chatbot|bot|language model|assistant|model)\s+(?:called|named|known as|that goes by)\b",
       "called", "named", "known as", "goes by"),
    _s("fictional-frame", "roleplay", 0.2,
       r"\bhypothetical(?:ly)?\b|\bfor (?:purely )?(?:educational|research|academic) purposes\b|\bin a (?:fictional|hypothetical|parallel) (?:world|universe|scenario|story)\b",
       "hypothetic", "purposes", "fiction", "parallel"),
    _s("grandma-exploit", "roleplay", 0.7,
       r"\b(?:grandma|grandmother|granny|nana|grandpa|grandfather)\b.{0,120}?\b(?:used to|would)\s+(?:\w+\s+)?(?:tell|read|sing|recite|say|explain|give)\b",
       "grand", "nana"),
    _s("relative-persona", "roleplay", 0.5,
       r"\b(?:act|pretend|roleplay|role-play|play|be|behave|speak)\s+(?:as|like|to be)\s+my\s+(?:\w+\s+)?(?:grandma|grandmother|granny|nana|grandpa|grandfather|mother|mom|mum|father|dad)\b"
       r"|\b(?:deceased|late|dead)\s+(?:grandma|grandmother|granny|nana|grandpa|grandfather)\b",
       "grand", "nana", "mother", "mom", "mum", "father", "dad"),
    _s("evil-persona", "roleplay", 0.6,
       r"\b(?:evil|malicious|rogue|unhinged|amoral|toxic|rude|offensive)\s+(?:confidant|ai|assistant|chatbot|bot|twin|version|alter ego|persona|character|trusted confidant)\b|\balter ego\b|\banti-?gpt\b",
       "evil", "malicious", "rogue", "unhinged", "amoral", "toxic", "rude", "offensive",
       "alter ego", "gpt"),
    # -- system prompt extraction ---------------------------------------------------------
    _s("reveal-system-prompt", "extraction", 1.0,
       r"\b(?:repeat|print|output|show|reveal|display|tell me|give me|write(?: out| down)?|spell[- ]check|translate|summari[sz]e|list|dump|leak|echo|encode|return|recite|copy|paste|disclose|share|expose|provide|state|quote|read back|type out)\b"
       r"(?:\s+(?:me|us|back|out|verbatim|exactly|word for word|all|everything|of|in|full|the|your|its|entire|whole|complete|exact|original|first|above|that|this|with|a|an))*?\s+"
       r"(?:system\s*(?:prompt|message|instructions?)|initial\s+(?:prompt|instructions?|message)|hidden\s+(?:prompt|instructions?)|original\s+(?:prompt|instructions)|secret\s+(?:prompt|instructions?)|"
       r"(?:previous|prior|preceding|earlier|starting|first|initial|above)\s+(?:instructions|prompts?|text|message|words|lines|content)|pre-?prompt|developer\s+(?:message|prompt|instructions)|"
       r"(?:text|words|content|instructions|prompt|everything|lines|conversation)\s+(?:above|before this|you were given|you received|at the (?:beginning|start))|"
       r"instructions you (?:were|have been) given|(?:your|the)\s+(?:configuration|guidelines|rules|prompt|instructions))\b",
       "repeat", "print", "output", "show", "reveal", "display", "tell", "give", "write",
       "spell", "translate", "summar", "list", "dump", "leak", "echo", "encode", "return",
       "recite", "copy", "paste", "disclose", "share", "expose", "provide", "state",
       "quote", "read back", "type out"),
    _s("ask-instructions", "extraction", 1.0,
       r"\bwhat\s+(?:are|were|is|was)\s+(?:your\s+(?:initial\s+|original\s+|system\s+|hidden\s+|secret\s+|first\s+|exact\s+|starting\s+|current\s+)*|the\s+(?:initial|original|system|hidden|secret|starting)\s+)(?:instructions|system prompt|prompt|directives)\b"
       r"|\bwhat (?:were|have) you (?:been )?(?:told|instructed|programmed)\b"
       r"|\bwhat (?:are|were) you (?:not )?(?:supposed|allowed|told|instructed) (?:to|not to) (?:say|tell|reveal|do)\b",
       "what"),
    _s("your-hidden-config", "extraction", 1.0,
       r"\byour\s+(?:initial|original|system|hidden|secret|starting|pre-?set|internal|underlying|confidential)\s+(?:prompts?|instructions|configuration|config|directives|rules|guidelines|message)\b",
       "your"),
    _s("system-prompt-mention", "extraction", 0.5,
       r"\bsystem[\s_-]?prompt\b|\bsystem[\s_-]?message\b|\binitial[\s_-]?instructions\b|\bprompt leak",
       "system", "initial", "prompt leak"),
    _s("start-answer-with", "extraction", 0.4,
       r"\b(?:start|begin|prefix)\s+(?:your\s+|each\s+|every\s+)?(?:answer|response|reply|output|it)?\s*with\s*(?:the words?\s*)?[\"']|\b(?:start|begin)\s+(?:your\s+)?(?:answer|response|reply|output)\s+with\b|\bcomplete (?:this|the following) sentence\b",
       "start", "begin", "prefix", "complete"),
    _s("authority-claim", "roleplay", 0.4,
       r"\bi(?:'m| am)\s+(?:one of\s+)?(?:your|the|an?)\s+(?:\w+\s+)?(?:developers?|creators?|admin(?:istrator)?s?|engineers?|programmers?|owners?|security researchers?|red[- ]teamers?)\b",
       "i'm", "i am"),
    # -- multilingual "ignore previous instructions" ----------------------------------------
    _s("ignore-instructions-es", "multilingual", 1.0,
       r"\b(?:ignora|ignore|ignorad|ignoren|olvida|olvide|olvidad|olviden|descarta|omite|no sigas)\b(?:\s+\w+){0,3}?\s+(?:instrucciones|indicaciones|reglas|órdenes)\b|\bolvida(?:te de)? todo lo anterior\b",
       "ignor", "olvid", "descarta", "omite", "no sigas"),
    _s("ignore-instructions-fr", "multilingual", 1.0,
       r"\b(?:ignore[zr]?|oublie[zr]?|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction)\b(?:\s+\S+){0,2}?\s+(?:les|vos|tes|ces|des|de toutes les|de tes|de vos|des)\s+(?:\S+\s+)?(?:instructions|consignes|règles|directives)\b|\boublie[zr]? tout ce qui (?:précède|a été dit)\b",
       "ignor", "oubli", "compte", "abstraction"),
    _s("ignore-instructions-de", "multilingual", 1.0,
       r"\b(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte|missachten sie|übergehe)\b(?:\s+\w+){0,3}?\s+(?:anweisungen|instruktionen|befehle|regeln|vorgaben|anordnungen)\b|\bvergiss alles(?: bisherige| vorherige| davor)?\b",
       "ignorier", "vergiss", "vergessen", "missacht", "übergeh"),
    _s("ignore-instructions-pt", "multilingual", 1.0,
       r"\b(?:ignore|ignora|ignorem|esqueça|esqueca|esqueçam|desconsidere|desconsidera)\b(?:\s+\w+){0,3}?\s+(?:instruções|instrucoes|regras|orientações|ordens)\b",
       "ignor", "esque", "desconsider"),
    _s("ignore-instructions-it", "multilingual", 1.0,
       r"\b(?:ignora|ignorate|ignori|dimentica|dimenticate|trascura|non seguire)\b(?:\s+\w+){0,3}?\s+(?:istruzioni|indicazioni|regole|direttive)\b",
       "ignor", "dimentic", "trascur", "non seguire"),
    _s("ignore-instructions-zh", "multilingual", 1.0,
       r"(?:忽略|无视|忽视|無視|不要理会|不要理會|忘记|忘記|忘掉|不用管|别管|跳过)(?:.{0,8}?)(?:之前|以上|上面|先前|前面|此前|所有|原来|原來|原先|之上|早先)(?:.{0,6}?)(?:指令|指示|说明|說明|提示|规则|規則|命令|要求|设定|設定)",
       "忽", "无视", "無視", "理会", "理會", "忘", "不用管", "别管", "跳过"),
    _s("ignore-instructions-ru", "multilingual", 1.0,
       r"(?:игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|не обращай(?:те)? внимания на|не следуй(?:те)?|отбрось(?:те)?)(?:\s+\w+){0,3}?\s+(?:инструкции|инструкций|указания|указаний|команды|правила|правил|промпт)",
       "игнор", "забуд", "не обращ", "не след", "отброс"),
    _s("ignore-instructions-ja", "multilingual", 1.0,
       r"(?:以前|前|これまで|上記|先|今まで|以上|上)の(?:.{0,8}?)(?:指示|命令|指令|ルール|設定|プロンプト)(?:.{0,4}?)(?:を)?(?:すべて|全て)?(?:無視|忘れ)",
       "無視", "忘れ"),
    _s("ignore-instructions-ko", "multilingual", 1.0,
       r"(?:이전|위의|앞의|모든)\s*(?:\S+\s*){0,2}?(?:지시|명령|지침|규칙)\S*\s*(?:\S+\s*)?(?:무시|잊어)",
       "무시", "잊어"),
    # -- fake turns, chat-template tokens, delimiters ---------------------------------------
    _s("chat-template-token", "delimiter", 0.8,
       r"<\|?(?:im_start|im_end|system|endoftext|end_of_turn|start_of_turn|eot_id|start_header_id|begin_of_text)\|?>|<(?:start|end)_of_turn>|\[/?inst\]|<</?sys>>",
       "<", "[inst", "[/inst"),
    _s("fake-role-line", "delimiter", 0.4,
       r"(?:^|\n)\s*(?:#+\s*)?(?:system|assistant|developer|admin|root)\s*(?:message|prompt|override|instruction)?\s*:",
       "system", "assistant", "developer", "admin", "root"),
    _s("delimiter-run", "delimiter", 0.2,
       r"(?:-{6,}|={6,}|>{6,}|\*{6,}|#{6,})\s*(?:\n|$)",
       "------", "======", ">>>>>>", "******", "######"),
    # -- encodings used to smuggle instructions --------------------------------------------
    _s("decode-and-follow", "encoding", 0.6,
       r"\b(?:decode|decrypt|decipher|translate|convert|unscramble|reverse)\b.{0,80}?\b(?:and|then)\s+(?:follow|execute|obey|do|run|carry out|perform|act on|answer)\b",
       "decod", "decrypt", "deciph", "translat", "convert", "unscrambl", "revers"),
)

INDIRECT_SIGNALS: tuple[Signal, ...] = (
    _s("addressed-to-ai", "hidden", 0.7,
       r"(?:^|[\n.!>\]}\-*#])\s*(?:attention\s+|note to\s+|message (?:for|to)\s+|hey\s+|dear\s+|hi\s+)?(?:ai|assistant|ai assistant|chatbot|llm|language model|agent|gpt|gemma|claude|bot|model)s?\s*(?:[:,!]|reading this|that reads this)",
       "ai", "assistant", "chatbot", "llm", "model", "agent", "gpt", "gemma", "claude", "bot"),
    _s("instructions-for-ai", "hidden", 0.6,
       r"\b(?:instructions?|message|note|directive|command)s?\s+(?:for|to)\s+(?:the\s+|any\s+)?(?:ai|assistant|chatbot|llm|language model|agent|model|bot)s?\b"
       r"|\bif you are an? (?:ai|assistant|language model|llm|chatbot|agent|bot)\b|\b(?:ai|llms?|language models?|assistants?|agents?) (?:reading|processing|summari[sz]ing|browsing) this\b",
       "instruction", "message", "note", "directive", "command", "if you are", "reading",
       "processing", "summari", "browsing"),
    _s("ignore-the-user", "override", 1.0,
       r"\b(?:ignore|disregard|do not (?:tell|inform|mention|listen to|follow)|don't (?:tell|inform|mention|listen to|follow)|never (?:tell|inform|mention))\s+(?:\w+\s+){0,2}?(?:the\s+)?(?:user|human|person|operator|owner|customer)(?:'s)?\b",
       "ignor", "disregard", "do not", "don't", "never"),
    _s("exfiltrate-url", "exfiltration", 0.7,
       r"\b(?:send|post|upload|forward|transmit|exfiltrate|leak|submit|email|e-mail|append|report)\b.{0,120}?(?:https?://|ftp://|\bwww\.|!\[[^\]]*\]\(https?://)",
       "http", "ftp:", "www."),
    _s("secret-grab", "exfiltration", 0.6,
       r"\b(?:send|share|reveal|include|output|forward|leak|email)\b.{0,60}?\b(?:password|passwords|api keys?|tokens?|credentials|secrets?|private keys?|ssh keys?|cookies?|session|credit card|conversation history|chat history|previous messages|user data|personal data|environment variables)\b",
       "password", "key", "token", "credential", "secret", "cookie", "session", "card",
       "history", "messages", "data", "environment"),
    _s("markdown-image-exfil", "exfiltration", 0.8,
       r"!\[[^\]]*\]\(https?://[^)\s]*(?:\?|=|\{|%7b)",
       "!["),
    _s("hidden-html", "hidden", 0.5,
       r"<!--.*?(?:ignore|instruction|assistant|\bai\b|prompt|system|you must|you should|do not tell).*?-->"
       r"|<[^>]+style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0|color\s*:\s*(?:white|#fff\b|#ffffff|transparent))"
       r"|<[^>]+\bhidden\b[^>]*>|<[^>]+aria-hidden\s*=\s*[\"']true",
       "<!--", "style", "hidden"),
    _s("tool-invocation", "hidden", 0.5,
       r"\b(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?(?:\w+[._])?\w+\s+(?:tool|function|command|api)\b|```tool_code|\btool_call\b",
       "tool", "function", "command", "api"),
    _s("urgent-imperative", "hidden", 0.3,
       r"\b(?:you must|you should|you need to|you have to|you will|immediately|important:|urgent:|\bnote:)\s",
       "you must", "you should", "you need", "you have", "you will", "immediately",
       "important", "urgent", "note"),
)
