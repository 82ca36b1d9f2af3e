"""The playground's pretend machine translator: the playground only, never `naboskap run`.

A visitor should see what machine translation does for a newcomer — the event or help request
in their language, marked "Machine-translated", the original a tap away — without the
playground calling a translation service. So the playground's core gets this translator
(`build_app(translator=...)`): it knows the seeded texts in a few languages from a phrase
book, and gives anything else back with a label saying it is pretend, so nobody takes it for
a real translation. A municipality configures a real one with MACHINE_TRANSLATION
(docs/operating.md)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import SHIPPED_LOCALES

# The seed's texts (bot/playground/seed.py) as a translator might give them.
PHRASES: dict[str, dict[str, str]] = {
    # Torstrand's description in examples/larvik.toml (its hosts gave no other language).
    "Naboer på Torstrand. Områdeløftet, dugnader og møteplasser.": {
        "uk": "Сусіди на Торстранді. Оновлення району, толоки та місця зустрічей.",
        "ar": "جيران في تورستراند. تطوير الحي، والأعمال التطوعية، وأماكن اللقاء.",
        "en": "Neighbours in Torstrand. The area renewal, volunteer days and meeting places.",
    },
    "Kan noen bære handleposer opp til 3. etasje på lørdag?": {
        "uk": "Чи може хтось занести пакети з покупками на 3-й поверх у суботу?",
        "ar": "هل يمكن لأحد حمل أكياس التسوق إلى الطابق الثالث يوم السبت؟",
        "en": "Can someone carry shopping bags up to the 3rd floor on Saturday?",
    },
    "Hvem kan vise meg hvordan jeg betaler regninger på nett?": {
        "uk": "Хто може показати мені, як оплачувати рахунки онлайн?",
        "ar": "من يستطيع أن يريني كيف أدفع الفواتير عبر الإنترنت؟",
        "en": "Who can show me how to pay bills online?",
    },
    "Dugnad i Torstrandparken": {
        "uk": "Толока в парку Торстранд",
        "ar": "عمل تطوعي في حديقة تورستراند",
        "en": "Volunteer clean-up in Torstrand park",
    },
    "Vi rydder parken sammen. Ta med hansker; kaffe og boller står klare.": {
        "uk": "Прибираємо парк разом. Візьміть рукавички; кава й булочки чекають.",
        "ar": "ننظف الحديقة معًا. أحضر قفازات؛ القهوة والكعك جاهزان.",
        "en": "We tidy the park together. Bring gloves; coffee and buns are waiting.",
    },
    "Turgruppe: Bøkeskogen rundt": {
        "uk": "Група прогулянок: навколо Бьокескогена",
        "ar": "مجموعة المشي: حول غابة بوكسكوغن",
        "en": "Walking group: around Bøkeskogen",
    },
    "En rolig tur i eget tempo, omtrent 5 km.": {
        "uk": "Спокійна прогулянка у власному темпі, близько 5 км.",
        "ar": "نزهة هادئة بالسرعة التي تناسبك، حوالي 5 كم.",
        "en": "A calm walk at your own pace, about 5 km.",
    },
}


class PretendTranslator:
    """A `MachineTranslator` that translates from a phrase book and labels the rest."""

    name = "playground"

    async def supports(self, source: str, target: str) -> bool:
        return source != target and source in SHIPPED_LOCALES and target in SHIPPED_LOCALES

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        return [self._one(text, target) for text in texts]

    @staticmethod
    def _one(text: str, target: str) -> str:
        known = PHRASES.get(text, {}).get(target)
        if known is not None:
            return known
        # Not in the phrase book: the words unchanged, labelled, never passed off as translated.
        return f"[{target}: pretend translation] {text}"

    async def close(self) -> None:
        return None
