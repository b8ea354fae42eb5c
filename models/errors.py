"""The error tree of talentmatch.

Every failure the service reports to a caller is a :class:`TalentmatchError` with a stable,
machine-readable ``code`` and a human ``message``. The HTTP layer maps each class to a status
once (``service/errors.py``); the CLI prints the message and exits non-zero.

- ``TalentmatchError`` — base class.
  - ``InvalidInput`` (``invalid_input``) — a request or record that cannot be used as sent.
  - ``ParseError`` (``parse_error``) — a document that cannot be turned into text.
    - ``UnsupportedFormat`` (``unsupported_format``) — not a PDF, DOCX, TXT or MD file.
    - ``CorruptDocument`` (``corrupt_document``) — the file is damaged or truncated.
    - ``EncryptedDocument`` (``encrypted_document``) — a password-protected PDF or DOCX.
    - ``NoTextLayer`` (``no_text_layer``) — a PDF with pages but no text (a scan).
    - ``EmptyDocument`` (``empty_document``) — no text at all.
    - ``FileTooLarge`` (``file_too_large``) — over the configured size limit.
    - ``BadEncoding`` (``bad_encoding``) — text that is not in a supported encoding.
  - ``NotFound`` (``not_found``) — no such candidate (in the caller's tenant).
  - ``Unauthorized`` (``unauthorized``) — missing, unknown or revoked API key.
  - ``IndexMismatch`` (``index_mismatch``) — a vector index built with another model or
    dimension than the running encoder.
  - ``NotReady`` (``not_ready``) — the pool is still loading.
"""

from __future__ import annotations


class TalentmatchError(Exception):
    """Base class: a stable ``code`` and a human ``message``."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(TalentmatchError):
    code = "invalid_input"


class ParseError(TalentmatchError):
    code = "parse_error"


class UnsupportedFormat(ParseError):
    code = "unsupported_format"


class CorruptDocument(ParseError):
    code = "corrupt_document"


class EncryptedDocument(ParseError):
    code = "encrypted_document"


class NoTextLayer(ParseError):
    code = "no_text_layer"


class EmptyDocument(ParseError):
    code = "empty_document"


class FileTooLarge(ParseError):
    code = "file_too_large"


class BadEncoding(ParseError):
    code = "bad_encoding"


class DocumentTooComplex(ParseError):
    """Reading the document took more time or memory than one document may (a
    decompression bomb, a never-ending PDF)."""

    code = "document_too_complex"


class NotFound(TalentmatchError):
    code = "not_found"


class Unauthorized(TalentmatchError):
    code = "unauthorized"


class Forbidden(TalentmatchError):
    """A valid key without the scope the call needs (managing keys needs an admin key)."""

    code = "forbidden"


class IndexMismatch(TalentmatchError):
    code = "index_mismatch"


class NotReady(TalentmatchError):
    code = "not_ready"
