"""Vaccine product names as written on Vietnamese records -> DCC value-set codes, from the
data file `data/vaccines.json` (a province adds a product there, not in code)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Product:
    mp: str  # vaccine-medicinal-product
    ma: str  # vaccine-mah-manf
    vp: str  # vaccine-prophylaxis


def product_key(name: str) -> str:
    return re.sub(r"[\s\-/.]+", "", name).casefold()


@cache
def products() -> dict[str, Product]:
    text = resources.files("scanner_issuer").joinpath("data", "vaccines.json").read_text("utf-8")
    table: dict[str, Product] = {}
    for entry in json.loads(text)["products"]:
        product = Product(entry["mp"], entry["ma"], entry["vp"])
        for name in entry["names"]:
            key = product_key(name)
            if key in table and table[key] != product:
                raise ValueError(f"vaccines.json: {name!r} maps to two products")
            table[key] = product
    return table


def find_product(name: str) -> Product | None:
    return products().get(product_key(name))
