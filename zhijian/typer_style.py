"""The CLI's typer style, shared by every command group (zhijian/cli.py and zhijian/review/cli.py).

Help that reads like the README: -h and --help, no `<bool>` beside plain flags, arguments in
capitals (CONVERSATION_ID), no `{…}` in usage lines.
"""
from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


class Command(TyperCommand):
    """Help that reads like the README: no `<bool>` beside plain flags, arguments in capitals (CONVERSATION_ID)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
            elif param.param_type_name == "argument":
                if param.metavar is None and param.name:
                    param.metavar = param.name.upper()
                param.display_type_rich = lambda ctx: None  # the name says it: no `<str>` beside it

    def get_help_option(self, ctx: Any) -> Any:
        return _no_type(super().get_help_option(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
                for piece in super().collect_usage_pieces(ctx)]  # fmt: skip


class Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _no_type(super().get_help_option(ctx))


def _no_type(option: Any) -> Any:
    """-h/--help without `<bool>` beside it."""
    if option is not None:
        option.metavar = ""
    return option


class Typer(typer.Typer):
    """Every command, the ones other packages register included, gets the plain help (Command)."""

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or Command, **kwargs)


TYPER_DEFAULTS: dict[str, Any] = dict(
    cls=Group, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)  # fmt: skip


def typer_app(**kwargs: Any) -> Typer:
    """A command group in the house style (help text and the like in kwargs)."""
    return Typer(**{**TYPER_DEFAULTS, **kwargs})
