"""Public tracking pages of the carriers the default workflows offer."""

from __future__ import annotations

from urllib.parse import quote

TRACKING_URLS = {
    "colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "dhl": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "dpd": "https://www.dpd.com/tracking?parcelNumber={number}",
    "laposte": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "mondialrelay": "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition={number}",
}


def tracking_url(carrier: str, number: str) -> str:
    template = TRACKING_URLS.get(carrier.strip().lower())
    return template.format(number=quote(number)) if template else ""
