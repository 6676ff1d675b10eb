"""/settings through Discord's real dispatch: ask channels and the moderator role, stored per server."""
from __future__ import annotations

from tests.discord_harness import FORUM_ID, GENERAL_ID, GUILD_ID, HELP_ID, MOD_ROLE_ID, harness, make_harness  # noqa: F401


async def test_ask_channels_can_be_added_listed_and_removed_privately(harness):
    mod = harness.moderator
    added = (await harness.slash("settings ask-channel add", user=mod, channel=harness.channel(HELP_ID))).reply
    assert added.ephemeral and f"every message in <#{HELP_ID}>" in added.content
    forum = (await harness.slash("settings ask-channel add", user=mod, channel=harness.channel(FORUM_ID))).reply
    assert f"each new post in <#{FORUM_ID}>" in forum.content
    again = (await harness.slash("settings ask-channel add", user=mod, channel=harness.channel(HELP_ID))).reply
    assert again.content.count(f"<#{HELP_ID}>") == 2  # once in the sentence, once in the list: no duplicate
    listed = (await harness.slash("settings ask-channel list", user=mod)).reply
    assert listed.ephemeral and f"<#{HELP_ID}>, <#{FORUM_ID}>" in listed.text
    removed = (await harness.slash("settings ask-channel remove", user=mod, channel=harness.channel(HELP_ID))).reply
    assert removed.ephemeral and f"Ask channels: <#{FORUM_ID}>" in removed.content
    assert await harness.message("do I need a degree to become an ML engineer?", channel_id=HELP_ID) == []
    config = await harness.bot.services.community.guild_settings(GUILD_ID)
    assert config.ask_channel_ids == (FORUM_ID,)
    harness.assert_no_pings()


async def test_removing_a_channel_that_is_not_configured_is_a_clear_reply(harness):
    reply = (await harness.slash("settings ask-channel remove", user=harness.moderator,
                                 channel=harness.channel(GENERAL_ID))).reply
    assert reply.ephemeral and "not an ask channel" in reply.content


async def test_members_cannot_change_settings(harness):
    for name, options in [("settings ask-channel add", {"channel": harness.channel(HELP_ID)}),
                          ("settings ask-channel list", {}),
                          ("settings moderator-role", {"role": harness.role(MOD_ROLE_ID)})]:
        reply = (await harness.slash(name, user=harness.member, **options)).reply
        assert reply.ephemeral and "This is for moderators" in reply.content
    config = await harness.bot.services.community.guild_settings(GUILD_ID)
    assert config.ask_channel_ids == () and config.moderator_role_id is None


async def test_the_moderator_role_grants_the_moderator_tools_but_not_the_role_setting(harness):
    refused = (await harness.slash("kb status", user=harness.role_moderator)).reply
    assert "This is for moderators" in refused.content
    set_role = (await harness.slash("settings moderator-role", user=harness.moderator,
                                    role=harness.role(MOD_ROLE_ID))).reply
    assert set_role.ephemeral and f"<@&{MOD_ROLE_ID}>" in set_role.content
    assert set_role.allowed_mentions == {"parse": []}  # naming the role pings nobody
    status = (await harness.slash("kb status", user=harness.role_moderator)).reply
    assert "Knowledge base" in status.text
    channel = (await harness.slash("settings ask-channel add", user=harness.role_moderator,
                                   channel=harness.channel(HELP_ID))).reply
    assert "I'll answer" in channel.content
    escalate = (await harness.slash("settings moderator-role", user=harness.role_moderator)).reply
    assert "Only members with the Manage Server permission" in escalate.content
    assert (await harness.bot.services.community.guild_settings(GUILD_ID)).moderator_role_id == MOD_ROLE_ID
    cleared = (await harness.slash("settings moderator-role", user=harness.owner)).reply
    assert "Removed the moderator role" in cleared.content
    again = (await harness.slash("kb status", user=harness.role_moderator)).reply
    assert "This is for moderators" in again.content
    everyone = (await harness.slash("settings moderator-role", user=harness.owner, role=harness.role(GUILD_ID))).reply
    assert "not @everyone" in everyone.content
    harness.assert_no_pings()


async def test_settings_are_stored_per_server_and_survive_a_restart(tmp_path):
    async with make_harness(tmp_path) as first:
        await first.slash("settings ask-channel add", user=first.moderator, channel=first.channel(HELP_ID))
    async with make_harness(tmp_path) as second:
        reply = await second.message("do I need a degree to become an ML engineer?", channel_id=HELP_ID)
        assert reply.reply.embeds[0]["fields"]
        assert (await second.bot.services.community.guild_settings(GUILD_ID + 1)).ask_channel_ids == ()
