"""The profile language: declarative documents an analyst writes without code (docs/profiles.md).

A file holds one or more YAML (or JSON) documents. A document of `kind: profile` (the default) is a
risk profile; one of `kind: list` is a shared named list. Parsing turns the `when` condition into a
small tree (All / Any / Not / Goods / Leaf) whose leaves are typed against the field catalogue and
whose named-list references are resolved, so compiling it (compiler.py) cannot fail. Every error
names the file, the line and the field, and an unknown name suggests the closest known one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from corridor.domain.consignment import Lane
from corridor.domain.errors import InvalidInput
from corridor.risk.fields import BASE_FIELDS, PARTY_FIELDS, FieldSpec, suggest
from corridor.risk.indicators import indicator_fields
from corridor.risk.lists import LIST_KINDS, NamedList
from corridor.risk.yamlloc import Located, Path, YamlError, load_located

Status = Literal["draft", "active", "retired"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERCENTILE_FIELDS = frozenset({"goods.unit_value", "goods.kg_per_package"})
FIRST_SEEN_ROLES = frozenset({"consignor", "consignee", "pair"})
WATCHABLE = frozenset({*PARTY_FIELDS, "conveyance"})


# ---------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class Issue:
    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source} line {self.line}" if self.line else self.source
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "path": self.path, "message": self.message}


class ProfileError(InvalidInput):
    """One or more mistakes in profile or list documents; `issues` lists them all."""

    code = "invalid_profile"

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        first = issues[0] if issues else Issue("profile", None, "", "invalid profile")
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(
            "\n".join(str(i) for i in issues) if len(issues) > 1 else str(first),
            where=f"{first.source} line {first.line}" if first.line else first.source,
            extra={"issues": [i.as_dict() for i in issues]},
        )
        self.summary = str(first) + more


# ---------------------------------------------------------------- documents


class ProfileDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["profile"] = "profile"
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    title: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=100)
    weight: float = Field(gt=0, le=1, description="0 < w <= 1; see docs/risk-engine.md for the score")
    lane: Lane | None = Field(default=None, description="lane forced on every hit (mandatory when red)")
    status: Status = "draft"
    valid_from: date | None = None
    valid_to: date | None = None
    threat: str | None = None
    rationale: str = Field(min_length=1, max_length=300, description="one line: why this profile exists")
    tags: list[str] = Field(default_factory=list)
    when: Any

    @field_validator("valid_from", "valid_to", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return value.date() if isinstance(value, datetime) else value

    @model_validator(mode="after")
    def _window(self) -> ProfileDoc:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class ListDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["list"]
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    list_kind: Literal["countries", "ports", "hs", "parties", "vessels", "carriers", "text"]
    title: str = ""
    description: str = ""
    items: list[str]

    @field_validator("items", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        return value

    def to_list(self, version: int = 0) -> NamedList:
        items = self.items
        if self.list_kind in ("countries", "ports", "hs", "carriers"):
            items = [
                i.upper().replace(" ", "").replace(".", "") if self.list_kind != "carriers" else i
                for i in items
            ]
        return NamedList(self.name, self.list_kind, tuple(items), self.title, self.description, version)


# ---------------------------------------------------------------- condition tree


@dataclass(frozen=True, slots=True)
class Leaf:
    field: str
    op: str
    arg: Any
    line: int
    level: Literal["consignment", "goods"]
    list_name: str | None = None  # the shared list the argument came from, for explanations

    @property
    def column(self) -> str:
        """The frame column this leaf reads (party operators read indicator columns)."""
        if self.op == "on_watchlist":
            return f"{self.field}.watchlist"
        if self.op == "first_seen_within_days":
            return f"{self.field}.first_seen_days"
        return self.field


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class NotOf:
    item: Condition


@dataclass(frozen=True, slots=True)
class GoodsAny:
    """True when at least one goods item satisfies `item` (evaluated per item)."""

    item: Condition
    line: int


Condition = Leaf | AllOf | AnyOf | NotOf | GoodsAny


@dataclass(slots=True)
class Profile:
    doc: ProfileDoc
    condition: Condition
    source: str
    version: int = 0
    lists_used: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.doc.id


def leaves(cond: Condition) -> list[Leaf]:
    if isinstance(cond, Leaf):
        return [cond]
    if isinstance(cond, AllOf | AnyOf):
        return [leaf for item in cond.items for leaf in leaves(item)]
    return leaves(cond.item)


# ---------------------------------------------------------------- the field catalogue


def catalogue() -> dict[str, FieldSpec]:
    specs = {f.name: f for f in (*BASE_FIELDS, *indicator_fields())}
    return specs


_TEXT_OPS = {"eq", "ne", "in", "not_in", "prefix", "hs_prefix", "regex", "contains", "is_null"}
_NUMBER_OPS = {"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", "is_null"}
OPS_BY_KIND: dict[str, set[str]] = {
    "text": _TEXT_OPS,
    "number": _NUMBER_OPS | {"below_percentile", "above_percentile"},
    "bool": {"eq", "ne", "is_null"},
    "datetime": {"gt", "gte", "lt", "lte", "between", "weekday_in", "is_null"},
    "list": {"any_in", "all_in", "none_in", "contains", "count_gte", "is_null"},
}
ALL_OPS = sorted(
    {op for ops in OPS_BY_KIND.values() for op in ops} | {"on_watchlist", "first_seen_within_days"}
)
_COMBINATORS = ("all", "any", "not", "goods")
_LIST_ARG_OPS = {"in", "not_in", "prefix", "hs_prefix", "any_in", "all_in", "none_in"}
_UNSUPPORTED_REGEX = re.compile(r"\(\?<?[=!]|\\[1-9]")


class _Parser:
    def __init__(self, located: Located, source: str, lists: Mapping[str, NamedList]) -> None:
        self.loc = located
        self.source = source
        self.lists = lists
        self.fields = catalogue()
        self.issues: list[Issue] = []
        self.lists_used: dict[str, int] = {}

    def issue(self, path: Path, message: str) -> None:
        self.issues.append(Issue(self.source, self.loc.line_of(path), _dotted(path), message))

    # -- structure

    def condition(self, value: Any, path: Path, in_goods: bool) -> Condition | None:
        if not isinstance(value, dict) or not value:
            self.issue(path, "a condition is a mapping: field: value, or all / any / not / goods")
            return None
        parts: list[Condition] = []
        for key, sub in value.items():
            here = (*path, key)
            part: Condition | None
            if key in ("all", "any"):
                if not isinstance(sub, list) or not sub:
                    self.issue(here, f"'{key}' takes a non-empty list of conditions")
                    continue
                items = [self.condition(s, (*here, i), in_goods) for i, s in enumerate(sub)]
                kept = tuple(i for i in items if i is not None)
                part = (AllOf if key == "all" else AnyOf)(kept) if len(kept) == len(items) else None
            elif key == "not":
                inner = self.condition(sub, here, in_goods)
                part = NotOf(inner) if inner is not None else None
            elif key == "goods":
                if in_goods:
                    self.issue(here, "'goods' blocks cannot be nested")
                    continue
                inner = self.condition(sub, here, True)
                part = GoodsAny(inner, self.loc.line_of(here)) if inner is not None else None
            else:
                part = self.field_condition(key, sub, here, in_goods)
            if part is not None:
                parts.append(part)
        if len(parts) != len(value):
            return None
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def resolve_field(self, name: str, path: Path, in_goods: bool) -> FieldSpec | str | None:
        if in_goods and not name.startswith("goods.") and f"goods.{name}" in self.fields:
            name = f"goods.{name}"
        if name in self.fields:
            spec = self.fields[name]
            if in_goods and spec.level != "goods":
                self.issue(
                    path, f"field '{name}' is not a goods-item field and cannot be used in a goods block"
                )
                return None
            return spec
        if name in WATCHABLE or name == "pair":
            return name
        if name.startswith("attributes.") and len(name) > len("attributes."):
            return FieldSpec(name, "consignment", "text", "format-specific attribute")
        if in_goods:
            # Inside a goods block fields are written without their "goods." prefix.
            known = [f.removeprefix("goods.") for f, spec in self.fields.items() if spec.level == "goods"]
            known += ["all", "any", "not"]
        else:
            known = list(self.fields) + list(WATCHABLE) + ["pair", *_COMBINATORS]
        hint = suggest(name, known)
        self.issue(path, f"field '{name}' unknown" + (f" — did you mean '{hint}'?" if hint else ""))
        return None

    def field_condition(self, name: str, value: Any, path: Path, in_goods: bool) -> Condition | None:
        spec = self.resolve_field(name, path, in_goods)
        if spec is None:
            return None
        if isinstance(value, dict):
            ops = value
        elif isinstance(spec, str):
            self.issue(
                path,
                f"'{name}' takes on_watchlist or first_seen_within_days, e.g. {name}: {{on_watchlist: true}}",
            )
            return None
        elif isinstance(value, list):
            ops = {"any_in" if spec.kind == "list" else "in": value}
        else:
            ops = {"eq": value}
        if not ops:
            self.issue(path, f"field '{name}' has no operator")
            return None
        leaves_: list[Condition] = []
        ok = True
        for op, arg in ops.items():
            leaf = self.leaf(spec, name, op, arg, (*path, op) if isinstance(value, dict) else path)
            if leaf is None:
                ok = False
            else:
                leaves_.append(leaf)
        if not ok:
            return None
        cond: Condition = leaves_[0] if len(leaves_) == 1 else AllOf(tuple(leaves_))
        if not in_goods and isinstance(spec, FieldSpec) and spec.level == "goods":
            # A goods field outside a goods block means "some goods item has it".
            cond = GoodsAny(cond, self.loc.line_of(path))
        return cond

    # -- leaves

    def leaf(self, spec: FieldSpec | str, name: str, op: str, arg: Any, path: Path) -> Leaf | None:
        line = self.loc.line_of(path)
        if isinstance(spec, str):
            return self.party_leaf(spec, op, arg, path, line)
        allowed = OPS_BY_KIND[spec.kind]
        if op in ("below_percentile", "above_percentile") and spec.name not in PERCENTILE_FIELDS:
            allowed = allowed - {op}
        if op not in allowed:
            if op in ALL_OPS:
                self.issue(
                    path,
                    f"operator '{op}' does not apply to {spec.kind} field '{spec.name}'; use one of {', '.join(sorted(allowed))}",
                )
            else:
                hint = suggest(op, allowed)
                self.issue(
                    path,
                    f"operator '{op}' unknown"
                    + (
                        f" — did you mean '{hint}'?" if hint else f"; use one of {', '.join(sorted(allowed))}"
                    ),
                )
            return None
        list_name: str | None = None
        try:
            if op in _LIST_ARG_OPS:
                values, list_name = self.list_arg(arg, path)
                if values is None:
                    return None
                value: Any = tuple(
                    self.scalar(spec.kind if spec.kind != "list" else "text", v, op) for v in values
                )
                if op in ("prefix", "hs_prefix"):
                    value = tuple(str(v).replace(".", "").replace(" ", "") for v in value)
            elif op == "between":
                if not isinstance(arg, list) or len(arg) != 2:
                    raise ValueError("'between' takes [low, high]")
                low, high = (self.scalar(spec.kind, v, op) for v in arg)
                if low > high:
                    raise ValueError("'between' needs low <= high")
                value = (low, high)
            elif op == "regex":
                if not isinstance(arg, str) or not arg:
                    raise ValueError("'regex' takes a pattern")
                if _UNSUPPORTED_REGEX.search(arg):
                    raise ValueError("look-around and back-references are not supported in 'regex'")
                re.compile(arg)
                value = arg
            elif op == "contains":
                value = self.scalar("text", arg, op)
            elif op == "weekday_in":
                days = arg if isinstance(arg, list) else [arg]
                bad = [d for d in days if str(d).lower()[:3] not in WEEKDAYS]
                if bad:
                    raise ValueError(f"'weekday_in' takes days mon..sun, not {bad[0]!r}")
                value = tuple(sorted({WEEKDAYS.index(str(d).lower()[:3]) + 1 for d in days}))
            elif op == "is_null":
                if not isinstance(arg, bool):
                    raise ValueError("'is_null' takes true or false")
                value = arg
            elif op == "count_gte":
                value = int(self.scalar("number", arg, op))
            elif op in ("below_percentile", "above_percentile"):
                p = float(self.scalar("number", arg, op))
                if not 0 < p < 100:
                    raise ValueError(f"'{op}' takes a percentile between 0 and 100, got {p:g}")
                value = p
            else:
                value = self.scalar(spec.kind, arg, op)
        except re.error as error:
            self.issue(path, f"regular expression does not compile: {error}")
            return None
        except ValueError as error:
            self.issue(path, f"field '{spec.name}': {error}")
            return None
        return Leaf(spec.name, op, value, line, spec.level, list_name)

    def party_leaf(self, role: str, op: str, arg: Any, path: Path, line: int) -> Leaf | None:
        if op == "on_watchlist":
            if role == "pair":
                self.issue(path, "'pair' has no watch list; use consignor or consignee")
                return None
            if arg is True:
                return Leaf(role, op, None, line, "consignment")
            names = arg if isinstance(arg, list) else [arg]
            for n in names:
                if not isinstance(n, str) or n not in self.lists:
                    hint = suggest(str(n), list(self.lists))
                    self.issue(
                        path, f"watch list '{n}' unknown" + (f" — did you mean '{hint}'?" if hint else "")
                    )
                    return None
                self.lists_used[n] = self.lists[n].version
            return Leaf(role, op, tuple(names), line, "consignment")
        if op == "first_seen_within_days":
            if role not in FIRST_SEEN_ROLES:
                self.issue(
                    path, f"'first_seen_within_days' applies to consignor, consignee or pair, not {role}"
                )
                return None
            if isinstance(arg, bool) or not isinstance(arg, int | float) or arg < 0:
                self.issue(path, "'first_seen_within_days' takes a number of days >= 0")
                return None
            return Leaf(role, op, float(arg), line, "consignment")
        hint = suggest(op, ["on_watchlist", "first_seen_within_days"])
        self.issue(
            path,
            f"operator '{op}' unknown for party '{role}'" + (f" — did you mean '{hint}'?" if hint else ""),
        )
        return None

    def list_arg(self, arg: Any, path: Path) -> tuple[list[Any] | None, str | None]:
        if isinstance(arg, list):
            if not arg:
                self.issue(path, "the list is empty")
                return None, None
            return arg, None
        if isinstance(arg, str):
            found = self.lists.get(arg)
            if found is None:
                hint = suggest(arg, list(self.lists))
                self.issue(
                    path, f"named list '{arg}' unknown" + (f" — did you mean '{hint}'?" if hint else "")
                )
                return None, None
            self.lists_used[arg] = found.version
            return list(found.items), arg
        self.issue(path, "expected a list of values or the name of a shared list")
        return None, None

    def scalar(self, kind: str, value: Any, op: str) -> Any:
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"'{op}' needs a number, got {value!r}")
            return float(value)
        if kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"'{op}' needs true or false, got {value!r}")
            return value
        if kind == "datetime":
            return _as_datetime(value, op)
        if isinstance(value, dict | list) or value is None:
            raise ValueError(f"'{op}' needs a text value, got {value!r}")
        return str(value)


def _as_datetime(value: Any, op: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"'{op}' needs an ISO date such as 2025-03-01, got {value!r}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"'{op}' needs an ISO date such as 2025-03-01, got {value!r}")


def _dotted(path: Path) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")


# ---------------------------------------------------------------- documents to objects


@dataclass(slots=True)
class RawDocuments:
    """The documents of one or more files, checked for shape but not yet compiled."""

    profiles: list[tuple[ProfileDoc, Located, str]] = field(default_factory=list)
    lists: list[tuple[ListDoc, Located, str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def read_documents(text: str, source: str, into: RawDocuments | None = None) -> RawDocuments:
    out = into if into is not None else RawDocuments()
    try:
        docs = load_located(text)
    except YamlError as error:
        out.issues.append(Issue(source, error.line, "", error.message))
        return out
    if not docs:
        out.issues.append(Issue(source, None, "", "no documents in the file"))
    for located in docs:
        value = located.value
        if not isinstance(value, dict):
            out.issues.append(
                Issue(source, located.start_line, "", "a document is a mapping (id: ..., title: ...)")
            )
            continue
        kind = value.get("kind", "profile")
        model: type[ProfileDoc] | type[ListDoc] = ListDoc if kind == "list" else ProfileDoc
        if kind not in ("profile", "list"):
            out.issues.append(
                Issue(
                    source, located.line_of(("kind",)), "kind", f"kind must be profile or list, not {kind!r}"
                )
            )
            continue
        try:
            doc = model.model_validate(value)
        except ValidationError as error:
            for e in error.errors():
                loc = tuple(p for p in e["loc"] if isinstance(p, str | int))
                msg = e["msg"]
                if e["type"] == "extra_forbidden":
                    known = list(model.model_fields)
                    hint = suggest(str(loc[-1]), known)
                    msg = f"field '{loc[-1]}' unknown" + (f" — did you mean '{hint}'?" if hint else "")
                elif e["type"] == "missing":
                    msg = f"field '{_dotted(loc)}' is required"
                else:
                    msg = f"field '{_dotted(loc)}': {msg}"
                out.issues.append(Issue(source, located.line_of(loc), _dotted(loc), msg))
            continue
        if isinstance(doc, ListDoc):
            if doc.list_kind not in LIST_KINDS:
                continue
            out.lists.append((doc, located, source))
        else:
            out.profiles.append((doc, located, source))
    return out


def compile_profile(
    doc: ProfileDoc, located: Located, source: str, lists: Mapping[str, NamedList]
) -> tuple[Profile | None, list[Issue]]:
    parser = _Parser(located, source, lists)
    cond = parser.condition(doc.when, ("when",), in_goods=False)
    if cond is None or parser.issues:
        return None, parser.issues
    return Profile(doc, cond, source, lists_used=dict(sorted(parser.lists_used.items()))), []


def parse_profiles(raw: RawDocuments, lists: Mapping[str, NamedList]) -> list[Profile]:
    """Profiles of `raw`, with the lists of `raw` added to `lists`; raises ProfileError on any mistake."""
    issues = list(raw.issues)
    every = dict(lists)
    seen_lists: dict[str, str] = {}
    for ldoc, located, source in raw.lists:
        if ldoc.name in seen_lists:
            issues.append(
                Issue(
                    source,
                    located.start_line,
                    "name",
                    f"list '{ldoc.name}' is also defined in {seen_lists[ldoc.name]}",
                )
            )
        seen_lists[ldoc.name] = source
        every[ldoc.name] = ldoc.to_list(lists[ldoc.name].version if ldoc.name in lists else 0)
    profiles: list[Profile] = []
    seen: dict[str, str] = {}
    for doc, located, source in raw.profiles:
        if doc.id in seen:
            issues.append(
                Issue(
                    source,
                    located.line_of(("id",)),
                    "id",
                    f"profile id '{doc.id}' is also used in {seen[doc.id]}",
                )
            )
            continue
        seen[doc.id] = source
        profile, found = compile_profile(doc, located, source, every)
        issues += found
        if profile is not None:
            profiles.append(profile)
    if issues:
        raise ProfileError(issues)
    return profiles


def parse_stored(
    document: dict[str, Any], source: str, lists: Mapping[str, NamedList], version: int
) -> Profile:
    """A profile stored in the database (its document is plain JSON already validated once)."""
    located = Located(document, {}, 0)
    doc = ProfileDoc.model_validate(document)
    profile, issues = compile_profile(doc, located, source, lists)
    if profile is None:
        raise ProfileError(issues)
    profile.version = version
    return profile
