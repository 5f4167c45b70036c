"""`corridor goods lookup|search|suggest|check`: tables by default, one JSON document with --json."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli_support import err, handles_errors, print_json, print_table

app = typer.Typer(
    help="Goods: HS look-up and suggestion, mismatch, precursors, strategic goods.", no_args_is_help=True
)


@app.command("lookup")
@handles_errors
def lookup_command(
    code: Annotated[str, typer.Argument(help="HS code: 2, 4, 6 digits or a national code up to 14")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Look up an HS 2022 code: its path section → chapter → heading → subheading."""
    from corridor.goods.nomenclature import lookup

    found = lookup(code)
    if as_json:
        print_json(found.as_dict())
        return
    extension = f", national extension {found.national_extension}" if found.national_extension else ""
    print_table(
        f"HS {found.code}{extension}",
        ["level", "code", "description"],
        [[p.level, p.code, p.description] for p in found.path],
    )


@app.command("search")
@handles_errors
def search_command(
    words: Annotated[str, typer.Argument(help="words to find in the HS descriptions")],
    level: Annotated[int | None, typer.Option(help="2, 4 or 6: one level only")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search the HS 2022 nomenclature by words (English, as the official text)."""
    from corridor.goods.nomenclature import search

    hits = search(words, limit=limit, level=level)
    if as_json:
        print_json({"query": words, "items": [h.as_dict() for h in hits]})
    else:
        print_table(
            f"HS search: {words}",
            ["code", "level", "description"],
            [[h.code, h.level, h.description] for h in hits],
        )


@app.command("suggest")
@handles_errors
def suggest_command(
    description: Annotated[str, typer.Argument(help="free-text goods description (English, Russian ...)")],
    top: Annotated[int, typer.Option(min=1, max=50, help="number of codes")] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rank likely HS codes for a goods description, with scores."""
    from corridor.goods.suggest import suggest

    found = suggest(description, top)
    if as_json:
        print_json({"description": description, "suggestions": [s.as_dict() for s in found]})
    else:
        print_table(
            f"HS suggestions: {description}",
            ["code", "score", "description", "evidence"],
            [[s.code, f"{s.score:.3f}", s.description, s.evidence] for s in found],
        )


@app.command("check")
@handles_errors
def check_command(
    description: Annotated[str, typer.Argument(help="free-text goods description")],
    hs: Annotated[
        str | None, typer.Option("--hs", help="declared HS code (national extension allowed)")
    ] = None,
    top: Annotated[int, typer.Option(min=1, max=50)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check a goods item: declared-code mismatch, precursor and strategic-goods matches, with evidence."""
    from corridor.goods.check import check_goods

    result = check_goods(description, hs, top=top)
    if as_json:
        print_json(result.as_dict())
        return
    err.print(f"flags: {', '.join(result.flags) or 'none'}")
    if result.mismatch:
        m = result.mismatch
        print_table(
            "Declared code",
            ["declared", "description", "score", "level", "flagged", "reason"],
            [[m.declared, m.declared_description, f"{m.declared_score:.3f}", m.level, m.flagged, m.reason]],
        )
    print_table(
        "Suggestions",
        ["code", "score", "description"],
        [[s.code, f"{s.score:.3f}", s.description] for s in result.suggestions],
    )
    if result.precursors:
        print_table(
            "Precursors",
            ["name", "list", "CAS", "matched by", "evidence"],
            [
                [
                    p.precursor.name,
                    p.precursor.list_name,
                    ", ".join(p.precursor.cas),
                    p.matched_by,
                    p.evidence,
                ]
                for p in result.precursors
            ],
        )
    if result.strategic:
        print_table(
            "Strategic goods (CHPL)",
            ["HS-6", "tier", "matched by", "evidence"],
            [[s.item.hs6, s.item.tier, s.matched_by, s.evidence] for s in result.strategic],
        )
