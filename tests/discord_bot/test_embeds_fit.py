"""`embeds.fit`: every embed the bot sends stays within Discord's 6,000-character total."""
import discord

from bot.discord_bot.embeds import EMBED_TOTAL_MAX, fit


def embed_with(description: str = "", fields: list[tuple[str, str]] = (), footer: str = "") -> discord.Embed:
    embed = discord.Embed(title="T" * 200, description=description)
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=False)
    if footer:
        embed.set_footer(text=footer)
    return embed


def test_an_embed_within_the_limit_is_left_alone():
    embed = embed_with("d" * 1000, [("a", "x" * 1000), ("b", "y" * 1000)])
    fit(embed)
    assert embed.description == "d" * 1000 and [f.value for f in embed.fields] == ["x" * 1000, "y" * 1000]


def test_the_longest_field_is_shortened_first_and_only_as_much_as_needed():
    embed = embed_with("d" * 3000, [("short", "s" * 300), ("long", "l" * 1024), ("mid", "m" * 1024),
                                    ("more", "o" * 1024)])
    assert len(embed) > EMBED_TOTAL_MAX
    fit(embed)
    values = [f.value for f in embed.fields]
    assert len(embed) <= EMBED_TOTAL_MAX and len(embed) >= EMBED_TOTAL_MAX - 10  # nothing cut that could stay
    assert values[0] == "s" * 300 and embed.description == "d" * 3000
    assert values[1].endswith("…") and len(values[1]) < 1024 and values[2:] == ["m" * 1024, "o" * 1024]


def test_fields_that_cannot_shrink_further_are_dropped_from_the_end():
    embed = embed_with("d" * 4000, [(f"{n}" * 250, "v" * 20) for n in range(10)])
    fit(embed)
    assert len(embed) <= EMBED_TOTAL_MAX
    assert [f.name for f in embed.fields] == [f"{n}" * 250 for n in range(6)]  # 200 + 4000 + 6 * 270 <= 6000


def test_a_long_description_is_cut_when_there_are_no_fields():
    embed = embed_with("d" * 4096, footer="f" * 2048)
    fit(embed)
    assert len(embed) == EMBED_TOTAL_MAX and embed.description.endswith("…") and embed.footer.text == "f" * 2048
