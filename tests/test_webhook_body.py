"""The callback webhook reads a POST body whole, however it arrives."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.const import EVENT_DELIVERY_STATUS

from .conftest import WEBHOOK_ID


async def test_post_body_arriving_in_pieces(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A body sent in several pieces is read whole, not cut after the first one."""
    fired: list[Event[dict[str, Any]]] = []

    @callback
    def _record(event: Event[dict[str, Any]]) -> None:
        fired.append(event)

    hass.bus.async_listen(EVENT_DELIVERY_STATUS, _record)

    async def pieces() -> AsyncIterator[bytes]:
        yield b"id=12"
        await asyncio.sleep(0.05)
        yield b"34&description=1"

    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{WEBHOOK_ID}",
        data=pieces(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    await hass.async_block_till_done()

    assert response.status == 200
    assert [(event.data["message_id"], event.data["status"]) for event in fired] == [
        (1234, "delivered")
    ]
