"""The sign-in sheet (签到册) of one occurrence, for the page, the printer and Excel.

Before the event it lists every registrant (代报名 included) with an empty signature column and
blank rows for walk-ins, to lay on the table at the door; after it, who came and when, and
which registrants did not come. A full phone number is shown only to the person, to staff whose
role covers the person's home village, and to admins; everyone else sees it masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from core import exports
from core.models.users import mask_phone
from core.permissions import can
from core.timeutil import to_local
from plugins.calendar import attendance, registration
from plugins.calendar.models import CalendarAttendance, CalendarEvent
from plugins.calendar.recurrence import Occurrence

BLANK_ROWS = 10


@dataclass(frozen=True)
class Row:
    number: int
    name: str = ""
    village: str = ""
    phone: str = ""
    note: str = ""
    checked_in: str = ""
    masked: bool = False

    def cells(self) -> list:
        return [self.number, self.name, self.village, self.phone, self.note, self.checked_in, ""]


@dataclass
class Sheet:
    rows: list[Row] = field(default_factory=list)
    registered: int = 0
    attended: int = 0
    after: bool = False  # the occurrence is over: absent registrants are marked

    @property
    def masked_some(self) -> bool:
        return any(row.masked for row in self.rows)


def headers() -> list[str]:
    return [_("序号"), _("姓名"), _("村/社区"), _("手机号"), _("备注"), _("签到时间"), _("签名")]


def may_see_full_phone(viewer, event: CalendarEvent, user) -> bool:
    """The person themself; staff whose role covers the person's home village; admins. People
    without an account (代报名, walk-ins) were typed in by the event's own staff."""
    if user is None:
        return can(viewer, "calendar.checkin", event)
    if viewer is not None and user.id == viewer.id:
        return True
    if user.home_unit_id is None:
        return can(viewer, "core.manage_users")
    return can(viewer, "calendar.checkin", user.home_unit_id)


def build(event: CalendarEvent, occ: Occurrence, viewer, want_full: bool, now: datetime) -> Sheet:
    """Registrants first (confirmed, then waiting), then people who came unregistered."""
    sheet = Sheet(after=occ.end <= now)
    attendances = attendance.occurrence_attendance(event.id, occ.original_start)
    by_user = {a.user_id: a for a in attendances if a.user_id}
    by_registration = {a.registration_id: a for a in attendances if a.registration_id}
    seen: set[int] = set()

    allowed: dict[object, bool] = {}  # one permission check per home village, not per row

    def may_see(user) -> bool:
        if user is not None and viewer is not None and user.id == viewer.id:
            return True
        key = "typed-in" if user is None else user.home_unit_id
        if key not in allowed:
            allowed[key] = may_see_full_phone(viewer, event, user)
        return allowed[key]

    def phone_of(user, raw: str | None) -> tuple[str, bool]:
        raw = raw or ""
        if raw and want_full and may_see(user):
            return raw, False
        return mask_phone(raw), bool(raw) and want_full

    def came(att: CalendarAttendance | None) -> str:
        if att is not None and not att.revoked:
            time = to_local(att.created_at).strftime("%m-%d %H:%M")
            return time + (" " + _("（补录）") if att.late_reason else "")
        if att is not None:
            return _("签到已撤销")
        return _("未到") if sheet.after else ""

    for reg in registration.occurrence_registrations(event.id, occ.original_start):
        att = by_user.get(reg.user_id) if reg.user_id else by_registration.get(reg.id)
        if att is not None:
            seen.add(att.id)
        user = reg.user
        phone, masked = phone_of(user, user.phone if user else reg.proxy_phone)
        notes = []
        if not reg.user_id:
            notes.append(_("代报名"))
        if reg.status == "waiting":
            notes.append(_("候补"))
        sheet.rows.append(
            Row(
                len(sheet.rows) + 1,
                reg.person_name,
                reg.village_name,
                phone,
                "、".join(notes),
                came(att),
                masked,
            )
        )
        sheet.registered += 1
    for att in attendances:
        if att.id in seen or att.revoked:
            continue
        user = att.user
        phone, masked = phone_of(user, user.phone if user else att.walk_in_phone)
        village = user.home_unit.name if user and user.home_unit else _("现场登记")
        note = _("未报名，扫码签到") if att.method == "qr" else _("现场签到")
        sheet.rows.append(
            Row(len(sheet.rows) + 1, att.person_name, village, phone, note, came(att), masked)
        )
    sheet.attended = sum(1 for a in attendances if not a.revoked)
    if not sheet.after:
        start = len(sheet.rows) + 1
        sheet.rows.extend(Row(number) for number in range(start, start + BLANK_ROWS))
    return sheet


def xlsx(event: CalendarEvent, occ: Occurrence, sheet: Sheet) -> bytes:
    """The sheet as an A4 workbook; every cell written as plain text or a number."""
    book = Workbook()
    ws = book.active
    ws.title = "签到册"
    when = to_local(occ.start).strftime("%Y-%m-%d %H:%M")
    lines = [
        [f"{occ.title} 签到册"],
        [f"时间：{when}　地点：{occ.venue}　主办：{occ.org_unit_name}"],
        headers(),
    ]
    lines += [row.cells() for row in sheet.rows]
    lines.append([_("报名 %(r)s 人，签到 %(a)s 人", r=sheet.registered, a=sheet.attended)])
    thin = Side(style="thin")
    for row_number, values in enumerate(lines, start=1):
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row_number, column=column)
            cell.value = value  # plain text whatever it starts with: see core.exports
            if 3 <= row_number < len(lines):
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
                cell.alignment = Alignment(vertical="center")
        if row_number == 3:
            for cell in ws[row_number]:
                cell.font = Font(bold=True)
        if row_number > 3:
            ws.row_dimensions[row_number].height = 26  # room to sign
    for column, width in zip("ABCDEFG", (6, 12, 12, 14, 14, 14, 16), strict=True):
        ws.column_dimensions[column].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "3:3"
    return exports.xlsx_bytes(book)
