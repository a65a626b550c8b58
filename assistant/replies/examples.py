"""Few-shot turns for the reply prompt: a small model imitates examples far better than it
follows instructions, so each kind of comment gets examples of the reply it needs.

The examples use names and topics unrelated to any real thread, and those names are banned
from real replies (reply.wrong-name), so copying an example cannot slip through.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    kind: str
    name: str
    comment: str
    reply: str
    language: str = "en"


# fmt: off
EXAMPLES = (
    Example("complaint", "Dmitri Volkov",
            "Third time my parcel went to the wrong address. Nobody at your help desk picks up.",
            "Dmitri, sorry to hear your parcel went to the wrong address again. Could you send us "
            "a direct message so we can look into it?"),
    Example("complaint", "@oona.bakes",
            "The oven gloves I bought last week already have a hole in them. Not happy.",
            "@oona.bakes sorry to hear about the hole in your oven gloves. Could you send us a "
            "direct message so we can look into it?"),
    Example("question", "Keiko Sato", "Does the large backpack fit under a plane seat?",
            "Keiko, thanks for asking! We'll check if the large backpack fits under a plane seat "
            "and get back to you here."),
    Example("question", "@bashir.h", "Are the workshops suitable for complete beginners?",
            "@bashir.h thanks for asking! We'll check about beginners at the workshops and get "
            "back to you here."),
    Example("correction", "Ingrid Berg",
            "Your post says the market opens at the harbour but the map shows the square.",
            "Ingrid, good catch, thanks! We'll check the map and the market location."),
    Example("correction", "@dmitri_v",
            "Small thing: the poster spells it 'Saturday' twice, should one be Sunday?",
            "@dmitri_v good catch, thanks! We'll check the poster and the days."),
    Example("suggestion", "Oona Laine", "Could you add a gluten-free option to the lunch menu?",
            "Oona, thanks for the idea! A gluten-free lunch option sounds good, we'll pass it on "
            "to the team."),
    Example("suggestion", "@keiko_s", "Would love a quieter hour for people with sensory issues.",
            "@keiko_s thanks for the idea! A quieter hour sounds good, we'll pass it on to the "
            "team."),
    Example("praise", "Bashir Haddad",
            "The sourdough class was so much fun, my loaf actually rose this time!",
            "Bashir, thank you! So glad you enjoyed the sourdough class and your loaf rose."),
    Example("praise", "@ingrid.b",
            "Your staff at the garden centre were so patient with my questions.",
            "@ingrid.b thank you! So glad our garden centre staff could help with your "
            "questions."),
    Example("other", "Dmitri Volkov", "Got it, I'll pop in on Friday then.",
            "Dmitri, thanks! See you on Friday, then."),
    Example("other", "@oona.bakes", "Haha my dog would love that too",
            "@oona.bakes thanks! Your dog sounds like a fan already."),
    # turns in other languages, shown with a comment in that language
    Example("question", "Keiko Sato", "¿La mochila grande cabe debajo del asiento del avión?",
            "Keiko, ¡gracias por preguntar! Vamos a comprobar lo de la mochila grande y te "
            "respondemos aquí.", "es"),
    Example("praise", "@oona.bakes", "¡Me encantó el taller de pan, gracias!",
            "@oona.bakes ¡gracias! Nos alegra mucho que te gustara el taller de pan.", "es"),
    Example("question", "Bashir Haddad", "Est-ce que les ateliers sont ouverts aux débutants ?",
            "Bashir, merci pour la question ! Nous vérifions pour les ateliers et nous revenons "
            "vers vous ici.", "fr"),
    Example("complaint", "@ingrid.b", "Ma commande est arrivée cassée, c'est décevant.",
            "@ingrid.b, désolés pour votre commande cassée. Pouvez-vous nous envoyer un message "
            "privé pour que nous regardions ça ?", "fr"),
    Example("question", "Ingrid Berg", "Gibt es den Rucksack auch in Grün?",
            "Ingrid, danke für die Frage! Wir prüfen das mit dem Rucksack und melden uns hier.",
            "de"),
    Example("complaint", "@dmitri_v", "Meine Bestellung ist seit zwei Wochen nicht da.",
            "@dmitri_v, das tut uns leid mit deiner Bestellung. Kannst du uns eine "
            "Privatnachricht schicken, damit wir nachsehen?", "de"),
)
# fmt: on
EXAMPLE_NAMES = (
    "Dmitri",
    "Volkov",
    "Keiko",
    "Sato",
    "Oona",
    "Laine",
    "Bashir",
    "Haddad",
    "Ingrid",
    "Berg",
    "oona.bakes",
    "bashir.h",
    "dmitri_v",
    "keiko_s",
    "ingrid.b",
)


def examples_for(kind: str, language: str = "en") -> list[Example]:
    """The English examples of this kind, then those in the comment's language, if any."""
    chosen = [e for e in EXAMPLES if e.kind == kind and e.language == "en"]
    chosen += [e for e in EXAMPLES if e.language == language != "en"]
    return chosen
