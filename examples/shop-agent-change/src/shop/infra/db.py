"""A tiny database adapter."""

import sqlite3

_CONNECTION = sqlite3.connect(":memory:")


def execute(sql: str, parameters: tuple) -> None:
    _CONNECTION.execute(sql, parameters)
