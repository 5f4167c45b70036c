"""Demo offices and one account per role, with documented passwords (README, docs/workbench.md).

The passwords are public by design: they exist only in demo databases created by `corridor demo setup`.
The office codes are the ones the demo data generator writes into consignments.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.accounts.models import UserRow
from corridor.accounts.service import NewUser, create_user, ensure_agency, upsert_office

DEMO_AGENCY = ("AZ-SCS", "State Customs Committee of the Republic of Azerbaijan")


@dataclass(frozen=True, slots=True)
class DemoOffice:
    code: str
    kind: str
    locode: str
    capacity: int
    en: str
    ru: str
    az: str


DEMO_OFFICES = (
    DemoOffice(
        "AZ-ALAT-PCU",
        "pcu",
        "AZALA",
        25,
        "Port Control Unit, Baku Sea Port (Alat)",
        "Группа портового контроля, Бакинский морской порт (Алят)",
        "Liman Nəzarət Qrupu, Bakı Dəniz Limanı (Ələt)",
    ),
    DemoOffice(
        "AZ-ASTARA-BP",
        "border_post",
        "AZAST",
        15,
        "Astara border post (Iran)",
        "Пограничный пост Астара (Иран)",
        "Astara sərhəd postu (İran)",
    ),
    DemoOffice(
        "AZ-YALAMA-BP",
        "border_post",
        "AZYAL",
        15,
        "Yalama border post (Russia)",
        "Пограничный пост Ялама (Россия)",
        "Yalama sərhəd postu (Rusiya)",
    ),
    DemoOffice(
        "AZ-REDBRIDGE-BP",
        "border_post",
        "AZKAZ",
        10,
        "Red Bridge border post (Georgia)",
        "Пограничный пост Красный мост (Грузия)",
        "Qırmızı Körpü sərhəd postu (Gürcüstan)",
    ),
    DemoOffice(
        "AZ-BOYUKKESIK-RW",
        "rail",
        "AZAGS",
        8,
        "Boyuk Kesik rail border post (Georgia)",
        "Железнодорожный пост Беюк-Кесик (Грузия)",
        "Böyük Kəsik dəmir yolu postu (Gürcüstan)",
    ),
    DemoOffice(
        "AZ-BAKU-AIR",
        "airport",
        "AZGYD",
        20,
        "Air cargo terminal, Heydar Aliyev Airport",
        "Грузовой терминал, аэропорт им. Гейдара Алиева",
        "Yük terminalı, Heydər Əliyev Hava Limanı",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    role: str
    name: str
    offices: tuple[str, ...]
    locale: str = "en"


DEMO_ACCOUNTS = (
    DemoAccount("officer", "corridor-officer", "targeting_officer", "Leyla Mammadova", ("AZ-ALAT-PCU",)),
    DemoAccount(
        "officer.ru", "corridor-officer", "targeting_officer", "Анна Смирнова", ("AZ-ALAT-PCU",), "ru"
    ),
    DemoAccount("astara", "corridor-astara", "targeting_officer", "Rashad Aliyev", ("AZ-ASTARA-BP",)),
    DemoAccount("analyst", "corridor-analyst", "risk_analyst", "Elvin Huseynov", ()),
    DemoAccount(
        "liaison", "corridor-liaison", "liaison_officer", "Nigar Guliyeva", ("AZ-ALAT-PCU", "AZ-BAKU-AIR")
    ),
    DemoAccount("supervisor", "corridor-supervisor", "supervisor", "Farid Karimov", ()),
    DemoAccount("admin", "corridor-admin", "administrator", "System Administrator", ()),
)


def create_demo_accounts(engine: Engine) -> list[DemoAccount]:
    """Offices and accounts of the demo; existing ones are kept (running set-up twice is harmless)."""
    created: list[DemoAccount] = []
    with Session(engine, expire_on_commit=False) as session:
        agency = ensure_agency(session, *DEMO_AGENCY)
        for o in DEMO_OFFICES:
            upsert_office(
                session,
                code=o.code,
                agency=agency,
                name_en=o.en,
                name_ru=o.ru,
                name_az=o.az,
                kind=o.kind,
                locode=o.locode,
                daily_capacity=o.capacity,
            )
        session.commit()
        existing = set(session.scalars(select(UserRow.username)))
        for account in DEMO_ACCOUNTS:
            if account.username in existing:
                continue
            create_user(
                session,
                NewUser(
                    username=account.username,
                    password=account.password,
                    role=account.role,
                    agency=agency.code,
                    offices=account.offices,
                    display_name=account.name,
                    locale=account.locale,
                ),
            )
            created.append(account)
    return created
