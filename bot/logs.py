"""Secrets (the Discord token) masked as *** in every log record, whichever logger or handler it reaches.

`install_redaction(token)` puts the masking where every record passes:

- a log record factory, so each record is masked when it is made: its message, its stack and its whole
  formatted traceback, chained and context exceptions included. Handlers added later, to any logger,
  only ever see masked records;
- a filter on the root logger's handlers, for records made elsewhere (`logging.makeLogRecord`);
- `logging.captureWarnings(True)`, so `warnings` become log records too and are masked the same way.

A traceback that carries a secret keeps its text, masked, in `exc_text` (its `exc_info` is dropped so no
formatter can print the original again).
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

MASK = "***"
_secrets: list[str] = []
_base_factory: Callable[..., logging.LogRecord] | None = None
_REDACTED_EXC = "careerbot_redacted_exc_text"


def redact(text: str, secrets: list[str] | None = None) -> str:
    for secret in _secrets if secrets is None else secrets:
        text = text.replace(secret, MASK)
    return text


def redact_record(record: logging.LogRecord, secrets: list[str] | None = None) -> logging.LogRecord:
    """Mask the secrets in the record's message, traceback and stack, in place."""
    secrets = _secrets if secrets is None else secrets
    if not secrets:
        return record

    def masked(text: str) -> str:
        return redact(text, secrets)

    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is emitted
        message = None
    if message is not None and masked(message) != message:
        record.msg, record.args = masked(message), None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if masked(text) != text:
            record.exc_info, record.exc_text = None, masked(text)
            setattr(record, _REDACTED_EXC, record.exc_text)
    if record.exc_text and masked(record.exc_text) != record.exc_text:
        record.exc_text = masked(record.exc_text)
    elif record.exc_text is None and getattr(record, _REDACTED_EXC, None):
        record.exc_text = getattr(record, _REDACTED_EXC)  # a formatter cleared its cache: put the masked text back
    if record.stack_info and masked(record.stack_info) != record.stack_info:
        record.stack_info = masked(record.stack_info)
    return record


class RedactToken(logging.Filter):
    """Mask the given secrets (by default every installed one) in each record a handler receives."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s] or None

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self.secrets)
        return True


def _masking_factory(*args, **kwargs) -> logging.LogRecord:
    factory = _base_factory or logging.LogRecord
    return redact_record(factory(*args, **kwargs))


def install_redaction(*secrets: str | None) -> None:
    """Mask these secrets from now on in every log record (idempotent; secrets accumulate)."""
    global _base_factory
    for secret in secrets:
        if secret and secret not in _secrets:
            _secrets.append(secret)
    if logging.getLogRecordFactory() is not _masking_factory:
        _base_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_masking_factory)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactToken) for f in handler.filters):
            handler.addFilter(RedactToken())
    logging.captureWarnings(False)  # (re)route `warnings` through logging, even if something took them back
    logging.captureWarnings(True)


def uninstall_redaction() -> None:
    """Forget the secrets and restore the previous record factory (for tests)."""
    _secrets.clear()
    if logging.getLogRecordFactory() is _masking_factory and _base_factory is not None:
        logging.setLogRecordFactory(_base_factory)
    logging.captureWarnings(False)
