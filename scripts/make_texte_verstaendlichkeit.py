"""Generate the synthetic dataset ``texte-verstaendlichkeit``: official letters and plain versions.

Five topics of municipal letters (dog tax notice, waste fee, hearing before a
parking fine, Kita contribution, residents' parking permit), each as an
official letter ("Amtsdeutsch") and a plain-language version ("Einfache
Sprache"), two also in "Leichte Sprache". Amounts, dates and file numbers are
drawn with a fixed seed; the wording is fixed so the versions stay comparable.

Usage: python scripts/make_texte_verstaendlichkeit.py [--out DIR]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import _synth
import numpy as np

DATASET_ID = "texte-verstaendlichkeit"
SEED = 2026
COLUMNS = ["titel", "thema", "fassung", "text"]


def datum(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def texts(rng: np.random.Generator) -> list[tuple[str, str, str, str]]:
    """(titel, thema, fassung, text) for every text."""
    az = f"32.{int(rng.integers(100, 999))}/{int(rng.integers(2024, 2026))}"
    hund = int(rng.integers(14, 23)) * 6
    frist = dt.date(2025, int(rng.integers(2, 11)), int(rng.integers(1, 28)))
    abfall = int(rng.integers(80, 130)) * 2
    bussgeld = int(rng.integers(2, 7)) * 10
    tattag = dt.date(2025, int(rng.integers(1, 12)), int(rng.integers(1, 28)))
    kita = int(rng.integers(8, 30)) * 10
    parken = int(rng.integers(3, 12)) * 10
    out = []

    out.append(
        (
            "Bescheid Hundesteuer",
            "Hundesteuer",
            "Amtsdeutsch",
            f"Bescheid über die Festsetzung der Hundesteuer (Aktenzeichen {az}). "
            "Auf Grund der Satzung über die Erhebung der Hundesteuer in der Stadt Musterstadt in "
            "der derzeit gültigen Fassung wird für das Halten des bei Ihnen angemeldeten Hundes "
            f"die Hundesteuer für das Kalenderjahr 2025 auf {hund},00 Euro festgesetzt. Der "
            f"festgesetzte Betrag ist unter Angabe des Aktenzeichens bis zum {datum(frist)} auf "
            "eines der unten angegebenen Konten der Stadtkasse zu überweisen. Bei nicht "
            "fristgerechter Zahlung werden Säumniszuschläge gemäß § 240 der Abgabenordnung "
            "erhoben. Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe "
            "Widerspruch erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift "
            "bei der Stadtverwaltung Musterstadt einzulegen. Die Einlegung eines Widerspruchs "
            "entbindet nicht von der Verpflichtung zur fristgerechten Zahlung.",
        )
    )
    out.append(
        (
            "Bescheid Hundesteuer",
            "Hundesteuer",
            "Einfache Sprache",
            f"Ihre Hundesteuer für 2025 (Aktenzeichen {az}). Sie haben einen Hund bei uns "
            f"angemeldet. Dafür zahlen Sie für das Jahr 2025 Hundesteuer: {hund} Euro. Bitte "
            f"überweisen Sie das Geld bis zum {datum(frist)}. Die Konten der Stadtkasse stehen "
            "unten. Schreiben Sie bei der Überweisung das Aktenzeichen dazu. Wenn Sie zu spät "
            "zahlen, kostet es mehr. Sie sind nicht einverstanden? Dann können Sie "
            "Widerspruch einlegen. Das geht schriftlich oder bei uns im Rathaus. Sie haben "
            "dafür einen Monat Zeit. Auch mit Widerspruch müssen Sie zuerst pünktlich zahlen.",
        )
    )
    out.append(
        (
            "Bescheid Hundesteuer",
            "Hundesteuer",
            "Leichte Sprache",
            f"Sie haben einen Hund. Für den Hund zahlen Sie Geld an die Stadt. Das Geld heißt: "
            f"Hunde·steuer. Für das Jahr 2025 sind es {hund} Euro. Bitte zahlen Sie bis zum "
            f"{datum(frist)}. Sie finden unten die Konto·nummer. Sie haben Fragen? Dann rufen "
            "Sie uns an.",
        )
    )

    out.append(
        (
            "Gebührenbescheid Abfall",
            "Abfallgebühren",
            "Amtsdeutsch",
            "Gebührenbescheid über die Benutzungsgebühren für die Abfallentsorgung. Nach "
            "Maßgabe der Abfallgebührensatzung der Stadt Musterstadt werden die "
            "Grundbesitzabgaben für das oben bezeichnete Grundstück für den "
            f"Veranlagungszeitraum 2025 auf insgesamt {abfall},00 Euro festgesetzt. Die "
            "Gebührenberechnung erfolgt unter Zugrundelegung des bereitgestellten "
            "Behältervolumens sowie des gewählten Abfuhrrhythmus. Etwaige Änderungen der "
            "Behältergröße sind der Stadtverwaltung unverzüglich zur Kenntnis zu bringen. Eine "
            "Erstattung bereits entrichteter Gebühren kommt nur bei rechtzeitiger Abmeldung in "
            "Betracht.",
        )
    )
    out.append(
        (
            "Gebührenbescheid Abfall",
            "Abfallgebühren",
            "Einfache Sprache",
            f"Ihre Müllgebühren für 2025. Für die Mülltonnen an Ihrem Haus zahlen Sie 2025 "
            f"zusammen {abfall} Euro. Der Betrag hängt davon ab, wie groß Ihre Tonnen sind und "
            "wie oft wir sie leeren. Sie brauchen eine andere Tonne? Dann sagen Sie uns bitte "
            "sofort Bescheid. Geld zurück gibt es nur, wenn Sie eine Tonne rechtzeitig abmelden.",
        )
    )

    out.append(
        (
            "Anhörung Parkverstoß",
            "Verwarnungsgeld",
            "Amtsdeutsch",
            "Anhörung im Verwarnungsgeldverfahren. Ihnen wird zur Last gelegt, am "
            f"{datum(tattag)} in Musterstadt, Marktstraße, im Bereich eines absoluten "
            "Haltverbots geparkt zu haben. Wegen dieser Ordnungswidrigkeit wird Ihnen ein "
            f"Verwarnungsgeld in Höhe von {bussgeld},00 Euro angeboten. Es wird Ihnen hiermit "
            "Gelegenheit gegeben, sich zu dem Tatvorwurf zu äußern. Sofern Sie das "
            "Verwarnungsgeld nicht innerhalb einer Woche nach Zugang dieses Schreibens "
            "entrichten, wird ein Bußgeldverfahren eingeleitet, in dessen Rahmen zusätzliche "
            "Gebühren und Auslagen entstehen. Die Inanspruchnahme eines Rechtsbeistandes bleibt "
            "Ihnen unbenommen.",
        )
    )
    out.append(
        (
            "Anhörung Parkverstoß",
            "Verwarnungsgeld",
            "Einfache Sprache",
            f"Sie haben falsch geparkt. Am {datum(tattag)} stand Ihr Auto in der Marktstraße im "
            f"Halteverbot. Dafür sollen Sie {bussgeld} Euro zahlen. Sie sehen das anders? Dann "
            "schreiben Sie uns. Bitte zahlen Sie innerhalb von einer Woche. Sonst beginnt ein "
            "Bußgeldverfahren, und es wird teurer. Sie dürfen sich auch von einer Anwältin oder "
            "einem Anwalt helfen lassen.",
        )
    )

    out.append(
        (
            "Festsetzung Elternbeitrag",
            "Elternbeitrag",
            "Amtsdeutsch",
            "Festsetzung des Elternbeitrags für die Inanspruchnahme eines Betreuungsplatzes in "
            "einer Kindertageseinrichtung. Auf der Grundlage der von Ihnen gemachten Angaben "
            "zum maßgeblichen Jahreseinkommen wird der monatliche Elternbeitrag ab dem "
            f"01.08.2025 auf {kita},00 Euro festgesetzt. Die Verpflichtung zur unverzüglichen "
            "Mitteilung von Einkommensänderungen bleibt hiervon unberührt. Bei Nichtvorlage der "
            "angeforderten Einkommensnachweise wird der Höchstbeitrag erhoben. Die Zahlung "
            "erfolgt im Wege des Lastschrifteinzugs zum Monatsersten.",
        )
    )
    out.append(
        (
            "Festsetzung Elternbeitrag",
            "Elternbeitrag",
            "Einfache Sprache",
            f"Ihr Beitrag für die Kita. Ab dem 01.08.2025 zahlen Sie für den Kita-Platz Ihres "
            f"Kindes {kita} Euro im Monat. So viel ist es, weil Sie uns Ihr Einkommen genannt "
            "haben. Verdienen Sie mehr oder weniger? Dann sagen Sie es uns bitte gleich. Wir "
            "brauchen dazu Nachweise. Ohne Nachweise zahlen Sie den höchsten Beitrag. Wir buchen "
            "das Geld am Anfang jedes Monats von Ihrem Konto ab.",
        )
    )
    out.append(
        (
            "Festsetzung Elternbeitrag",
            "Elternbeitrag",
            "Leichte Sprache",
            f"Ihr Kind geht in die Kita. Dafür zahlen Sie Geld. Ab August 2025 sind es {kita} "
            "Euro. Sie zahlen jeden Monat. Wir holen das Geld von Ihrem Konto. Sie verdienen "
            "mehr Geld? Oder weniger Geld? Dann sagen Sie es uns.",
        )
    )

    out.append(
        (
            "Bewohnerparkausweis",
            "Bewohnerparken",
            "Amtsdeutsch",
            "Antrag auf Erteilung eines Bewohnerparkausweises. Die Erteilung eines "
            "Bewohnerparkausweises setzt voraus, dass die antragstellende Person in dem "
            "betreffenden Bewohnerparkgebiet mit Hauptwohnsitz gemeldet und Halterin oder Halter "
            "des Kraftfahrzeugs ist. Dem Antrag sind die Zulassungsbescheinigung Teil I sowie "
            "gegebenenfalls eine Nutzungsüberlassungserklärung beizufügen. Die Verwaltungsgebühr "
            f"beträgt {parken},00 Euro pro Jahr und ist bei Antragstellung zu entrichten.",
        )
    )
    out.append(
        (
            "Bewohnerparkausweis",
            "Bewohnerparken",
            "Einfache Sprache",
            "So bekommen Sie einen Bewohnerparkausweis. Sie müssen im Parkgebiet wohnen und dort "
            "mit Ihrer Hauptwohnung gemeldet sein. Das Auto muss auf Sie zugelassen sein. Bringen "
            "Sie den Fahrzeugschein mit. Fahren Sie das Auto einer anderen Person? Dann brauchen "
            f"Sie auch eine Erklärung von ihr. Der Ausweis kostet {parken} Euro im Jahr. Sie "
            "zahlen gleich beim Antrag.",
        )
    )
    return out


def generate() -> list[list[str]]:
    rng = np.random.default_rng(SEED)
    return [[_q(t) for t in row] for row in texts(rng)]


def _q(text: str) -> str:
    """Quote a CSV field (the texts contain commas)."""
    return '"' + text.replace('"', '""') + '"'


def write(out: Path) -> Path:
    return _synth.write_csv(out, DATASET_ID, COLUMNS, generate())


if __name__ == "__main__":
    _synth.main(DATASET_ID, __doc__.splitlines()[0], write)
