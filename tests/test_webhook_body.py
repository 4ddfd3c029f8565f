"""The callback webhook reads a POST body whole, however it arrives, or refuses it cleanly."""

import asyncio
from collections.abc import AsyncIterator
import gzip
import logging
from typing import Any
import zlib

from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.const import EVENT_DELIVERY_STATUS

from .conftest import WEBHOOK_ID

PATH = f"/api/webhook/{WEBHOOK_ID}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REPORT = b"id=1234&description=1"


@pytest.fixture
def fired(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    """Every delivery-status event fired."""
    return async_capture_events(hass, EVENT_DELIVERY_STATUS)


async def test_post_body_arriving_in_pieces(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    fired: list[Event[dict[str, Any]]],
) -> None:
    """A body sent in several pieces is read whole, not cut after the first one."""

    async def pieces() -> AsyncIterator[bytes]:
        yield b"id=12"
        await asyncio.sleep(0.05)
        yield b"34&description=1"

    client = await hass_client_no_auth()
    response = await client.post(PATH, data=pieces(), headers=FORM)
    await hass.async_block_till_done()

    assert response.status == 200
    assert [(event.data["message_id"], event.data["status"]) for event in fired] == [
        (1234, "delivered")
    ]


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("identity", bytes)],
)
async def test_compressed_body_is_read(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    fired: list[Event[dict[str, Any]]],
    encoding: str,
    compress: Any,
) -> None:
    """A body compressed as its ``Content-Encoding`` says is a report like any other."""
    client = await hass_client_no_auth()
    response = await client.post(
        PATH, data=compress(REPORT), headers=FORM | {"Content-Encoding": encoding}
    )
    await hass.async_block_till_done()

    assert (response.status, await response.text()) == (200, "OK")
    assert [(event.data["message_id"], event.data["status"]) for event in fired] == [
        (1234, "delivered")
    ]


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "zstd"])
async def test_body_not_compressed_as_announced_is_a_4xx(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    fired: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
    method: str,
    encoding: str,
) -> None:
    """``Content-Encoding: gzip`` over a plain body: a 400, never a 500 or a traceback.

    The connection it came on is closed; the next call is served as usual.
    """
    client = await hass_client_no_auth()
    response = await client.request(
        method,
        f"{PATH}?id=1&description=1",
        data=REPORT,
        headers=FORM | {"Content-Encoding": encoding},
    )
    assert (response.status, await response.text()) == (400, "unreadable body")
    # aiohttp's clean-up of the refused body (its lingering read) runs after the answer.
    await asyncio.sleep(0.05)

    response = await client.post(PATH, data=REPORT, headers=FORM)
    await hass.async_block_till_done()

    assert response.status == 200
    assert [event.data["message_id"] for event in fired] == [1234]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
