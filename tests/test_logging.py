"""The token is masked in every log record: chained tracebacks, handlers added later, warnings, stacks."""
from __future__ import annotations

import io
import logging
import warnings

import pytest

from bot.discord_bot import runner
from bot.logs import install_redaction, uninstall_redaction
from bot.settings import Settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.logging-secret-token"


@pytest.fixture
def redacted():
    root = logging.getLogger()
    handlers, level, factory = list(root.handlers), root.level, logging.getLogRecordFactory()
    install_redaction(TOKEN)
    yield
    uninstall_redaction()
    logging.setLogRecordFactory(factory)
    root.handlers[:], root.level = handlers, level


def capture(name: str, fmt: str = "%(levelname)s %(message)s") -> tuple[logging.Logger, io.StringIO]:
    """A logger with its own handler, added after the redaction was installed and not under root."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(fmt))
    log = logging.getLogger(name)
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.DEBUG)
    return log, stream


def test_an_inner_exception_in_a_chained_traceback_is_masked(redacted):
    log, stream = capture("careerbot.test.chained")
    try:
        try:
            raise RuntimeError(f"HTTP 401 for Authorization: Bot {TOKEN}")
        except RuntimeError as inner:
            raise ValueError("login failed") from inner
    except ValueError:
        log.exception("could not log in")
    try:
        try:
            raise KeyError(TOKEN)
        except KeyError:
            raise OSError("while handling it, another failure")  # implicit chaining (__context__)
    except OSError:
        log.error("second", exc_info=True)
    text = stream.getvalue()
    assert TOKEN not in text
    assert "HTTP 401 for Authorization: Bot ***" in text and "ValueError: login failed" in text
    assert "The above exception was the direct cause" in text and "During handling of the above" in text
    assert text.count("Traceback (most recent call last)") == 4  # tracebacks kept, only the token masked


def test_handlers_added_later_to_other_loggers_get_masked_records(redacted):
    log, stream = capture("some.library", fmt="%(message)s|%(args)s")
    log.warning("connecting with token %s", TOKEN)
    log.info(f"headers: {{'Authorization': 'Bot {TOKEN}'}}")
    text = stream.getvalue()
    assert TOKEN not in text and "connecting with token ***" in text and "'Bot ***'" in text


def test_a_stack_that_carries_the_token_is_masked(redacted):
    record = logging.getLogRecordFactory()("x", logging.WARNING, __file__, 1, "m", (), None, None, f"Stack: {TOKEN}")
    assert TOKEN not in record.stack_info and "Stack: ***" in record.stack_info


def test_warnings_are_logged_and_masked(redacted):
    log, stream = capture("py.warnings", fmt="%(message)s")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"unclosed session for Bot {TOKEN}", ResourceWarning)
    text = stream.getvalue()
    assert "unclosed session for Bot ***" in text and TOKEN not in text


def test_the_root_handler_masks_records_made_without_the_factory(redacted, capsys):
    root = logging.getLogger()
    root.handlers[:] = []
    runner.setup_logging(Settings(discord_token=TOKEN))
    made = logging.makeLogRecord({"name": "elsewhere", "levelno": logging.ERROR, "levelname": "ERROR",
                                  "msg": f"token {TOKEN}"})
    for handler in root.handlers:
        handler.handle(made)
    err = capsys.readouterr().err
    assert "token ***" in err and TOKEN not in err


def test_other_records_and_tracebacks_are_left_alone(redacted):
    log, stream = capture("careerbot.test.plain")
    try:
        raise RuntimeError("an ordinary failure")
    except RuntimeError:
        log.exception("request %s failed", "GET /users/@me")
    text = stream.getvalue()
    assert "request GET /users/@me failed" in text and "RuntimeError: an ordinary failure" in text
    assert "Traceback" in text and "***" not in text

