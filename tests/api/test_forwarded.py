"""X-Forwarded-* headers are believed from trusted proxies only (openroster.api.forwarded)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import BASE, client_for


def test_forwarded_host_port_and_proto_shape_hrefs(district_engine: sa.Engine) -> None:
    # The test client's address is "testclient": trust it explicitly, or trust everything.
    for trusted in ["testclient", "*"]:
        with client_for(district_engine, forwarded_allow_ips=trusted) as client:
            response = client.get(
                BASE + "/orgs/sch-1",
                headers={
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": "roster.example.org, inner.local",
                    "X-Forwarded-Port": "8443",
                },
            )
            assert (
                response.json()["org"]["parent"]["href"]
                == "https://roster.example.org:8443/ims/oneroster/v1p1/orgs/dist-1"
            )


def test_forwarded_headers_from_anyone_else_are_ignored(district_engine: sa.Engine) -> None:
    with client_for(district_engine, forwarded_allow_ips="10.1.2.3") as client:
        response = client.get(
            BASE + "/orgs/sch-1",
            headers={"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example.com"},
        )
        assert (
            response.json()["org"]["parent"]["href"]
            == "https://sis.example.org/ims/oneroster/v1p1/orgs/dist-1"
        )
