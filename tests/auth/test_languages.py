"""Choosing a language and a time zone: on the account page, on the API's own account, and at the
first sign-in (the browser's language and time zone)."""
from datetime import datetime, timezone

import pytest

from cxgov.extensions import db
from cxgov.models import User
from tests import factories
from tests.conftest import csrf_token


def _person(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.language, user.timezone


# -- the account page ------------------------------------------------------------------------------

def test_the_account_page_offers_the_four_languages_in_their_own_names_and_the_time_zones(page_as):
    html = page_as("member").get("/account").get_data(as_text=True)
    for code, name in (("en", "English"), ("pt_PT", "Português (Portugal)"), ("pt_BR", "Português (Brasil)"),
                       ("ro", "Română")):
        assert f'value="{code}"' in html and name in html
    assert 'lang="pt-PT"' in html  # each language's name is marked as written in it
    assert '<option value="Europe/Lisbon"' in html and '<option value="America/Sao_Paulo"' in html
    assert '<optgroup label="Europe">' in html


def test_saving_a_language_and_a_time_zone_turns_the_next_page_into_them(app, page_as):
    client = page_as("member")
    token = csrf_token(client, "/account")
    response = client.post("/account/language", data={"csrf_token": token, "language": "pt_PT",
                                                      "timezone": "Europe/Lisbon"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert _person(app, client.user_id) == ("pt_PT", "Europe/Lisbon")
    html = client.get("/account").get_data(as_text=True)
    assert '<html lang="pt-PT">' in html
    assert "Definições da conta" in html and "Terminar sessão" in html
    assert "Guardado: as páginas e os e-mails estão agora em Português (Portugal), com as horas em Europe/Lisbon." \
        in html
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="pt-PT">' in home and "Início" in home

    token = csrf_token(client, "/account")
    client.post("/account/language", data={"csrf_token": token, "language": "ro", "timezone": "Europe/Bucharest"})
    html = client.get("/account").get_data(as_text=True)
    assert '<html lang="ro">' in html and "Setările contului" in html
    assert 'value="Europe/Bucharest" selected' in html and 'value="ro" lang="ro" selected' in html


def test_a_time_zone_not_on_the_list_is_refused_with_a_message_next_to_it(app, page_as):
    client = page_as("member", language="ro")
    token = csrf_token(client, "/account")
    response = client.post("/account/language", data={"csrf_token": token, "language": "ro",
                                                      "timezone": "Mars/Olympus_Mons"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="account-timezone-error"' in html
    assert "Alege fusul tău orar din listă." in html
    assert _person(app, client.user_id) == ("ro", None)


def test_a_language_not_on_the_list_is_refused(app, page_as):
    client = page_as("member")
    token = csrf_token(client, "/account")
    response = client.post("/account/language", data={"csrf_token": token, "language": "de",
                                                      "timezone": "Europe/Berlin"})
    assert response.status_code == 422
    assert "Choose your language from the list." in response.get_data(as_text=True)
    assert _person(app, client.user_id) == (None, None)


def test_times_are_shown_in_the_chosen_time_zone(app, page_as):
    client = page_as("admin", language="en", timezone="America/Sao_Paulo")
    with app.app_context():
        other = factories.create_user(name="Ana Lima")
        other.last_login_at = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)
        db.session.commit()
        other_id = other.id
    html = client.get(f"/admin/users/{other_id}").get_data(as_text=True)
    assert "1 Jul 2026, 09:00" in html  # 12:00 UTC is 09:00 in São Paulo


# -- the API: the person's own account ---------------------------------------------------------------

def test_the_api_reads_and_changes_language_and_time_zone_of_ones_own_account(login_as):
    api = login_as("member")
    me = api.get("/api/users/me")
    assert me.json["language"] is None and me.json["timezone"] is None
    changed = api.patch("/api/users/me", json={"language": "pt_BR", "timezone": "America/Sao_Paulo"},
                        headers={"If-Match": me.headers["ETag"]})
    assert changed.status_code == 200, changed.json
    assert (changed.json["language"], changed.json["timezone"]) == ("pt_BR", "America/Sao_Paulo")
    back = api.patch("/api/users/me", json={"language": None, "timezone": None},
                     headers={"If-Match": changed.headers["ETag"]})
    assert (back.json["language"], back.json["timezone"]) == (None, None)


@pytest.mark.parametrize("body, field", [({"language": "de"}, "language"), ({"timezone": "Europe/Nowhere"}, "timezone"),
                                         ({"language": 3}, "language")])
def test_the_api_refuses_an_unknown_language_or_time_zone_as_a_problem(login_as, body, field):
    api = login_as("member")
    me = api.get("/api/users/me")
    response = api.patch("/api/users/me", json=body, headers={"If-Match": me.headers["ETag"]})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == [field]


def test_the_openapi_description_documents_language_and_time_zone(login_as):
    spec = login_as("member").get("/api/openapi.json").json
    schemas = spec["components"]["schemas"]
    me_update = next(s for name, s in schemas.items() if name.startswith("MeUpdate"))
    assert me_update["properties"]["language"]["enum"][:4] == ["en", "pt_PT", "pt_BR", "ro"]
    assert "IANA" in me_update["properties"]["timezone"]["description"]


# -- problem+json in the language the request asks for ----------------------------------------------

def test_problem_details_are_english_unless_the_request_asks_for_another_language(login_as):
    api = login_as("member")
    me = api.get("/api/users/me")
    english = api.patch("/api/users/me", json={"name": ""}, headers={"If-Match": me.headers["ETag"]})
    assert english.json["title"] == "Unprocessable Entity"
    assert english.json["errors"] == {"name": ["Length must be between 1 and 120."]}
    portuguese = api.patch("/api/users/me", json={"name": "", "digest_preference": "hourly", "nope": 1},
                           headers={"If-Match": me.headers["ETag"], "Accept-Language": "pt-PT"})
    assert portuguese.json["title"] == "Conteúdo não processável"
    assert portuguese.json["detail"] == "O pedido tem campos inválidos."
    assert portuguese.json["errors"]["name"] == ["O comprimento tem de estar entre 1 e 120."]
    assert portuguese.json["errors"]["digest_preference"] == ["Tem de ser um de: immediate, daily."]
    assert portuguese.json["errors"]["nope"] == ["Campo desconhecido."]
    romanian = api.get("/api/users/not-a-number", headers={"Accept-Language": "ro"})
    assert romanian.json["title"] == "Negăsit"


def test_a_missing_field_and_a_wrong_type_are_translated_with_their_field_names_kept(login_as):
    api = login_as("admin")
    response = api.post("/api/departments", json={"code": 7}, headers={"Accept-Language": "ro-RO,ro;q=0.9"})
    assert response.status_code == 422
    assert response.json["errors"] == {"name": ["Lipsește valoarea pentru acest câmp obligatoriu."],
                                       "code": ["Nu este un text valid."]}


# -- the first sign-in -------------------------------------------------------------------------------

def test_the_first_sign_in_keeps_the_browsers_language_and_time_zone(app, client):
    with app.app_context():
        user = factories.create_user()
        email, user_id = user.email, user.id
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": factories.PASSWORD,
                                           "timezone": "Europe/Bucharest"},
                           headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert _person(app, user_id) == ("ro", "Europe/Bucharest")
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ro">' in home  # the account's language, not the browser's of the moment


def test_a_later_sign_in_keeps_what_the_person_chose_and_ignores_a_bad_zone(app, client):
    with app.app_context():
        user = factories.create_user(language="pt_BR")
        email, user_id = user.email, user.id
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": email, "password": factories.PASSWORD,
                                "timezone": "Not/AZone"}, headers={"Accept-Language": "ro"})
    assert _person(app, user_id) == ("pt_BR", None)


def test_a_browser_asking_for_no_known_language_gets_the_deployments(app, client):
    with app.app_context():
        user = factories.create_user()
        email, user_id = user.email, user.id
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": email, "password": factories.PASSWORD},
                headers={"Accept-Language": "de-DE"})
    assert _person(app, user_id) == ("en", None)


def test_the_sign_in_page_carries_the_time_zone_field_and_its_same_origin_script(client):
    html = client.get("/login", headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert '<html lang="pt-BR">' in html and "Entrar" in html
    assert 'name="timezone" id="browser-timezone"' in html
    assert '<script src="/static/timezone.js" defer></script>' in html
    assert "resolvedOptions().timeZone" in client.get("/static/timezone.js").get_data(as_text=True)


def test_a_browser_in_utc_under_another_name_gets_utc(app, client):
    with app.app_context():
        user = factories.create_user()
        email, user_id = user.email, user.id
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": email, "password": factories.PASSWORD,
                                "timezone": "Etc/UTC"}, headers={"Accept-Language": "pt-BR"})
    assert _person(app, user_id) == ("pt_BR", "UTC")
