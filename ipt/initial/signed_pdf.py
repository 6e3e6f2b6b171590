"""The signed contract's PDF, rendered once and kept: what the patient took home, byte for byte.

A signed contract never changes (the database refuses it), so neither may its document: a PDF
rendered again later would carry whatever the templates, fonts or WeasyPrint say by then. The
bytes are stored with their SHA-256 at signing, in the same transaction as the signature, in an
append-only table (the database refuses any change or removal). A draft is rendered on demand.

If the render fails at signing, the signature is kept all the same (the render runs in a
savepoint, and its failure is logged): the PDF is then stored at its first download, as it is
for contracts signed before documents were stored. Either way it is rendered from the signed
terms, dated the day of the signature.
"""

import hashlib
import logging

from django.db import models, transaction
from django.utils import timezone

from ipt.accounts.triggers import append_only
from ipt.pdf import render_pdf

logger = logging.getLogger(__name__)


def render_contract_pdf(contract, request=None):
    """The contract's PDF; a signed one is dated as it was signed, a draft as it is printed."""
    course = contract.course
    context = {
        "course": course,
        "patient": course.patient,
        "therapist": course.therapist,
        "contract": contract,
    }
    if contract.is_signed:
        context["generated_at"] = timezone.localtime(contract.signed_at)
    return render_pdf("ipt/pdf/contract.html", context, request)


def sha256_of(chunks):
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


class SignedContractPdfQuerySet(models.QuerySet):
    def without_bytes(self):
        """What a page lists (fingerprint, size, date): never the documents themselves."""
        return self.defer("pdf")


class SignedContractPdf(models.Model):
    """The PDF of one signed contract version, as stored at signing (or first download)."""

    contract = models.OneToOneField(
        "ipt.TreatmentContract", on_delete=models.PROTECT, related_name="stored_pdf"
    )
    pdf = models.BinaryField()
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    stored_at = models.DateTimeField(default=timezone.now)

    objects = SignedContractPdfQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="stored_pdf_sha256_hex"
            )
        ]
        # IPT: the contract is what patient and therapist agreed; its document is kept as signed.
        triggers = append_only("Stored contract documents")

    def __str__(self):
        return f"{self.contract} (SHA-256 {self.sha256[:12]}…)"

    @classmethod
    def _insert(cls, contract, pdf):
        """Store ``pdf`` unless another request stored this version's first; return the row."""
        row = cls(contract=contract, pdf=pdf, sha256=sha256_of([pdf]), size=len(pdf))
        cls.objects.bulk_create([row], ignore_conflicts=True)
        return cls.objects.get(contract=contract)

    @classmethod
    def store_at_signing(cls, contract):
        """Render and store a version just signed, inside the signing transaction.

        A savepoint keeps a failed render (or insert) from undoing the signature: the failure
        is logged and the document is stored at its first download instead.
        """
        try:
            with transaction.atomic():
                return cls._insert(contract, render_contract_pdf(contract))
        except Exception:  # whatever WeasyPrint raises, the signature must stand
            logger.exception(
                "Could not store the PDF of %s (contract %s) at signing; it will be stored at "
                "its first download.",
                contract,
                contract.pk,
            )
            return None

    @classmethod
    def for_contract(cls, contract):
        """The stored document of a signed version, stored now if it has none yet."""
        assert contract.is_signed, "only a signed contract has a stored document"
        stored = cls.objects.filter(contract=contract).first()
        if stored is None:
            with transaction.atomic():
                stored = cls._insert(contract, render_contract_pdf(contract))
        return stored

    @classmethod
    def matching(cls, course, chunks):
        """``(stored, digest)``: the SHA-256 of the uploaded bytes, and the stored document of
        this course with exactly those bytes (or None). Only this course's documents are
        searched: a match elsewhere would tell the clinician about a patient not theirs."""
        digest = sha256_of(chunks)
        stored = cls.objects.without_bytes().filter(contract__course=course, sha256=digest)
        return stored.select_related("contract").first(), digest
