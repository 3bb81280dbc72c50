"""Which digital signatures an issued document needs, in which order (pure rules).

- An electronic document is valid only signed (Law on E-Transactions 2023 Art. 22–23; Decree
  45/2020/NĐ-CP Art. 25 for the electronic result of a procedure): a paper dossier (channel 1
  or 3) gets unsigned PDFs and no form of it claims a digital signature.
- The result: the competent person signs first (personal certificate), then the clerk's issuing
  step (vào số, đóng dấu) adds the agency's signature, which stands for its seal (Decree
  30/2020/NĐ-CP Art. 13(1)(b) and Appendix I part II: the agency's digital signature is applied
  after the signer's, its image the seal overlapping the signer's image on the left). The
  placement detail of Appendix I was not checked against the gazette text here.
- The desk's forms (01 receipt, 02 supplement request, 03 refusal, stop notice) of an electronic
  dossier are signed with the issuing desk's seal certificate (issue 11); the apology (04) and any
  other form with the seal of the agency that issues it.
"""
from __future__ import annotations

from app.domain.vocabulary import Channel, Vocabulary


class SignatureRole(Vocabulary):
    """Whose signature: the competent person's (personal certificate) or the agency's (its seal)."""

    PERSONAL = "personal", "Chữ ký số của người có thẩm quyền"
    SEAL = "seal", "Chữ ký số của cơ quan (dấu)"


PERSONAL, SEAL = SignatureRole.PERSONAL, SignatureRole.SEAL


def required_signatures(kind: str, electronic: bool) -> tuple[str, ...]:
    """The signatures `kind` needs, in the order they are applied; () for a paper dossier."""
    if not electronic:
        return ()
    return (PERSONAL, SEAL) if kind == "result" else (SEAL,)


def is_electronic(channel: int) -> bool:
    """An online dossier's documents are electronic (signed); a paper dossier's are not."""
    return channel == Channel.ONLINE
