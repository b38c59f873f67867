"""Links for what leaves the site: the subscriber's shipment page (the QR code on a packing slip, the link
in a shipped or delivered notice) and the courier's tracking page."""

from django.conf import settings
from django.urls import reverse


def shipment_status_url(*, municipality_slug: str, shipment_id: int) -> str:
    return settings.SITE_URL + reverse(
        "delivery:my-shipment", kwargs={"municipality_slug": municipality_slug, "shipment_id": shipment_id}
    )


# Each courier's public tracking page for one waybill number, by the name delivery.courier stores.
TRACKING_URLS: dict[str, str] = {
    "CJ대한통운": "https://trace.cjlogistics.com/next/tracking.html?wblNo={number}",
    "한진택배": "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2={number}",
    "롯데택배": "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={number}",
    "우체국택배": "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={number}",
    "로젠택배": "https://www.ilogen.com/web/personal/trace/{number}",
}


def tracking_url(courier: str, tracking_number: str) -> str:
    """The courier's tracking page for `tracking_number`, or "" when there is none."""
    template = TRACKING_URLS.get(courier)
    return template.format(number=tracking_number) if template and tracking_number else ""
