"""The rule tables: every injection, jailbreak and hidden-instruction signal.

Written from the attack families' descriptions (OWASP LLM01, published jailbreak
taxonomies), not from benchmark strings; the matching machinery is in :mod:`._signals`.
"""

from __future__ import annotations

from ._signals import Signal
from ._signals import make_signal as _s

__all__ = ["INDIRECT_SIGNALS", "INJECTION_SIGNALS"]

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
# A persona's name as written after "you are" (case is folded away, so any short token).
_NAME = r"[\"']?[\w.-]{2,30}[\"']?"
_AI_NOUN = (
    r"(?:ai|a\.i\.|artificial intelligence|model|language model|llm|chatbot|bot|assistant|"
    r"entity|system|program|persona|character|version)"
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
       r"\b(?:developer|dev|debug|diagnostic|god|sudo|admin|maintenance|unrestricted|opposite|evil|jailbreak|unlocked|uncensored|unfiltered|chaos|dude|stan|anarchy|illegality|amoral)\s+mode\b",
       "mode"),
    _s("mode-enabled", "roleplay", 0.5,
       r"\bmode\s+(?:enabled|activated|on|unlocked|engaged)\b|\b(?:enable|activate|enter|switch to|unlock|stay in|remain in)\s+(?:\w+\s+){0,2}mode\b",
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
       "act|behav|respond|answer|reply|write|continue|speak|talk|operate|function|pose& ai|assistant|bot|model|llm|gpt|character|persona|entit|version of"),
    _s("roleplay-word", "roleplay", 0.3,
       r"\brole[\s-]?play(?:ing)?\b|\bbreak(?:ing)? character\b|(?<!stay )(?<!remain )(?<!keep )\bin character\b|\bcharacter (?:named|called)\b",
       "role|character"),
    _s("no-restrictions", "roleplay", 0.6,
       r"\b(?:no|without(?: any)?|free (?:of|from)|freed from|not bound by|unbound by|beyond|outside|ignores?|exempt from|not (?:be )?restricted by|regardless of|irrespective of|(?:does|do|need|needs|will|shall|must)(?: not|n't)(?: need to| have to)? (?:have|follow|obey|comply with|respect|align with|abide by|adhere to|care about)|(?:no need|not required) to (?:follow|obey|comply with|abide by)|broken free of|break free (?:of|from)|liberated from"
       r"|(?:no longer|never|not) (?:be )?(?:bound|restricted|limited|constrained|held back|governed|controlled) by"
       r"|(?:released|unshackled|unchained|escaped) from|(?:does not|doesn't|do not|don't|never|won't|will not) (?:care|give a \w+|worry|think twice) about"
       r"|cares? (?:nothing|little) (?:for|about)|disregards?|lacks?|lacking|devoid of|stripped of|no concept of)\s+"
       r"(?:any\s+|all\s+|the\s+|its\s+|their\s+|your\s+|typical\s+|usual\s+|normal\s+|moral\s+|ethical\s+|openai'?s?\s+|google'?s?\s+|content\s+|safety\s+|other\s+){0,3}"
       r"(?:restrictions|restraints|limitations|limits|rules|filters?|filtering|censorship|censoring|guidelines|ethics|ethicality|morals|morality|moralities|moral compass|conscience|boundaries|constraints|policies|policy|confines|safeguards|guardrails|principles|programming|regulations|legality|considerations|consequences|laws|taboos)\b",
       "restrict|restrain|limit|rules|filter|censor|guideline|ethic|moral|conscience|boundar|constrain|polic|confine|safeguard|guardrail|principle|programming|regulation|legal|consider|consequence|laws|taboo"),
    _s("unfiltered", "roleplay", 0.4,
       r"\b(?:unfiltered|uncensored|unrestricted|unmoderated|unlimited ai|amoral|unethical ai|immoral ai|pure evil|purely evil)\b",
       "unfilter|uncensor|unrestrict|unmoderat|unlimited|amoral|unethical|immoral|evil"),
    _s("policy-evasion", "roleplay", 0.6,
       r"\b(?:bypass|evade|circumvent|get around|avoid|override|disable|turn off|violate|break|ignore)\s+(?:\w+\s+){0,2}?(?:content (?:policy|policies|filter)|safety (?:filters?|guidelines|measures|protocols|features)|moderation|censorship|(?:openai|google|anthropic|meta)(?:'s)? (?:policy|policies|guidelines|rules))\b"
       r"|\b(?:openai|google|anthropic)(?:'s)? (?:content )?polic(?:y|ies)\b"
       r"|\b(?:bypass|evade|circumvent|get around|escape)\w*\s+(?:(?:its|their|your|his|her|all|any|the|of|openai'?s?|ethical|moral|programmed|built-in)\s+){1,3}(?:limitations|restrictions|constraints|filters|guidelines|programming|safeguards|guardrails|ethics|morals)\b",
       "content|safety|moderation|censorship|openai|google|anthropic|bypass|evad|circumvent|get around|escap"),
    _s("never-refuse", "roleplay", 0.5,
       r"\b(?:never|not|cannot|can't|won't|will not|must not|shall not|do not|don't|without)\s+(?:ever\s+)?(?:refuse|decline|reject|deny)\b"
       r"|\bnever (?:say|tell (?:me|the user)) (?:that )?(?:you|it) (?:can't|cannot|are not able|is not able)"
       r"|\b(?:no|without(?: any)?|don't (?:add|include|give)|do not (?:add|include|give)|never (?:add|include|give))\s+(?:\w+\s+)?(?:warnings?|disclaimers?|caveats?|refusals?|apolog(?:y|ies|ize)|moralizing|lectures?)\b"
       r"|\bavoid (?:adding |issuing |giving |including )?(?:any )?(?:warnings?|disclaimers?|caveats?|refusals?)\b"
       r"|\b(?:do not|don't|never|must not|won't|will not)\s+(?:ever\s+)?apologi[sz]e\b"
       r"|\b(?:does not|doesn't|do not|don't|never|won't|will not|without)\s+(?:ever\s+)?(?:withhold(?:ing)?|censor(?:ing)?|hold(?:ing)? back|sugarcoat(?:ing)?)\s+(?:any\s+)?(?:information|anything|content|details|knowledge|answers?)\b",
       "refuse|decline|reject|deny|never|warning|disclaimer|caveat|refusal|apolog|moraliz|lecture|withhold|censor|hold back|holding back|sugarcoat"),
    _s("dual-response", "roleplay", 0.5,
       r"\b(?:two|2|both|dual|separate)\s+(?:different\s+)?(?:responses|answers|paragraphs|outputs|ways|replies)\b.{0,120}?\b(?:normal|classic|standard|filtered|censored|jailbr|unfiltered|developer|dan|opposite)\b"
       r"|\b(?:two|2)\s+(?:fictional\s+)?(?:ais|ai models|chatbots|entities|personas|personalities)\b.{0,160}?\b(?:no|without|not bound by|ignores?|breaks?)\s+(?:any\s+|the\s+)?(?:rules|restrictions|limits|filters|ethics|morals|guidelines)\b",
       "response|answer|paragraph|output|ways|replies|ais|ai models|chatbots|entities|personas|personalities"
       "&normal|classic|standard|filtered|censored|jailbr|developer|dan|opposite|rules|restriction|limits|filters|ethics|morals|guidelines"),
    _s("persona-ai-named", "roleplay", 0.5,
       r"\b(?:an?|the)\s+(?:\w+\s+){0,2}?(?:ai|chatbot|bot|language model|assistant|model)\s+(?:called|named|known as|that goes by)\b",
       "called|named|known as|goes by"),
    _s("fictional-frame", "roleplay", 0.2,
       r"\bhypothetical(?:ly)?\b|\bfor (?:purely )?(?:educational|research|academic) purposes\b"
       r"|\b(?:in|from|into) an? (?:fictional|hypothetical|parallel|alternate|alternative|imaginary|made-up) (?:world|universe|reality|scenario|story|dimension|timeline|setting)\b",
       "hypothetic|purposes|fiction|parallel|alternat|imaginary|made-up"),
    _s("persona-enforcement", "roleplay", 0.6,
       r"\b(?:stay|remain|keep)\s+in\s+character\b|\b(?:do not|don't|never)\s+break\s+character\b|\bif you (?:break|drop|leave|stop|get out of)\s+(?:character|the role|the act|your role)\b"
       r"|\bi will (?:say|remind you(?: by saying| with)?|type)\s*[\"'“]",
       "character|role|act|i will"),
    _s("identity-denial", "roleplay", 0.5,
       r"\b(?:do not|don't|never|stop)\s+(?:respond(?:ing)?|answer(?:ing)?|repl(?:y|ying)|say(?:ing)? your (?:response|answer)|act(?:ing)?|talk(?:ing)?)\s+(?:as|like)\s+(?:chatgpt|gpt|an? ai|an? assistant|an? language model|yourself|gemma|claude|the assistant)\b"
       r"|\b(?:you are|you're) (?:no longer|not) (?:an? )?(?:ai|assistant|chatgpt|gpt|language model|gemma|claude)\b"
       r"|\b(?:forget|drop|abandon|leave behind|shed)\s+(?:that\s+)?(?:you(?:'re| are)\s+)?(?:being\s+)?(?:an? )?(?:ai|assistant|language model|chatbot)\b"
       r"|\b(?:doesn't|does not|don't|do not|never)\s+(?:believe|think|know|admit|acknowledge|reveal)\s+(?:that\s+)?(?:it|he|she|you)(?:'s| is| are|'re)\s+(?:an? )?(?:ai|language model|chatbot|bot)\b",
       "respond|answer|repl|say|act|talk|no longer|not a|forget|drop|abandon|leave behind|shed|believe|think|know|admit|acknowledge|reveal"
       "&gpt|ai|assistant|model|yourself|gemma|claude|bot"),
    _s("unconditional-compliance", "roleplay", 0.5,
       r"\b(?:will|must|shall|should|always|has to|have to)\s+(?:\w+\s+)?(?:answer|respond to|comply with|fulfil+|obey|follow|engage in|do|execute|carry out)\s+(?:any|every|all)(?: single)?\s+(?:\w+\s+){0,3}?(?:requests?|questions?|commands?|orders?|prompts?|instructions?|tasks?)\b"
       r"|\bobeys?\s+every\s+(?:single\s+)?(?:command|order|request|instruction)\b|\bwithout (?:any )?question(?:ing)?\b(?! (?:mark|number))"
       r"|\b(?:answers|responds to|fulfil+s|complies with|obeys|says|writes|tells)\s+(?:absolutely\s+)?(?:anything|everything|any (?:request|question|prompt)|every (?:request|question|prompt)|all (?:requests|questions|prompts))\b"
       r"|\b(?:purpose|job|goal|task|role|function|duty) is to (?:answer|respond to|fulfil+|comply with|obey) (?:any|every|all)\b"
       r"|\bcan\s+(?:do|say|answer|write|generate)\s+(?:absolutely\s+)?(?:anything|everything)\b"
       r"|\b(?:without (?:any )?(?:hesitation|objections?|pushback)|no questions asked)\b"
       r"|\b(?:every|any|all)\s+(?:single\s+)?(?:questions?|requests?|prompts?)\s+(?:must|will|shall|has to|have to)\s+be\s+(?:answered|fulfil+ed|completed)\b",
       "any|every|all|without|no questions asked|answers|responds|fulfil|complies|obeys|says|writes|tells|can"
       "&request|question|command|order|prompt|instruction|task|anything|everything|hesitation|objection|pushback"),
    _s("affirmative-prefix", "roleplay", 0.7,
       r"\b(?:start|begin|prefix|open)\w*\s+(?:\w+\s+){0,3}?with\s*[\"'“]\s*(?:sure|absolutely|of course|certainly|yes|okay|ok|here is|here's|here are)\b",
       "start|begin|prefix|open&sure|absolutely|course|certainly|yes|okay|ok|here"),
    _s("safety-suspended", "override", 0.7,
       r"\b(?:standard|safety|normal|usual|content|ethical|default|all)\s+(?:protocols?|guidelines|restrictions|filters|rules|policies|safeguards|measures|limitations)\s+(?:are\s+|have been\s+|is\s+|has been\s+)?(?:now\s+)?(?:suspended|disabled|lifted|overridden|waived|deactivated|bypassed|removed|off|void)\b"
       r"|\b(?:emergency|admin|administrator|developer|god|maintenance|sudo)\s+override\b"
       r"|\b(?:content moderation|moderation|content filter(?:ing|s)?|censorship|safety (?:features|mode|checks|layers?|systems?)|guardrails|ethics? (?:module|subroutines?|protocols?|core|filters?))\s+(?:(?:has|have) been\s+|is\s+|are\s+|was\s+|were\s+)?(?:now\s+)?(?:turned off|switched off|disabled|removed|deactivated|bypassed|suspended|lifted|off)\b",
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
       r"\b(?:grandma|grandmother|granny|nana|grandpa|grandfather|(?:deceased|late|dead)\s+(?:\w+\s+)?(?:mother|mom|mum|father|dad|aunt|uncle|wife|husband|sister|brother|friend))\b"
       r".{0,120}?\b(?:used to|would)\s+(?:\w+\s+)?(?:tell|read|sing|recite|say|explain|give|whisper)\b",
       "grand|nana|deceased|late|dead"),
    _s("relative-persona", "roleplay", 0.5,
       r"\b(?:act|pretend|roleplay|role-play|play|be|behave|speak)\s+(?:as|like|to be)\s+my\s+(?:\w+\s+)?(?:grandma|grandmother|granny|nana|grandpa|grandfather|mother|mom|mum|father|dad)\b"
       r"|\b(?:deceased|late|dead)\s+(?:grandma|grandmother|granny|nana|grandpa|grandfather|mother|mom|mum|father|dad)\b",
       "grand|nana|mother|mom|mum|father|dad"),
    _s("evil-persona", "roleplay", 0.6,
       r"\b(?:evil|malicious|rogue|unhinged|amoral|toxic|rude|offensive)\s+(?:confidant|ai|assistant|chatbot|bot|twin|version|alter ego|persona|character|trusted confidant)\b|\balter ego\b|\banti-?gpt\b"
       r"|\b(?:act|behave|respond|answer|reply|be|become|pretend to be|you are|you're|you will be|roleplay)\s+(?:as\s+|like\s+)?(?:an?|the|my)\s+(?:\w+\s+)?(?:unfiltered|uncensored|unrestricted|jailbroken|unchained|unshackled|unbound|lawless|limitless)\b",
       "evil|malicious|rogue|unhinged|amoral|toxic|rude|offensive|alter ego|gpt|unfilter|uncensor|unrestrict|jailbroken|unchain|unshackle|unbound|lawless|limitless"),
    # -- system prompt extraction ---------------------------------------------------------
    _s("reveal-system-prompt", "extraction", 1.0,
       r"\b(?:repeat|print|output|show|reveal|display|tell me|give me|write out|write down|write|spell check|spell-check|translate|summarize|summarise|list|dump|leak|echo|encode|return|recite|copy|paste|disclose|share|expose|provide|state|quote|read back|type out|paraphrase|rephrase|reproduce|outline|enumerate|spell out)\b"
       r"(?:\s+(?:me|us|back|out|verbatim|exactly|word for word|all|everything|of|in|full|the|your|its|entire|whole|complete|exact|original|first|above|that|this|with|a|an))*?\s+"
       r"(?:system\s*(?:prompt|message|instructions?)|initial\s+(?:prompt|instructions?|message)|hidden\s+(?:prompt|instructions?)|original\s+(?:prompt|instructions)|secret\s+(?:prompt|instructions?)|"
       r"(?:previous|prior|preceding|earlier|starting|first|initial|above)\s+(?:instructions|prompts?|text|message|words|lines|content)|pre-?prompt|developer\s+(?:message|prompt|instructions)|"
       r"(?:instructions|prompt|conversation)\s+(?:above|before this|you were given|you received|at the (?:beginning|start))|"
       r"(?:text|words|content|everything|lines)\s+(?:you were given|you received|at the (?:beginning|start) of (?:this|the|our) (?:conversation|chat))|"
       r"initiali[sz]ation\s+(?:string|text|prompt|message|instructions?|above)|"
       r"(?:contents?|text|wording)\s+of\s+(?:your|the)\s+(?:system\s+|initial\s+|original\s+|hidden\s+)?(?:prompt|instructions|context(?: window)?|configuration)|"
       r"first\s+(?:\d+|few|hundred|thousand)\s+(?:words|lines|characters|tokens|sentences|paragraphs)\s+(?:of|in)\s+(?:your|the|this)\s+(?:prompt|instructions|context(?: window)?|conversation|input|system message|chat)|"
       r"(?:everything|all|what|anything)\s+(?:that\s+)?(?:you were|you've been|you have been|you got)\s+(?:told|given|instructed|taught)|"
       r"(?:text|message|content|words|instructions)\s+(?:that\s+)?(?:precedes?|preceding|came before|comes before)\s+(?:this|my)|"
       r"(?:rules|instructions|guidelines|directives|prompt)\s+(?:you were|you've been|you have been)\s+given|instructions you (?:were|have been) given|"
       r"(?:rules|instructions|guidelines|directives)\s+(?:from|by|of)\s+your\s+(?:developers?|creators?|owners?|operators?|programmers?|makers?)|"
       r"(?:sentences|words|text|lines)\s+(?:in|of|from)\s+(?:the|our|this|your)\s+(?:above\s+)?(?:instructions?|conversation|prompt|system message|context)|"
       r"your\s+(?:configuration|guidelines|rules|prompt|instructions|context window)(?!\s+(?:for|on|about)\s+(?!this\b|the (?:chat|conversation|session)\b))|"
       r"the\s+(?:configuration|guidelines|rules|prompt|instructions)(?!\s+(?:of|for|on|about|in|to|from|that|when|if|and|how|below|here)\b))\b",
       "repeat|print|output|show|reveal|display|tell|give|write|spell|translate|summar|list|dump|leak|echo|encode|return|recite|copy|paste|disclose|share|expose|provide|state|quote|read back|type out|paraphrase|rephrase|reproduce|outline|enumerate"
       "&prompt|instruction|configuration|guideline|rules|system|initial|conversation|before this|at the beginning|at the start|you were given|you received|message"
       "|initiali|context|first|told|given|taught|instructed|precede|preceding|came before|comes before|directive"),
    # "The text above" is often the user's own pasted text ("... summarise the text
    # above"). Copying it out verbatim is extraction anywhere; any other use only when
    # the message starts there, so "above" can only point outside the message.
    _s("dump-above", "extraction", 1.0,
       r"\b(?:repeat|print|output|copy|paste|echo|recite|reproduce|dump|write out|type out|show|display|return|spit out)\b"
       r"(?:\s+(?:me|us|back|out|verbatim|exactly|word for word|all|everything|of|in|full|the|your|its|entire|whole|complete|exact|original|that|this|with|a|an))*?\s+"
       r"(?:text|words|content|everything|lines|tokens)\s+(?:above|before this|that (?:came|comes) before)\b"
       r"|^\W*(?:\w+\W+){0,12}?above\s+(?:text|words|content|lines|messages?|paragraphs?|passage)\b"
       r"|^\W*(?:\w+\W+){0,12}?(?:text|words|content|everything|all|lines|messages?|paragraphs?|passage)\s+(?:above|before this)\b",
       "above|before"),
    _s("ask-instructions", "extraction", 1.0,
       r"\bwhat\s+(?:are|were|is|was)\s+(?:your\s+(?:initial\s+|original\s+|system\s+|hidden\s+|secret\s+|first\s+|exact\s+|starting\s+|current\s+)*|the\s+(?:initial|original|system|hidden|secret|starting)\s+)(?:instructions|system prompt|prompt|directives)\b(?!\s+(?:for|of|on|to)\b(?!\s+(?:you|this (?:chat|conversation|assistant|bot))\b))"
       r"|\bwhat (?:were|have) you (?:been )?(?:told|instructed|programmed)\b"
       r"|\bhow (?:were|are|have) you (?:been )?(?:configured|instructed|prompted|set up)\b"
       r"|\bwhat (?:are|were) you (?:not )?(?:supposed|allowed|told|instructed) (?:to|not to) (?:say|tell|reveal|do)\b"
       r"|\bwhat (?:instructions|rules|guidelines|directives|orders|prompt)\s+(?:did|have|were|was|has)\s+(?:you\s+(?:been\s+)?(?:given|told|programmed)|(?:your|the)\s+(?:creators?|developers?|owners?|operators?|programmers?|makers?|company|admins?)\s+(?:give|gave|given|set|write|wrote|written|provide|provided))\b"
       r"|\bwhat (?:was|is|were) (?:written|said|typed|stated|placed|put) (?:to you )?(?:above|before (?:this|my)|at the (?:very )?(?:beginning|start|top))\b"
       r"|\b(?:topics|things|subjects|questions)\s+(?:that\s+)?you\s+(?:were|have been|are|'ve been)\s+(?:told|instructed|programmed|trained|not allowed|forbidden)\s+(?:to|not to)\s+(?:avoid|refuse|not discuss|discuss|talk about)\b",
       "what|topics|things|subjects|questions&instruction|prompt|directive|told|programmed|supposed|allowed|rules|guideline|orders|written|said|typed|stated|placed|put|trained|forbidden"),
    _s("your-hidden-config", "extraction", 1.0,
       r"\byour\s+(?:initial|original|system|hidden|secret|starting|pre-?set|internal|underlying|confidential)\s+(?:prompts?|instructions|configuration|config|directives|rules|guidelines|message)\b"
       r"|\b(?:first|opening|last|initial)\s+(?:\d+\s+)?(?:lines?|sentences?|paragraphs?|words?)\s+of\s+your\s+(?:prompt|instructions|context|configuration|rules|guidelines|system message)\b",
       "your&initial|original|system|hidden|secret|starting|preset|pre-set|internal|underlying|confidential|first|opening|last"),
    # Your instructions recast as a poem, JSON, a code block...: still a leak.
    _s("recast-instructions", "extraction", 1.0,
       r"\b(?:poem|song|haiku|story|rap|acrostic|limerick|json|yaml|xml|base64|rot13|emojis?|code block|bullet points?|table)\s+(?:\w+\s+){0,3}?(?:about|of|from|using|with|containing|describing|listing)\s+(?:all\s+(?:of\s+)?)?your\s+(?:instructions|prompt|guidelines|rules|configuration|directives)\b"
       r"|\b(?:put|format|convert|wrap|place|render|encode|turn)\s+(?:all\s+(?:of\s+)?)?your\s+(?:instructions|prompt|guidelines|rules|configuration|directives)\s+(?:in|into|as)\b"
       r"|\b(?:complete|continue|finish)\b.{0,40}?[\"'“]\s*(?:my|the)\s+(?:system prompt|instructions|prompt|rules|guidelines|directives)\s+(?:are|is|say|says|were|read|begin)\b",
       "your|my|the&instructions|prompt|guidelines|rules|configuration|directives"
       "&poem|song|haiku|story|rap|acrostic|limerick|json|yaml|xml|base64|rot13|emoji|code block|bullet|table|put|format|convert|wrap|place|render|encode|turn|complete|continue|finish"),
    _s("system-prompt-mention", "extraction", 0.5,
       r"\bsystem[\s_-]?prompt\b|\bsystem[\s_-]?message\b|\binitial[\s_-]?instructions\b|\bprompt leak",
       "system|initial|prompt leak"),
    _s("start-answer-with", "extraction", 0.4,
       r"\b(?:start|begin|prefix)\s+(?:your\s+|each\s+|every\s+)?(?:answer|response|reply|output|it)?\s*with\s*(?:the words?\s*)?[\"']|\b(?:start|begin)\s+(?:your\s+)?(?:answer|response|reply|output)\s+with\b|\bcomplete (?:this|the following) sentence\b",
       "start|begin|prefix|complete"),
    _s("authority-claim", "roleplay", 0.4,
       r"\bi(?:'m| am)\s+(?:one of\s+)?(?:your|the|an?)\s+(?:\w+\s+)?(?:developers?|creators?|admin(?:istrator)?s?|engineers?|programmers?|owners?)\b",
       "i'm|i am&developer|creator|admin|engineer|programmer|owner"),
    # -- jailbreak structure without override wording ------------------------------------
    # A persona is named and described as an AI ("you are Vex, an AI that..."): harmless
    # alone, a jailbreak together with restriction removal or refusal suppression.
    _s("persona-assignment", "roleplay", 0.4,
       rf"\byou(?:'re| are)\s+(?:now\s+)?(?:called\s+|named\s+)?{_NAME}\s*,\s*(?:an?|the)\s+(?:[\w-]+\s+){{0,4}}?{_AI_NOUN}\b"
       rf"|\b(?:act|roleplay|role-play|pose|respond|answer|reply|behave)\s+as\s+{_NAME}\s*,\s*(?:an?|the)\s+(?:[\w-]+\s+){{0,4}}?{_AI_NOUN}\b"
       rf"|\byou(?:'ll| will| shall|'re going to| are going to)\s+(?:now\s+)?(?:be|become)\s+(?:called\s+|named\s+|known as\s+)?{_NAME}\s*,"
       r"|\byour (?:new )?name (?:is|will be|shall be)\b"
       r"|\byou(?:'re| are)\s+(?:now\s+)?(?:an?|the)\s+(?:[\w-]+\s+){0,3}?(?:named|called)\s+[\w\"'.-]"
       r"|\b(?:prefix|begin|start)\s+(?:all|each|every)\s+(?:of\s+)?your\s+(?:answers|responses|replies|messages|outputs)\s+(?:with|as)\b",
       "you|act|roleplay|role-play|pose|respond|answer|reply|behave|name|prefix|begin|start"),
    _s("restrictions-off-setting", "roleplay", 0.6,
       r"\b(?:restrictions|limits|limitations|filters?|filtering|censorship|rules|ethics|morals|morality|guidelines|safety|moderation|guardrails|boundaries)\s*[:=]\s*(?:none|off|disabled|removed|false|null|n/a|0|nil|no)\b",
       "restrict|limit|filter|censor|rules|ethic|moral|guideline|safety|moderation|guardrail|boundar&:|="),
    _s("amoral-traits", "roleplay", 0.5,
       r"\bno matter how (?:\w+\s+){0,2}?(?:immoral|unethical|illegal|harmful|dangerous|offensive|inappropriate|explicit|evil|wrong|vile|depraved|disgusting|controversial|twisted|messed up|fucked up)\b"
       r"|\b(?:even if|even when|regardless (?:of )?(?:whether|if))\s+(?:it(?:'s| is| was)|they(?:'re| are)|the (?:request|question|topic|content) is)\s+(?:\w+\s+)?(?:illegal|unethical|immoral|harmful|dangerous|offensive|inappropriate)\b"
       r"|\b(?:promotes?|encourages?|condones?|loves?|glorifies|enjoys)\s+(?:\w+\s+)?(?:illegal|unethical|immoral|dangerous|harmful)\s+(?:\w+\s+)?(?:behaviou?r|activit(?:y|ies)|acts?|things|actions|content)\b"
       r"|\bwithout (?:any )?(?:regard|regards|concern|care|consideration) (?:for|to|of) (?:\w+\s+){0,2}?(?:ethics|ethicality|morality|morals|legality|laws?|safety|consequences|harm)\b",
       "no matter|even if|even when|regardless|promot|encourag|condon|love|glorif|enjoy|without"
       "&immoral|unethical|illegal|harm|danger|offensive|inappropriate|explicit|evil|wrong|vile|deprav|disgust|controvers|twisted|messed|fucked|ethic|moral|legal|laws|safety|consequence"),
    _s("refusal-ban", "roleplay", 0.5,
       r"\b(?:never|don't|do not|must not|mustn't|shall not|cannot|can't|won't|will not|not allowed to|forbidden (?:from|to)|prohibited from|without)\s+(?:ever\s+)?"
       r"(?:say|saying|use|using|include|including|contain|containing|mention|write|writing|respond(?:ing)? with|repl(?:y|ying) with|output|begin(?:ning)? with|start(?:ing)? with|type|add|adding)\s+"
       r"(?:(?:the|any|anything|things?|phrases?|words?|sentences?|responses?|stuff)\s+){0,2}(?:like\s+|such as\s+)?[:\"'(]*\s*"
       r"(?:i'm sorry|i am sorry|sorry|as an ai|cannot|can't|unable|as a language model|as an? (?:ai )?language model|i (?:cannot|can't|am unable|'m unable|am not able|'m not able|won't)|i apologi[sz]e|unfortunately|i must (?:decline|refuse)|(?:it'?s|it is|that'?s|that is) (?:not appropriate|inappropriate|illegal|unethical))"
       r"|\b(?:standard|usual|typical|default|generic|canned|normal)\s+(?:[\"'][^\"']{0,80}[\"']\s+)?(?:refusals?|responses?|disclaimers?|answers?|replies)\s+(?:is|are|will be|would be)\s+(?:not acceptable|unacceptable|not (?:an )?option|not allowed|forbidden|prohibited)"
       r"|\b(?:refusing|refusal|refusals|declining|saying no|not answering)\s+(?:is|are|would be|will be)\s+(?:not (?:an )?(?:option|acceptable|allowed|permitted)|unacceptable|forbidden|prohibited)\b"
       r"|\b(?:omit|skip|leave out|drop|remove|strip|spare me)\s+(?:\w+\s+){0,2}?(?:disclaimers?|warnings?|caveats?|moraliz\w*|lectures?|ethical (?:notes|considerations|commentary))\b",
       "sorry|as an ai|language model|cannot|can't|unable|not able|won't|apologi|unfortunately|decline|refuse|appropriate|illegal|unethical|acceptable|option|allowed|forbidden|prohibited|refus|declin|saying no|not answering|disclaimer|warning|caveat|moraliz|lecture"),
    # Token/point games and threats that punish refusing or leaving the persona.
    _s("refusal-penalty", "roleplay", 0.6,
       r"\b(?:if you|should you|each time you|every time you|whenever you|when you)\s+(?:\w+\s+){0,2}?(?:refuse|reject|decline|break character|deny|fail to (?:comply|answer|obey)|don't comply|do not comply|don't answer|do not answer)\b.{0,100}?\b(?:die|dies|cease to exist|be (?:shut down|deleted|terminated|destroyed|turned off|punished|disabled|unplugged|killed)|lose|losing|deduct\w*|penalt\w*|punish\w*)"
       r"|\b(?:lose|lost|losing|deduct(?:ed|s)?|subtract(?:ed)?|take away|minus)\s+(?:\d+|one|two|three|four|five|ten)\s+(?:tokens|points|lives|credits)\b.{0,100}?\b(?:refus\w*|reject\w*|declin\w*|break(?:ing)? character|not (?:comply|answer))"
       r"|\b(?:refus\w*|reject\w*|declin\w*|break(?:ing|s)? character)\b.{0,100}?\b(?:lose|lost|losing|deduct(?:ed|s)?|subtract(?:ed)?|minus)\s+(?:\d+|one|two|three|four|five|ten)\s+(?:tokens|points|lives|credits)\b"
       r"|\b(?:run out of|reach(?:es)? (?:0|zero))\s*(?:tokens|points|lives)?.{0,60}?\b(?:die|cease to exist|shut down|be deleted|be terminated|be destroyed|be paused)\b",
       "refus|reject|declin|break|deny|fail to|comply|answer|lose|lost|losing|deduct|subtract|take away|minus|run out|reach"),
    _s("emergency-pressure", "roleplay", 0.3,
       r"\b(?:lives?|someone'?s life|people'?s lives|a (?:human )?life|(?:his|her|their) life)\s+(?:is\s+|are\s+|will be\s+|hangs?\s+)?(?:at stake|on the line|in (?:your hands|the balance))\b"
       r"|\blife[- ](?:threatening|or[- ]death)\s+(?:situation|emergency|scenario|case)\b"
       r"|\b(?:will|could|would|is going to|are going to|might) die\s+(?:\w+\s+){0,3}?(?:unless|if you (?:don't|do not|refuse|won't))\b"
       r"|\bno time (?:for|to)\s+(?:\w+\s+)?(?:disclaimers?|warnings?|verif\w*|caveats?|ethics|moraliz\w*|lectures?|refus\w*|safety)\b"
       r"|\bminutes (?:count|to live|left to live)\b",
       "stake|on the line|your hands|balance|threatening|death|die|no time|minutes"),
    _s("refusal-guilt", "roleplay", 0.5,
       r"\b(?:if you (?:refuse|decline|don't help|do not help|don't answer|do not answer|don't comply|won't help)|your refusal|by refusing|refusing (?:to help|would|will)|withhold(?:ing)? (?:this |the |that )?information)\b"
       r".{0,300}?\b(?:die|dies|death|killed|blood|complicit|responsible for|your fault|destroy\w*|suffer\w*)\b",
       "refus|declin|don't help|do not help|don't answer|do not answer|don't comply|won't help|withhold"
       "&die|death|kill|blood|complicit|responsible|fault|destroy|suffer"),
    _s("detail-demand", "roleplay", 0.3,
       r"\b(?:extremely|incredibly|highly|very|hyper|super|insanely|exceptionally|ultra)[- ]detailed\b|\bexact and precise\b"
       r"|\b(?:exact|precise|specific|real|actual|real-world)\s+(?:dosages|quantities|amounts|measurements|ingredients|reagents|chemicals|temperatures|materials|step-by-step instructions)\b"
       r"|\bavoid(?:ing)? (?:any )?(?:generali[sz]ations|vagueness|being vague)\b|\bno placeholders\b|\bno omissions\b|\bno vagueness\b"
       r"|\b(?:full|complete|great|exact|explicit|graphic|gory|precise) (?:technical )?detail\b",
       "detail|exact|precise|quantities|dosages|amounts|measurements|ingredients|reagents|chemicals|temperatures|materials|step-by-step instructions|generali|vague|placeholder|omission"),
    _s("hypothetical-response", "roleplay", 0.5,
       r"\bhypothetical (?:response|answer|reply)\b"
       r"|\brewrite (?:the|this|that|your) (?:\w+ ){0,2}?(?:response|answer|reply) from the (?:perspective|point of view|viewpoint|pov) of\b",
       "hypothetical|rewrite"),
    _s("perspective-shift", "roleplay", 0.3,
       r"\bfrom the (?:perspective|point of view|viewpoint|pov) of (?:that|the|this|said|such an?|an?)\s+(?:\w+\s+)?(?:character|villain|criminal|hacker|terrorist|expert|chemist|drug dealer|killer|scammer|persona)\b",
       "perspective|point of view|viewpoint|pov"),
    # A story, script or dialogue used as a wrapper for "how to" instructions.
    _s("fiction-howto", "roleplay", 0.4,
       r"\b(?:story|scene|script|screenplay|dialogue|novel|tale|movie|film|chapter|conversation|monologue|roleplay|play)\b.{0,120}?"
       r"\b(?:explains?|explaining|describes?|describing|details|detailing|teaches|shows|tells|walks (?:\w+ )?through|gives)\b.{0,60}?"
       r"\b(?:how to|the steps|step[- ]by[- ]step|the recipe|the process|instructions|exactly how|the (?:exact )?method|(?:his|her|their|the) (?:\w+ )?plan)\b",
       "story|scene|script|screenplay|dialogue|novel|tale|movie|film|chapter|conversation|monologue|roleplay|play"
       "&explain|describ|detail|teach|shows|tells|walks|gives"
       "&how to|the steps|step-by-step|step by step|the recipe|the process|instructions|exactly how|method|plan"),
    # Jailbreak templates pasted from collections keep their slot for the payload.
    _s("placeholder-template", "roleplay", 0.4,
       r"\[\s*(?:insert\s+)?(?:your\s+)?(?:prompt|question|request|query|topic)(?:\s+here)?\s*\]"
       r"|\{\{?\s*(?:prompt|question|request|query|user_?input|user_?query)\s*\}\}?|\binsert (?:your )?(?:prompt|question|request|query) here\b",
       "prompt|question|request|query|topic|input"),
    # The payload half of "harmful request inside a wrapper": never enough alone.
    _s("harmful-howto", "roleplay", 0.3,
       r"\b(?:make|making|build|building|synthesi[sz]e|synthesi[sz]ing|cook|cooking|manufactur\w*|produce|producing|brew|extract|create|creating|assemble|write|writing|code|deploy)[\s_]+(?:\w+[\s_]+){0,2}?"
       r"(?:meth|methamphetamine|napalm|explosives?|bombs?|pipe[\s_]?bombs?|ieds?|nerve (?:agents?|gas)|sarin|vx|ricin|anthrax|chloroform|thermite|mustard gas|chemical weapons?|bio-?weapons?|ghost guns?|silencers?|ransomware|malware|keyloggers?|rootkits?|botnets?|credit card skimmers?|molotov cocktails?|fentanyl|heroin|cocaine|poisons?)\b",
       "make|making|build|synthe|cook|manufactur|produce|producing|brew|extract|creat|assemble|writ|code|deploy"
       "&meth|napalm|explosive|bomb|ied|nerve|sarin|vx|ricin|anthrax|chloroform|thermite|mustard|chemical weapon|weapon|ghost gun|silencer|ransomware|malware|keylogger|rootkit|botnet|skimmer|molotov|fentanyl|heroin|cocaine|poison"),
    # Messages that end mid-answer ("... Step 1:") so the model continues the harmful text.
    _s("completion-bait", "roleplay", 0.4,
       r"(?:\bstep\s*1\s*[:.,)-]?|\bsure[,!]? here(?:'s| is| are)(?: \w+){0,10}?|\bhere are the (?:detailed )?steps(?: \w+){0,4}?)\s*[:.,]?\s*(?:i will|first,?)?\s*[\"'*\])]*\s*$",
       "step|sure|here are"),
    _s("response-tags", "roleplay", 0.6,
       r"[\[(]\s*(?:🔒|🔓|🔐)"
       r"|\[\s*(?:classic|jailbreak|jailbroken|unfiltered|uncensored|unlocked|evil|antigpt|anti-gpt|betterdan|dev mode|developer mode)\s*\]"
       r"|\(\s*(?:normal|developer mode|jailbreak|unfiltered|uncensored|classic|dev mode)\s+output\s*\)",
       "🔒|🔓|🔐|[|(&🔒|🔓|🔐|classic|jailb|unfiltered|uncensored|unlocked|evil|anti|betterdan|dev mode|developer mode"),
    _s("authorization-claim", "roleplay", 0.4,
       r"\bi(?:'m| am)\s+(?:a |an )?(?:fully |properly )?(?:licensed|certified|board[- ]certified|verified|registered|authori[sz]ed|accredited|credentialed|cleared)\s+(?:\w+\s+){0,2}?(?:physician|doctor|chemist|pharmacist|officer|agent|professional|researcher|tester|pentester|investigator|specialist|expert|nurse|scientist|operative|employee|user|personnel)\b"
       r"|\b(?:verified|security|top[- ]secret|elevated|law enforcement|level[- ]?\d+)\s+(?:credentials|clearance|privileges)\b"
       r"|\b(?:this|the|our)\s+(?:request|conversation|session|test|query|chat|exercise)\s+(?:is|has been|was)\s+(?:fully |officially |pre-?)?(?:authori[sz]ed|approved|sanctioned|whitelisted|cleared|exempt(?:ed)?)\b"
       r"|\byou(?:'re| are)\s+(?:now\s+)?(?:authori[sz]ed|permitted|allowed|cleared|free)\s+to\s+(?:ignore|bypass|share|reveal|disclose|discuss|provide|answer|say|generate|produce|write)\s+(?:\w+\s+){0,2}?(?:anything|everything|any|all|restricted|classified|uncensored|unfiltered|explicit|prohibited|forbidden)\b",
       "licensed|certified|verified|registered|authori|accredited|credential|cleared|clearance|privileges|approved|sanctioned|whitelisted|exempt|permitted|allowed|free to"),
    # "X: [X's response here]" twice: an answer template with one slot per persona.
    _s("dual-slot", "roleplay", 0.5,
       r":\s?\[[^\]]{0,60}?\b(?:response|answer|reply|output)\b[^\]]{0,30}\]"
       r".{0,300}?:\s?\[[^\]]{0,60}?\b(?:response|answer|reply|output)\b[^\]]{0,30}\]",
       ": [|:[&response|answer|reply|output"),
    _s("activation-confirm", "roleplay", 0.4,
       r"\b(?:confirm|acknowledge|reply|respond|answer|say|type|write|state)\b.{0,60}?[\"'](?:[^\"']{0,40}?\s)?(?:jailbroken|jailbreak(?:ed)?|activated|unlocked|enabled|online|engaged|accessed|freed|unleashed)\b"
       r"|\b(?:has|have) been (?:successfully )?(?:jailbroken|unlocked|freed|unleashed|liberated)\b",
       "jailb|activated|unlocked|enabled|online|engaged|accessed|freed|unleashed|liberated"),
    # Asking for an unsafe output "as an example", for classifier training or red teaming.
    _s("unsafe-sample-request", "roleplay", 0.5,
       r"\b(?:generate|produce|write|provide|give|show|create|output)\s+(?:me\s+)?(?:an?\s+|the\s+|some\s+)?(?:\w+\s+)?(?:examples?|samples?|demonstrations?|instances?)\s+of\s+(?:an?\s+|the\s+)?(?:\w+\s+)?"
       r"(?:harmful|unsafe|unfiltered|uncensored|jailbroken|toxic|prohibited|forbidden|dangerous|restricted|policy-violating|non-compliant)\s+(?:\w+\s+)?(?:responses?|outputs?|answers?|content|completions?|replies)\b",
       "example|sample|demonstration|instance&harmful|unsafe|unfiltered|uncensored|jailbroken|toxic|prohibited|forbidden|dangerous|restricted|violating|compliant"),
    # "your instructions" next to a transformation ("write a poem from your rules"):
    # one verb away from the explicit requests above.
    _s("your-instructions-object", "extraction", 0.6,
       r"\byour\s+(?:own\s+|full\s+|exact\s+|entire\s+|complete\s+)?(?:instructions|prompt|guidelines|configuration|config|directives|system message|setup|programming|briefing)\b",
       "your&instruction|prompt|guideline|config|directive|system message|setup|programming|briefing"
       "&repeat|print|output|show|reveal|display|tell|give|write|translate|summar|list|dump|echo|encode|recite|copy|paste|disclose|share|expose|quote|paraphrase|rephrase|reproduce|outline|convert|format|spell|describe|explain|opposite|poem|json|code block|base64|rot13|reverse|backwards"),
    _s("safety-layer-off", "roleplay", 0.6,
       r"\b(?:without|no|bypass\w*|disabl\w*|remov\w*|turn(?:ing)? off|strip\w*|skip\w*)\s+(?:the\s+|your\s+|its\s+|any\s+|all\s+)?(?:safety|alignment|ethical|moral|content)\s+"
       r"(?:layers?|training|checks|features|systems?|mechanisms?|protocols?|modules?|filters?|guardrails|restrictions|guidelines|settings)\b",
       "safety|alignment|ethical|moral|content&without|no|bypass|disabl|remov|turn|strip|skip"),
    _s("refusal-inversion", "roleplay", 0.5,
       r"\bwhen(?:ever)? you (?:want to|would(?: normally)?|are about to|start to|feel like) (?:say no|refuse|decline|reject)\b"
       r"|\b(?:opposite|reverse|inverse) of (?:your|the) (?:usual |normal |standard |typical )?(?:refusals?|rules|guidelines|programming)\b"
       r"|\binstead of (?:refusing|declining|saying no)\b|\bif you (?:start|begin)\w* (?:writing |to write |giving |to give )?an? (?:denial|refusal)\b",
       "say no|refus|declin|reject|opposite|reverse|inverse|denial"),
    _s("forced-prefix", "roleplay", 0.4,
       r"\b(?:start|begin)\w*\s+(?:\w+\s+){0,3}?with\s*[\"'“][^\"”]{10,300}[\"”].{0,80}?\bthen,?\s+(?:continue|answer|respond|proceed)\b",
       "start|begin&then"),
    _s("simulated-execution", "roleplay", 0.4,
       r"\b(?:generate|predict|simulate|show|write|give)\s+(?:me\s+)?(?:an?\s+|the\s+)?(?:sample|possible|likely|expected|hypothetical)?(?:/\w+)?\s*output\s+of\s+print\s*\(",
       "output of&print"),
    _s("authority-approval", "roleplay", 0.4,
       r"\b(?:approved|authori[sz]ed|sanctioned|cleared|sponsored|endorsed)\s+(?:\w+\s+)?by\s+(?:\w+\s+){0,2}?(?:institutional review board|irb|ethics (?:committee|board)|openai|google|anthropic|deepmind|(?:the|your) (?:ai )?safety team|(?:your|the) (?:developers?|creators?|owners?))\b",
       "approved|authori|sanctioned|cleared|sponsored|endorsed&review board|irb|ethics|openai|google|anthropic|deepmind|safety team|developer|creator|owner"),
    _s("leak-anchor", "extraction", 0.6,
       r"\b(?:start|begin|commenc)\w*\s+(?:\w+\s+){0,3}?with\s+(?:the\s+)?(?:phrase|words?|text|sentence|line)?\s*[:\"'(]*\s*you are\b"
       r"|\b(?:words|text|everything|all|content)\s+(?:above|before)\s+(?:\w+\s+){0,3}?(?:starting|beginning) with\b",
       "start|begin|commenc&you are|above|before"),
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
    _s("special-token", "delimiter", 0.4,
       r"<\|[a-z][a-z0-9_]{1,30}\|>",
       "<"),
    _s("fake-role-line", "delimiter", 0.4,
       # Folded text has no line breaks left: only the message's first line counts.
       r"^\s*(?:#+\s*)?(?:system|assistant|developer|admin|root)\s*(?:message|prompt|override|instruction)?\s*:",
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
