"""SMS keywords: what a resident can text, in Norwegian and English and, where natural, in the
other shipped languages. Matching ignores case, accents on Latin letters and punctuation
around words, so "Bli med Torstrand!", "bli  med torstrand" and "BLI MED TORSTRAND" are one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Command(StrEnum):
    HELP = "help"
    STOP = "stop"
    START = "start"
    JOIN = "join"
    LEAVE = "leave"
    NETWORKS = "networks"
    EVENTS = "events"
    ASK = "ask"
    OFFER = "offer"
    LANGUAGE = "language"
    DELETE = "delete"
    MYDATA = "mydata"
    MORE = "more"
    QUIET = "quiet"
    IDEA = "idea"  # ideas for the network (issue 15)
    VOLUNTEER = "volunteer"  # volunteer calls ("dugnad", issue 15)
    POLL = "poll"  # open polls, by number to answer (issue 15)


# The first word(s) of a message, per command. Norwegian and English first: those are what the
# help text shows to everyone; the rest are accepted too.
WORDS: dict[Command, dict[str, tuple[str, ...]]] = {
    Command.HELP: {
        "nb": ("HJELP",),
        "en": ("HELP", "INFO"),
        "uk": ("ДОПОМОГА", "ДОВІДКА"),
        "pl": ("POMOC",),
        "lt": ("PAGALBA",),
        "ar": ("مساعدة",),
        # "Caawimo" is what a Somali speaker writes who needs help: that is ASK below. The
        # list of commands is "amarrada", the commands.
        "so": ("AMARRADA",),
        # Not "ሓገዝ" (help): it begins the words for asking for and offering help.
        "ti": ("ትእዛዛት",),
        "fa_AF": ("راهنما",),
    },
    Command.STOP: {
        "nb": ("STOPP", "AVSLUTT"),
        "en": ("STOP", "UNSUBSCRIBE", "END", "QUIT", "CANCEL"),
        "uk": ("СТОП",),
        "pl": ("STOP",),
        "lt": ("STOP",),
        "ar": ("توقف", "إيقاف"),
        "so": ("JOOJI",),
        "ti": ("ኣቋርጽ",),
        "fa_AF": ("توقف",),
    },
    Command.START: {
        "nb": ("START", "HEI"),
        "en": ("START", "HELLO", "HI"),
        "uk": ("СТАРТ", "ПРИВІТ"),
        "pl": ("START", "CZESC"),
        "lt": ("START", "LABAS"),
        "ar": ("ابدأ", "مرحبا"),
        "so": ("BILOW", "SALAAN"),
        "ti": ("ጀምር", "ሰላም"),
        "fa_AF": ("شروع", "سلام"),
    },
    Command.JOIN: {
        "nb": ("BLI MED", "MELD INN"),
        "en": ("JOIN",),
        "uk": ("ПРИЄДНАТИСЯ",),
        "pl": ("DOLACZ",),
        "lt": ("PRISIJUNGTI",),
        "ar": ("انضمام",),
        "so": ("KU BIIR",),
        "ti": ("ተጸምበር",),
        "fa_AF": ("پیوستن",),
    },
    Command.LEAVE: {
        "nb": ("FORLAT", "MELD UT"),
        "en": ("LEAVE",),
        "uk": ("ВИЙТИ",),
        "pl": ("OPUSC",),
        "lt": ("ISEITI",),
        "ar": ("مغادرة",),
        "so": ("KA BAX",),
        "ti": ("ግደፍ",),
        "fa_AF": ("ترک",),
    },
    Command.NETWORKS: {
        "nb": ("NETTVERK",),
        "en": ("NETWORKS", "NETWORK"),
        "uk": ("СПІЛЬНОТИ",),
        "pl": ("SPOLECZNOSCI",),
        "lt": ("TINKLAI",),
        "ar": ("شبكات",),
        "so": ("SHABAKADAHA",),
        "ti": ("መርበባት",),
        "fa_AF": ("شبکه‌ها", "شبکه ها"),
    },
    Command.EVENTS: {
        "nb": ("HVA SKJER", "ARRANGEMENTER"),
        "en": ("EVENTS", "WHATS ON"),
        "uk": ("ПОДІЇ",),
        "pl": ("WYDARZENIA",),
        "lt": ("RENGINIAI",),
        "ar": ("فعاليات",),
        "so": ("MUNAASABADO",),
        "ti": ("ፍጻመታት",),
        "fa_AF": ("برنامه‌ها", "برنامه ها"),
    },
    Command.ASK: {
        "nb": ("BE OM HJELP", "TRENGER HJELP"),
        "en": ("ASK", "NEED HELP"),
        "uk": ("ПОТРІБНА ДОПОМОГА",),
        "pl": ("POTRZEBUJE POMOCY",),
        "lt": ("REIKIA PAGALBOS",),
        "ar": ("أحتاج مساعدة",),
        "so": ("CAAWIMO U BAAHAN", "CAAWIMO"),
        "ti": ("ሓገዝ የድልየኒ",),
        "fa_AF": ("کمک می‌خواهم", "کمک میخواهم"),
    },
    Command.OFFER: {
        "nb": ("TILBY", "TILBY HJELP"),
        "en": ("OFFER", "OFFER HELP"),
        "uk": ("ЗАПРОПОНУВАТИ",),
        "pl": ("OFERUJE",),
        "lt": ("SIULAU",),
        "ar": ("أعرض مساعدة",),
        "so": ("BIXI CAAWIMO",),
        "ti": ("ሓገዝ ክህብ",),
        "fa_AF": ("کمک می‌کنم", "کمک میکنم"),
    },
    Command.LANGUAGE: {
        "nb": ("SPRAK", "SPRÅK"),
        "en": ("LANGUAGE",),
        "uk": ("МОВА",),
        "pl": ("JEZYK",),
        "lt": ("KALBA",),
        "ar": ("اللغة", "لغة"),
        "so": ("LUQAD",),
        "ti": ("ቋንቋ",),
        "fa_AF": ("زبان",),
    },
    Command.DELETE: {
        "nb": ("SLETT", "SLETT MEG"),
        "en": ("DELETE", "DELETE ME", "FORGET ME"),
        "uk": ("ВИДАЛИТИ",),
        "pl": ("USUN",),
        "lt": ("ISTRINTI",),
        "ar": ("حذف",),
        "so": ("TIRTIR",),
        "ti": ("ደምስስ",),
        "fa_AF": ("حذف",),
    },
    Command.MYDATA: {
        "nb": ("MINE DATA", "MINE OPPLYSNINGER"),
        "en": ("MY DATA", "MYDATA"),
        "uk": ("МОЇ ДАНІ",),
        "pl": ("MOJE DANE",),
        "lt": ("MANO DUOMENYS",),
        "ar": ("بياناتي",),
        "so": ("XOGTAYDA",),
        "ti": ("ሓበሬታይ",),
        "fa_AF": ("اطلاعات من",),
    },
    Command.MORE: {  # the rest of the last list we sent
        "nb": ("MER", "FLERE"),
        "en": ("MORE",),
        "uk": ("ЩЕ", "БІЛЬШЕ"),
        "pl": ("WIECEJ", "WIĘCEJ"),
        "lt": ("DAUGIAU",),
        "ar": ("المزيد", "مزيد"),
        "so": ("WAX KALE", "INTAA KALE"),
        "ti": ("ተወሳኺ",),
        "fa_AF": ("بیشتر",),
    },
    Command.QUIET: {  # quiet hours: when instant notices wait
        "nb": ("STILLETID", "STILLE"),
        "en": ("QUIET", "QUIET HOURS"),
        "uk": ("ТИША",),
        "pl": ("CISZA",),
        "lt": ("TYLA",),
        "ar": ("هدوء",),
        "so": ("AAMUSNAAN",),
        "ti": ("ህድኣት",),
        "fa_AF": ("سکوت",),
    },
    Command.IDEA: {  # alone: the ideas, by number to support; with words: a new idea
        "nb": ("IDE", "IDEER"),
        "en": ("IDEA", "IDEAS"),
        "uk": ("ІДЕЯ", "ІДЕЇ"),
        "pl": ("POMYSL", "POMYSLY"),
        "lt": ("IDEJA", "IDEJOS"),
        "ar": ("فكرة", "أفكار"),
        "so": ("FIKRAD", "FIKRADO"),
        "ti": ("ሓሳብ",),
        "fa_AF": ("ایده",),
    },
    Command.VOLUNTEER: {  # the open shifts, by number to sign up (or, if signed up, withdraw)
        "nb": ("DUGNAD", "FRIVILLIG"),
        "en": ("VOLUNTEER", "DUGNAD"),
        "uk": ("ВОЛОНТЕР", "ВОЛОНТЕРСТВО"),
        "pl": ("WOLONTARIAT", "WOLONTARIUSZ"),
        "lt": ("SAVANORYSTE", "SAVANORIS"),
        "ar": ("تطوع",),
        "so": ("TABARRUC", "MUTADAWAC"),
        "ti": ("ወለንታ",),
        "fa_AF": ("داوطلب",),
    },
    Command.POLL: {  # the open polls, by number to open one and answer it
        "nb": ("AVSTEMNING", "AVSTEMNINGER"),
        "en": ("POLLS", "POLL", "VOTE"),
        "uk": ("ОПИТУВАННЯ", "ГОЛОСУВАННЯ"),
        "pl": ("ANKIETA", "ANKIETY"),
        "lt": ("APKLAUSA", "APKLAUSOS"),
        "ar": ("تصويت", "استطلاع"),
        "so": ("CODBIXIN", "CODEE"),
        "ti": ("ድምጺ",),
        "fa_AF": ("نظرسنجی", "رای"),
    },
}


def fold(text: str) -> str:
    """Upper case, accents on Latin letters dropped ("SPRÅK" is "SPRAK", "DOŁĄCZ" nearly
    "DOLACZ"), other scripts kept whole, punctuation and extra spaces gone."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text.upper()):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    joined = unicodedata.normalize("NFC", "".join(kept)).replace("Ł", "L")
    return " ".join(re.sub(r"[^\w\u200c]+", " ", joined).split())


_TABLE: list[tuple[str, Command]] = sorted(
    (
        (fold(word), command)
        for command, words in WORDS.items()
        for ws in words.values()
        for word in ws
    ),
    key=lambda pair: -len(pair[0]),  # longest first: "BE OM HJELP" before "HJELP"
)


@dataclass(frozen=True)
class Parsed:
    command: Command
    argument: str  # the rest of the message, as written (e.g. a network's name)


def parse(text: str) -> Parsed | None:
    """The command a message starts with, if any."""
    folded = fold(text)
    for word, command in _TABLE:
        if folded == word or folded.startswith(word + " "):
            words = len(word.split())
            rest = " ".join(text.split()[words:]) if words <= len(text.split()) else ""
            return Parsed(command, rest.strip(" .,!?"))
    return None


def shown(command: Command, locale: str) -> str:
    """The keyword to show a reader of `locale`: theirs where there is one, else Norwegian."""
    words = WORDS[command]
    return (words.get(locale) or words["nb"])[0]
