"""Cache-Control: no answer with personal data may be stored by a browser or a proxy."""

import pytest
from django.urls import resolve

from fupin.core.caching import STORABLE_ROUTES


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_of_a_logged_in_user_are_not_stored(client, sima_officer):
    client.force_login(sima_officer)
    for url in ("/", "/tokens/", "/password/", "/regions/"):
        assert no_store(client.get(url)), url


def test_api_answers_are_not_stored(api_as, sima_officer):
    client = api_as(sima_officer)
    assert no_store(client.get("/api/v1/me"))
    assert no_store(client.get("/api/v1/auth/tokens"))
    assert no_store(api_as().get("/api/v1/me"))  # 401 too


def test_errors_and_the_login_page_are_not_stored(client, sima_officer):
    assert no_store(client.get("/login/"))
    client.force_login(sima_officer)
    assert no_store(client.get("/no-such-page/"))


@pytest.mark.parametrize("url", ["/healthz", "/api/v1/openapi.json"])
def test_routes_without_personal_data_may_be_stored(client, jinxiang, url):
    response = client.get(url)
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def test_storable_routes_exist():
    resolved = {resolve(url).view_name for url in ("/healthz", "/api/v1/openapi.json", "/api/v1/docs")}
    assert resolved == STORABLE_ROUTES
