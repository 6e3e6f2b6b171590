"""A referral received as a FHIR R4 Patient resource (JSON), read into the patient record's
fields: what the record keeps, what it has no place for, and every reason the file cannot be
used, in words for whoever sends the file back to the referrer.

Nothing in the file is changed on the way in: a value the record cannot hold as it is (a
birth date without its day, a name longer than the field) is refused with the reason, never
shortened or guessed; what the record has no field for is listed, and the file itself is kept
beside the record, byte for byte (patients.models.ImportedReferral).
"""

import json
from dataclasses import dataclass, field
from datetime import date

from fhir.resources.R4B.patient import Patient as FhirPatient
from pydantic import ValidationError

MAX_BYTES = 200_000  # a Patient resource is a few kilobytes; anything larger is not one

# The identifier systems a clinician recognises, by name.
IDENTIFIER_NAMES = {
    "https://fhir.nhs.uk/Id/nhs-number": "NHS number",
    "http://hl7.org/fhir/sid/us-ssn": "US social security number",
}
# The elements of a Patient the record's fields take (the rest are listed as left out).
READ = {"resourceType", "id", "meta", "text", "identifier", "name", "birthDate", "telecom"}
READ |= {"address", "contact"}
EMERGENCY = {"C", "EP"}  # v2-0131: emergency contact, emergency contact person


class ReferralError(ValueError):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass
class Referral:
    text: str  # the file as uploaded
    fields: dict  # the patient record's fields, from the file
    identifiers: list  # (system, value)
    left_out: list = field(default_factory=list)  # what the record has no field for

    def identifier_labels(self):
        return [f"{IDENTIFIER_NAMES.get(s, s)}: {v}" for s, v in self.identifiers]


def _name_text(name):
    if name.get("text"):
        return name["text"]
    return " ".join(
        [*name.get("prefix", []), *name.get("given", []), name.get("family", "")]
    ).strip()


def _pick_name(names):
    for use in ("official", "usual", None):
        for name in names:
            if (use is None or name.get("use") == use) and _name_text(name):
                return name
    return None


def _telecoms(telecom, system):
    ranked = sorted(
        (t for t in telecom if t.get("system") == system and t.get("value")),
        key=lambda t: (t.get("rank", 1_000_000), t.get("use") != "mobile"),
    )
    return [t["value"] for t in ranked]


def _address(address):
    if address.get("text"):
        return address["text"]
    parts = [*address.get("line", []), address.get("city"), address.get("district")]
    parts += [address.get("postalCode"), address.get("country")]
    return "\n".join(p for p in parts if p)


def _contact(contacts):
    """The emergency contact: one so coded, else the first. (name, relationship, phone)."""

    def codes(contact):
        return {c.get("code") for r in contact.get("relationship", []) for c in r.get("coding", [])}

    chosen = next((c for c in contacts if codes(c) & EMERGENCY), contacts[0] if contacts else None)
    if chosen is None:
        return None, "", "", []
    relationship = [
        r.get("text")
        or next((c.get("display") for c in r.get("coding", []) if c.get("display")), "")
        for r in chosen.get("relationship", [])
        if not ({c.get("code") for c in r.get("coding", [])} & EMERGENCY) or r.get("text")
    ]
    phones = _telecoms(chosen.get("telecom", []), "phone")
    others = [c for c in contacts if c is not chosen]
    return chosen, ", ".join(r for r in relationship if r), phones[0] if phones else "", others


def _validation_problems(error):
    problems = []
    for e in error.errors()[:10]:
        where = ".".join(str(part) for part in e["loc"]) or "the resource"
        problems.append(f"{where}: {e['msg'].split('.')[0]}.")
    if len(error.errors()) > 10:
        problems.append(f"and {len(error.errors()) - 10} more problems.")
    return problems


def read_referral(raw: bytes) -> Referral:
    """The referral in this upload, or ``ReferralError`` with every reason it cannot be used."""
    if not raw:
        raise ReferralError(["The file is empty."])
    if len(raw) > MAX_BYTES:
        raise ReferralError(
            [f"The file is larger than {MAX_BYTES // 1000} kB: it is not a Patient resource."]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferralError(
            ["The file is not text in UTF-8: export it again as FHIR JSON."]
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferralError(
            [
                f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
            ]
        ) from None
    if not isinstance(data, dict):
        raise ReferralError(
            ["The file holds JSON but not a FHIR resource (an object with a resourceType)."]
        )
    kind = data.get("resourceType")
    if kind != "Patient":
        said = f"a {kind}" if isinstance(kind, str) and kind else "no resourceType"
        raise ReferralError(
            [
                f"The file holds {said}, not a Patient resource: ask for the patient's FHIR Patient resource alone."
            ]
        )
    try:
        FhirPatient.model_validate(data)
    except ValidationError as error:
        raise ReferralError(
            ["The file is not a valid FHIR R4 Patient:", *_validation_problems(error)]
        ) from None
    return _fields(text, data)


def _fields(text, data):
    problems, left_out = [], []
    name = _pick_name(data.get("name", []))
    if name is None:
        problems.append("The Patient has no name: the record needs the patient's full name.")
    born = data.get("birthDate")
    dob = None
    if not born:
        problems.append("The Patient has no birthDate: the record needs the date of birth.")
    elif len(born) != 10:
        problems.append(
            f"The birthDate is {born}, without the day: the record needs the full date of birth."
        )
    else:
        dob = date.fromisoformat(born)
    if problems:
        raise ReferralError(problems)
    names = data.get("name", [])
    preferred = next(
        (n for n in names if n.get("use") in ("usual", "nickname") and n is not name), None
    )
    for other in names:
        if other is not name and other is not preferred:
            left_out.append(f"Another name: {_name_text(other) or '(empty)'}")
    telecom = data.get("telecom", [])
    phones, emails = _telecoms(telecom, "phone"), _telecoms(telecom, "email")
    left_out += [f"Another phone number: {p}" for p in phones[1:]]
    left_out += [f"Another email address: {e}" for e in emails[1:]]
    addresses = data.get("address", [])
    left_out += [f"Another address: {_address(a)}" for a in addresses[1:]]
    contact, relationship, contact_phone, others = _contact(data.get("contact", []))
    left_out += [f"Another contact: {_name_text(c.get('name', {})) or '(no name)'}" for c in others]
    for key in sorted(set(data) - READ):
        left_out.append(f"{key}: {json.dumps(data[key], ensure_ascii=False)[:200]}")
    fields = {
        "full_name": _name_text(name),
        "preferred_name": (preferred.get("given") or [_name_text(preferred)])[0]
        if preferred
        else "",
        "date_of_birth": dob,
        "phone": phones[0] if phones else "",
        "email": emails[0] if emails else "",
        "address": _address(addresses[0]) if addresses else "",
    }
    if contact is not None:
        fields["emergency_contact_name"] = _name_text(contact.get("name", {}))
        fields["emergency_contact_relationship"] = relationship
        fields["emergency_contact_phone"] = contact_phone
    identifiers = [
        (i["system"], i["value"])
        for i in data.get("identifier", [])
        if i.get("system") and i.get("value")
    ]
    left_out += [
        f"An identifier without its system: {i['value']}"
        for i in data.get("identifier", [])
        if i.get("value") and not i.get("system")
    ]
    return Referral(
        text=text,
        fields={k: v for k, v in fields.items() if v not in ("", None)},
        identifiers=identifiers,
        left_out=left_out,
    )
