"""Reads an iCalendar file on stdin with python-icalendar (an independent parser, as Debian ships
it) and prints what it understood as JSON: the method, and per VEVENT the organizer, attendees
(with their CN), DTSTART with its TZID and instant, RRULE and the series' starts as dateutil expands
it in the event's zone, and the properties python-icalendar could not read. The test compares that
with what Onboard meant to write."""

import json
import sys
from datetime import timezone
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr


def person(prop):
    return {"value": str(prop), "cn": str(prop.params["CN"]) if "CN" in prop.params else None}


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def event_of(vevent):
    start = vevent.get("DTSTART")
    tzid = start.params.get("TZID") if start is not None else None
    out = {
        "uid": str(vevent.get("UID")),
        "summary": str(vevent.get("SUMMARY")),
        "status": str(vevent.get("STATUS")) if vevent.get("STATUS") is not None else None,
        "sequence": int(vevent.get("SEQUENCE", 0)),
        "organizer": person(vevent["ORGANIZER"]) if "ORGANIZER" in vevent else None,
        "attendees": [person(a) for a in as_list(vevent.get("ATTENDEE"))],
        "tzid": str(tzid) if tzid is not None else None,
        "errors": [[name, str(error)] for name, error in getattr(vevent, "errors", [])],
    }
    if start is not None:
        dt = start.dt
        out["dtstart_local"] = dt.strftime("%Y-%m-%dT%H:%M:%S")
        out["dtstart_utc"] = dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    rrule = vevent.get("RRULE")
    if rrule is not None and start is not None:
        text = rrule.to_ical().decode()
        out["rrule"] = text
        # Expanded in the event's zone by its wall time, as a calendar program does.
        local = start.dt.replace(tzinfo=None).replace(tzinfo=ZoneInfo(str(tzid)) if tzid else timezone.utc)
        starts = list(rrulestr(text, dtstart=local))[:500]
        out["starts"] = [s.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for s in starts]
    recurrence_id = vevent.get("RECURRENCE-ID")
    if recurrence_id is not None:
        out["recurrence_id"] = recurrence_id.dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def main():
    text = sys.stdin.buffer.read()
    calendar = icalendar.Calendar.from_ical(text)
    print(
        json.dumps(
            {
                "method": str(calendar.get("METHOD")),
                "errors": [[name, str(error)] for name, error in getattr(calendar, "errors", [])],
                "events": [event_of(v) for v in calendar.walk("VEVENT")],
            }
        )
    )


main()
