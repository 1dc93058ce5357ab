"""Mails in their recipient's language and time zone, through a real SMTP server: the subject and the
body of a reminder, a daily and a weekly digest, with money and dates as that language writes them."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency

from cxgov.notifications.jobs import run_job
from tests import factories as f

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # a Tuesday
MONDAY = datetime(2026, 6, 1, 8, tzinfo=UTC)


def _parts(message):
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def _plain(text):
    """White space as one space (CLDR puts no-break spaces in figures and dates)."""
    return " ".join(text.split())


def test_an_overdue_reminder_is_written_in_each_recipients_language(app, smtp):
    today = NOW.date()
    due_on = today - timedelta(days=3)
    with app.app_context():
        ana = f.create_user(name="Ana", language="pt_PT", timezone="Europe/Lisbon")
        ion = f.create_user(name="Ion", language="ro", timezone="Europe/Bucharest")
        f.create_action_item(ana, title="Rever o guião", due_on=due_on)
        f.create_action_item(ion, title="Revizuiește scriptul", due_on=due_on)
        assert run_job("action-item-reminders", NOW) == 2
        assert run_job("deliver-notifications", NOW) == 2
        [portuguese] = smtp.collector.to(ana.email)
        [romanian] = smtp.collector.to(ion.email)

    assert str(portuguese["Subject"]) == "Em atraso há 3 dias: Rever o guião"
    text = _plain(_parts(portuguese)["text/plain"].get_content())
    assert "Olá Ana," in text
    assert f"estava prevista para {format_date(due_on, 'medium', locale='pt_PT')}: está 3 dias em atraso." in text
    assert "07/03/2026" in text
    html = _parts(portuguese)["text/html"].get_content()
    assert '<html lang="pt-PT">' in html and "Conclua-a e marque-a como feita" in html

    assert str(romanian["Subject"]) == "Întârziat cu 3 zile: Revizuiește scriptul"
    text = _plain(_parts(romanian)["text/plain"].get_content())
    assert "Bună ziua, Ion," in text
    assert "era scadentă la 7 mar. 2026: este întârziată cu 3 zile." in text
    assert '<html lang="ro">' in _parts(romanian)["text/html"].get_content()


def test_a_meeting_reminder_gives_the_time_in_each_recipients_zone(app, smtp):
    starts_at = NOW + timedelta(hours=30)
    with app.app_context():
        committee = f.create_committee(chair_id=None)
        ana = f.create_user(language="pt_PT", timezone="Atlantic/Azores")
        ion = f.create_user(language="ro", timezone="Europe/Bucharest")
        for user in (ana, ion):
            f.add_committee_member(committee, user)
        f.create_meeting(committee, title="Comité de março", starts_at=starts_at)
        assert run_job("meeting-reminders", NOW) == 2
        assert run_job("deliver-notifications", NOW) == 2
        [portuguese] = smtp.collector.to(ana.email)
        [romanian] = smtp.collector.to(ion.email)

    assert str(portuguese["Subject"]) == "Lembrete: Comité de março"
    azores = starts_at.astimezone(ZoneInfo("Atlantic/Azores"))
    text = _plain(_parts(portuguese)["text/plain"].get_content())
    assert f"{format_time(azores, 'short', locale='pt_PT')} {azores.tzname()}" in text  # 12:00 -01
    assert "Ordem de trabalhos" in text
    bucharest = starts_at.astimezone(ZoneInfo("Europe/Bucharest"))
    text = _plain(_parts(romanian)["text/plain"].get_content())
    assert str(romanian["Subject"]) == "Memento: Comité de março"
    assert f"{format_time(bucharest, 'short', locale='ro')} {bucharest.tzname()}" in text  # 15:00 EET
    assert "Ordinea de zi" in text


def test_the_weekly_digest_speaks_each_readers_language_with_their_money_and_dates(app, smtp):
    with app.app_context():
        ana = f.create_user("executive", language="pt_PT", timezone="Europe/Lisbon")
        ion = f.create_user("cx_leader", language="ro", timezone="Europe/Bucharest")
        roi = f.create_initiative(status="in_progress")
        f.add_cash_flow(roi, "cost", year=0, amount="1234.5", basis="actual")
        f.add_cash_flow(roi, "benefit", year=1, amount="2500", basis="actual")
        f.create_action_item(title="Enviar o inquérito", due_on=MONDAY.date() - timedelta(days=1))
        assert run_job("weekly-digest", MONDAY) == 2
        assert run_job("deliver-notifications", MONDAY) == 2
        [portuguese] = smtp.collector.to(ana.email)
        [romanian] = smtp.collector.to(ion.email)

    assert str(portuguese["Subject"]) == "Governação de CX esta semana (2026-W23)"
    text = _plain(_parts(portuguese)["text/plain"].get_content())
    assert "Governação de CX na semana até 01/06/2026." in text
    assert "Ações de seguimento em atraso (1)" in text and "prevista para 31/05/2026" in text
    assert f"VA dos custos: {_plain(format_currency(1234.5, 'EUR', locale='pt_PT'))}" in text  # 1 234,50 €
    assert "1 234,50 €" in text

    assert str(romanian["Subject"]) == "Guvernanța CX săptămâna aceasta (2026-W23)"
    text = _plain(_parts(romanian)["text/plain"].get_content())
    assert "Guvernanța CX în săptămâna încheiată la 1 iun. 2026." in text
    assert f"VA a costurilor: {_plain(format_currency(1234.5, 'EUR', locale='ro'))}" in text
    assert "1.234,50 EUR" in text
    html = _parts(romanian)["text/html"].get_content()
    assert '<html lang="ro">' in html and "Cei mai activi ambasadori" in html


def test_the_daily_digest_gathers_reminders_in_the_readers_language(app, smtp):
    today = NOW.date()
    with app.app_context():
        ion = f.create_user(digest_preference="daily", language="ro", timezone="Europe/Bucharest")
        f.create_action_item(ion, title="Pregătește raportul", due_on=today + timedelta(days=1))
        assert run_job("action-item-reminders", NOW) == 1
        at_730 = NOW + timedelta(minutes=30)
        assert run_job("daily-digest", at_730) == 1
        assert run_job("deliver-notifications", at_730) == 1
        [digest] = smtp.collector.to(ion.email)

    assert str(digest["Subject"]) == "Mementourile tale cxgov din 10 mar. 2026 (1)"
    text = _plain(_parts(digest)["text/plain"].get_content())
    assert "=== Scadent mâine: Pregătește raportul ===" in text
    assert "acțiunea ta de urmărit \"Pregătește raportul\" este scadentă mâine, 11 mar. 2026." in text
