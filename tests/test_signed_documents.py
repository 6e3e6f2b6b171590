"""A signed contract's PDF is rendered once, at signing, and stored with its SHA-256; the PDF view
serves those bytes ever after, a failed render never costs the signature, and a copy can be
verified against the stored documents of its course."""

import hashlib
from datetime import timedelta

import pgtrigger
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InternalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from ipt.initial import signed_pdf
from ipt.models import SignedContractPdf, TreatmentContract
from tests.factories import ContractFactory, CourseFactory, PatientFactory, SuitabilityFactory
from tests.test_pdf import pdf_text

TODAY = timezone.localdate()


@pytest.fixture
def draft(patient):
    course = CourseFactory(patient=patient)
    SuitabilityFactory(course=course)
    return ContractFactory(course=course)


def sign(contract, therapist):
    contract.sign(
        patient_name=contract.course.patient.full_name,
        patient_date=TODAY - timedelta(days=1),
        therapist=therapist,
        therapist_date=TODAY,
    )
    return contract


def pdf_url(contract):
    return reverse(
        "course:contract_pdf", kwargs={"pk": contract.course_id, "version": contract.version}
    )


def test_signing_stores_the_pdf_with_its_sha256(draft, owner):
    sign(draft, owner)

    stored = SignedContractPdf.objects.get(contract=draft)
    pdf = bytes(stored.pdf)
    assert pdf.startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored.size == len(pdf)
    text = " ".join(pdf_text(pdf).split())
    assert f"Document {draft.document_reference}" in text
    assert draft.patient_signed_name in text


def test_signed_pdf_is_served_byte_for_byte_with_the_same_headers(client_for, owner, draft):
    sign(draft, owner)
    stored = bytes(SignedContractPdf.objects.get(contract=draft).pdf)

    response = client_for(owner).get(pdf_url(draft))

    assert response.status_code == 200
    assert response.content == stored
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="treatment-contract-v1.pdf"'
    assert response["Cache-Control"] == "no-store"


def test_signed_pdf_is_not_rendered_again(client_for, owner, draft, monkeypatch):
    sign(draft, owner)

    def no_render(*args, **kwargs):
        raise AssertionError("a signed contract's PDF was rendered again")

    monkeypatch.setattr(signed_pdf, "render_pdf", no_render)
    assert client_for(owner).get(pdf_url(draft)).status_code == 200


def test_a_later_change_of_template_does_not_change_the_signed_document(
    client_for, owner, draft, monkeypatch
):
    sign(draft, owner)
    real = signed_pdf.render_pdf
    monkeypatch.setattr(
        signed_pdf, "render_pdf", lambda *a, **kw: real(*a, **kw) + b"% a newer template\n"
    )

    served = client_for(owner).get(pdf_url(draft)).content

    assert served == bytes(SignedContractPdf.objects.get(contract=draft).pdf)
    assert b"a newer template" not in served


def test_a_draft_is_rendered_on_demand_and_not_stored(client_for, owner, draft):
    response = client_for(owner).get(pdf_url(draft))

    assert "DRAFT" in pdf_text(response.content)
    assert not SignedContractPdf.objects.exists()


def test_a_failed_render_keeps_the_signature_and_stores_at_first_download(
    client_for, owner, draft, monkeypatch, caplog
):
    real = signed_pdf.render_pdf

    def broken(*args, **kwargs):
        raise OSError("fonts missing")

    monkeypatch.setattr(signed_pdf, "render_pdf", broken)
    sign(draft, owner)

    draft.refresh_from_db()
    assert draft.is_signed
    assert not SignedContractPdf.objects.filter(contract=draft).exists()
    assert "will be stored at its first download" in caplog.text

    monkeypatch.setattr(signed_pdf, "render_pdf", real)
    first = client_for(owner).get(pdf_url(draft))
    stored = SignedContractPdf.objects.get(contract=draft)
    assert first.content == bytes(stored.pdf)
    assert client_for(owner).get(pdf_url(draft)).content == first.content


def test_a_failed_insert_at_signing_rolls_back_to_the_signature_only(draft, owner, monkeypatch):
    """A database error while storing (not only a render error) leaves the transaction usable."""

    def refused(cls, contract, pdf):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1/0")

    monkeypatch.setattr(SignedContractPdf, "_insert", classmethod(refused))
    sign(draft, owner)

    assert TreatmentContract.objects.get(pk=draft.pk).is_signed


def test_a_contract_signed_before_documents_were_stored_gets_one_at_first_download(
    client_for, owner, supervisor, draft
):
    """As in a database from before: signed, no stored document (now as the table's owner)."""
    sign(draft, owner)
    with pgtrigger.ignore("ipt.SignedContractPdf:append_only_delete"):
        SignedContractPdf.objects.filter(contract=draft).delete()

    # The supervisor reads it first: the document is stored from the signed terms all the same.
    response = client_for(supervisor).get(pdf_url(draft))

    stored = SignedContractPdf.objects.get(contract=draft)
    assert response.content == bytes(stored.pdf)
    text = " ".join(pdf_text(response.content).split())
    assert f"Signed {draft.patient_signed_on:%-d %B %Y}" in text


def test_the_stored_document_cannot_be_changed_or_deleted(draft, owner):
    sign(draft, owner)
    stored = SignedContractPdf.objects.filter(contract=draft)

    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        stored.update(pdf=b"%PDF-forged")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        stored.delete()
    assert bytes(stored.get().pdf).startswith(b"%PDF-")


def test_the_contract_page_shows_the_sha256_beside_the_signed_version(client_for, owner, draft):
    sign(draft, owner)
    sha = SignedContractPdf.objects.get(contract=draft).sha256

    html = client_for(owner).get(reverse("course:contract", args=[draft.course_id])).text

    assert sha in html
    assert draft.document_reference in html
    assert "Verify a copy" in html


def _verify(client, course, content, name="copy.pdf"):
    return client.post(
        reverse("course:contract_verify", args=[course.pk]),
        {"copy": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_verifying_an_exact_copy_names_the_version(client_for, supervisor, draft, owner):
    sign(draft, owner)
    copy = client_for(owner).get(pdf_url(draft)).content

    response = _verify(client_for(supervisor), draft.course, copy)

    assert response.status_code == 200
    assert "It matches." in response.text
    assert "exactly version 1 as signed" in response.text


def test_verifying_a_changed_copy_says_it_does_not_match(client_for, owner, draft):
    sign(draft, owner)
    copy = client_for(owner).get(pdf_url(draft)).content

    response = _verify(client_for(owner), draft.course, copy + b"\n")

    assert "It does not match" in response.text
    assert hashlib.sha256(copy + b"\n").hexdigest() in response.text


def test_verifying_searches_only_the_course_asked_about(client_for, owner, draft):
    """A copy of another patient's contract is no match here: nothing leaks across courses."""
    sign(draft, owner)
    copy = client_for(owner).get(pdf_url(draft)).content
    other = CourseFactory(patient=PatientFactory(therapist=owner))
    SuitabilityFactory(course=other)
    sign(ContractFactory(course=other), owner)

    assert "It does not match" in _verify(client_for(owner), other, copy).text


def test_verifying_needs_a_file(client_for, owner, draft):
    sign(draft, owner)

    response = client_for(owner).post(reverse("course:contract_verify", args=[draft.course_id]))

    assert response.status_code == 200
    assert "This field is required" in response.text


def test_strangers_cannot_verify_against_a_course(client_for, stranger, draft, owner):
    sign(draft, owner)

    assert _verify(client_for(stranger), draft.course, b"%PDF-").status_code == 404
