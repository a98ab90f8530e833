"""Generate the synthetic geodata package ``orte-musterstadt``.

The twelve Stadtteile of the fictional city "Musterstadt" as polygons, Kitas and
primary schools as points, a coarse population grid (250 m cells), a river, green
areas and a simple footpath/street network, all in ETRS89 / UTM zone 32N
(EPSG:25832) as German geodata portals publish them. The city lies where the
project's real-shaped example files put it (around 7.05° E, 51.02° N), so their
coordinates fall inside it.

Built-in patterns: the population is densest in the Altstadt and thins out
towards the edges; a river crosses the south with four bridges, so straight-line
distances across it are much shorter than the way on foot; the new housing area
Am Sonnenhang (north-east) has many children but few Kitas; Feldrand
(south-west) is small and rural with one Kita.

The geometry is written with plain numpy and json (no GIS library), so the files
are byte-for-byte reproducible.

Usage: python scripts/make_orte_musterstadt.py [--out DIR]
"""

from __future__ import annotations

import json
from pathlib import Path

import _synth
import numpy as np

SEED = 2026
DATASET_ID = "orte-musterstadt"
EPSG = 25832
CRS_NAME = "urn:ogc:def:crs:EPSG::25832"

# City extent in metres (ETRS89 / UTM 32N)
X0, X1 = 358_500.0, 367_500.0
Y0, Y1 = 5_651_000.0, 5_658_000.0
CELL = 250.0  # population grid
STREET = 150.0  # spacing of the street/path grid

# Stadtteile on a 4 x 3 layout, north row first (west to east)
NAMES = [
    ["Eichwald", "Lindenhof", "Sankt Georg", "Am Sonnenhang"],
    ["Weststadt", "Altstadt", "Bahnhofsviertel", "Neustadt"],
    ["Feldrand", "Mühlbach", "Hafenviertel", "Rosenau"],
]
# Relative density factor per Stadtteil (1 = typical)
DENSITY = {
    "Eichwald": 0.45,
    "Lindenhof": 0.9,
    "Sankt Georg": 1.0,
    "Am Sonnenhang": 1.1,
    "Weststadt": 0.9,
    "Altstadt": 1.6,
    "Bahnhofsviertel": 1.4,
    "Neustadt": 1.0,
    "Feldrand": 0.3,
    "Mühlbach": 0.7,
    "Hafenviertel": 1.1,
    "Rosenau": 0.7,
}
# Share of children under 6 and aged 6 to 9 among the inhabitants
CHILDREN = {name: (0.055, 0.037) for name in DENSITY}
CHILDREN["Am Sonnenhang"] = (0.105, 0.062)  # new housing area: many young families
CHILDREN["Altstadt"] = (0.042, 0.03)
CHILDREN["Eichwald"] = (0.05, 0.04)
# Number of Kitas and primary schools per Stadtteil
KITAS = {
    "Eichwald": 1,
    "Lindenhof": 4,
    "Sankt Georg": 4,
    "Am Sonnenhang": 2,
    "Weststadt": 4,
    "Altstadt": 7,
    "Bahnhofsviertel": 5,
    "Neustadt": 4,
    "Feldrand": 1,
    "Mühlbach": 3,
    "Hafenviertel": 3,
    "Rosenau": 3,
}
SCHOOLS = {name: 1 for name in DENSITY}
SCHOOLS["Altstadt"] = 2
SCHOOLS["Eichwald"] = 0
KITA_NAMES = [
    "Regenbogen",
    "Sonnenschein",
    "Pusteblume",
    "Spatzennest",
    "Wirbelwind",
    "Kunterbunt",
    "Löwenzahn",
    "Sternschnuppe",
    "Rappelkiste",
    "Zwergenland",
    "Schatzkiste",
    "Abenteuerland",
    "Marienkäfer",
    "Baumhaus",
    "Wichtelhaus",
    "Seepferdchen",
    "Traumland",
    "Glühwürmchen",
    "Purzelbaum",
    "Blaue Blume",
    "Mäuseburg",
    "Wolkenschloss",
    "Kleine Füße",
    "Sausewind",
    "Eulennest",
    "Am Park",
    "Frechdachs",
    "Piratennest",
    "Apfelbaum",
    "Kastanie",
    "Hummelnest",
    "Villa Kunterbunt",
    "Sonnenblume",
    "Waldwichtel",
    "Flohkiste",
    "Brückenkinder",
    "Lummerland",
    "Storchennest",
    "Taka-Tuka",
    "Sandkasten",
    "Nordlicht",
    "Igelhaus",
    "Weidenkätzchen",
    "Kleeblatt",
    "Bullerbü",
    "Räuberhöhle",
    "Pfiffikus",
    "Schmetterling",
]


def _ring(points: np.ndarray) -> list[list[float]]:
    """Closed ring with coordinates rounded to decimetres (stable text)."""
    pts = [[round(float(x), 1), round(float(y), 1)] for x, y in points]
    return pts + [pts[0]]


def _inside(px: np.ndarray, py: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Ray casting: which points lie inside the polygon (n x 2 vertices, open ring)."""
    inside = np.zeros(px.shape, dtype=bool)
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xint = (x2 - x1) * (py - y1) / (y2 - y1) + x1
        inside ^= crosses & (px < xint)
    return inside


def _river(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Centre line (x, y) of the river and its polygon (open ring)."""
    x = np.linspace(X0 - 200, X1 + 200, 91)
    phase = rng.uniform(0, 2 * np.pi)
    y = 5_653_250 + 380 * np.sin((x - X0) / 1900 + phase) + 120 * np.sin((x - X0) / 610)
    half = 45 + 25 * np.sin((x - X0) / 2700) ** 2
    poly = np.vstack([np.column_stack([x, y + half]), np.column_stack([x[::-1], (y - half)[::-1]])])
    return np.column_stack([x, y]), poly


def _blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int = 18) -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = r * rng.uniform(0.75, 1.2, n)
    return np.column_stack([cx + radius * np.cos(angles), cy + 0.8 * radius * np.sin(angles)])


def generate(seed: int = SEED) -> dict[str, object]:
    """All layers as GeoJSON dicts and the grid as CSV rows (deterministic for a seed)."""
    rng = np.random.default_rng(seed)

    # --- Stadtteile: a 5 x 4 vertex grid, inner vertices jittered (shared edges, no gaps)
    xs = np.linspace(X0, X1, 5)
    ys = np.linspace(Y1, Y0, 4)  # north to south
    vx, vy = np.meshgrid(xs, ys)
    inner = (slice(1, -1), slice(1, -1))
    vx[inner] += rng.uniform(-380, 380, vx[inner].shape)
    vy[inner] += rng.uniform(-320, 320, vy[inner].shape)
    # outer boundary wiggles a little along its own line
    vx[0, 1:-1] += rng.uniform(-300, 300, 3)
    vx[-1, 1:-1] += rng.uniform(-300, 300, 3)
    vy[1:-1, 0] += rng.uniform(-250, 250, 2)
    vy[1:-1, -1] += rng.uniform(-250, 250, 2)
    districts = []
    for r in range(3):
        for c in range(4):
            quad = np.array(
                [
                    [vx[r, c], vy[r, c]],
                    [vx[r, c + 1], vy[r, c + 1]],
                    [vx[r + 1, c + 1], vy[r + 1, c + 1]],
                    [vx[r + 1, c], vy[r + 1, c]],
                ]
            )
            districts.append((NAMES[r][c], quad[::-1]))  # counter-clockwise exterior

    river_line, river = _river(rng)
    greens = [
        ("Stadtwald Eichwald", "Wald", _blob(rng, 359_700, 5_657_100, 750, 24)),
        ("Stadtpark", "Park", _blob(rng, 362_900, 5_655_700, 300)),
        ("Rheinauen", "Park", _blob(rng, 364_800, 5_653_700, 380)),
        ("Friedhof Sankt Georg", "Friedhof", _blob(rng, 364_300, 5_656_900, 180)),
        ("Feldflur", "Landwirtschaft", _blob(rng, 359_400, 5_651_900, 700, 20)),
        ("Kleingärten Rosenau", "Kleingärten", _blob(rng, 366_600, 5_652_300, 260)),
    ]

    # --- population grid: cell centres, density from the district, a centre bump, noise
    cx = np.arange(X0 + CELL / 2, X1, CELL)
    cy = np.arange(Y0 + CELL / 2, Y1, CELL)
    gx, gy = (a.ravel() for a in np.meshgrid(cx, cy))
    district_of = np.full(gx.shape, -1)
    for i, (_, quad) in enumerate(districts):
        district_of[_inside(gx, gy, quad) & (district_of < 0)] = i
    centre = np.exp(-((gx - 362_900) ** 2 + (gy - 5_654_900) ** 2) / (2 * 1900.0**2))
    base = 48 + 150 * centre
    factor = np.array([DENSITY[districts[i][0]] for i in district_of])
    people = base * factor * rng.lognormal(0, 0.45, gx.shape)
    people[rng.random(gx.shape) < 0.12] = 0  # commercial land, fields, rail yards
    for _, _, blob in greens:
        people[_inside(gx, gy, blob)] *= 0.05
    people[_inside(gx, gy, river)] = 0
    people = np.round(people).astype(int)
    under6 = np.zeros_like(people)
    age6 = np.zeros_like(people)
    for i, (name, _) in enumerate(districts):
        sel = district_of == i
        p6, p9 = CHILDREN[name]
        under6[sel] = rng.binomial(people[sel], p6)
        age6[sel] = rng.binomial(people[sel], p9)

    # --- Kitas and schools: in populated cells of their Stadtteil, not in the water
    facilities = []
    kita_names = list(rng.permutation(KITA_NAMES))
    for i, (name, _) in enumerate(districts):
        cells = np.flatnonzero((district_of == i) & (people > 0))
        weights = people[cells] / people[cells].sum()
        for art, count in (("Kita", KITAS[name]), ("Grundschule", SCHOOLS[name])):
            chosen = rng.choice(cells, size=count, replace=False, p=weights)
            for k, cell in enumerate(chosen):
                x = gx[cell] + rng.uniform(-90, 90)
                y = gy[cell] + rng.uniform(-90, 90)
                if art == "Kita":
                    title = f"Kita {kita_names.pop()}"
                    places = int(rng.choice([45, 60, 75, 90, 110]))
                else:
                    title = f"Grundschule {name}" + (f" {k + 1}" if count > 1 else "")
                    places = int(rng.choice([200, 250, 300, 350]))
                facilities.append((art, title, name, places, x, y))
    facilities.sort(key=lambda f: (f[0], f[2], f[1]))

    # --- street/path network: a jittered grid; no edges across the river except bridges
    nx_ = np.arange(X0 + STREET / 2, X1, STREET)
    ny_ = np.arange(Y0 + STREET / 2, Y1, STREET)
    sx, sy = np.meshgrid(nx_, ny_)
    sx = sx + rng.uniform(-25, 25, sx.shape)
    sy = sy + rng.uniform(-25, 25, sy.shape)
    wet = _inside(sx.ravel(), sy.ravel(), river).reshape(sx.shape)
    river_y = np.interp(sx, river_line[:, 0], river_line[:, 1])
    south = sy < river_y
    bridges = np.array([360_300, 362_600, 364_900, 366_800])
    bridge_col = {int(np.argmin(np.abs(nx_ - b))) for b in bridges}
    forest = _inside(sx.ravel(), sy.ravel(), greens[0][2]).reshape(sx.shape)
    fields = _inside(sx.ravel(), sy.ravel(), greens[4][2]).reshape(sx.shape)

    def keep(r1: int, c1: int, r2: int, c2: int) -> bool:
        if south[r1, c1] != south[r2, c2]:  # crosses the river
            return c1 == c2 and c1 in bridge_col
        if wet[r1, c1] or wet[r2, c2]:
            return c1 == c2 and c1 in bridge_col
        drop = 0.12
        if forest[r1, c1] or forest[r2, c2] or fields[r1, c1] or fields[r2, c2]:
            drop = 0.55
        return bool(rng.random() >= drop)

    lines = []
    rows_n, cols_n = sx.shape
    # horizontal runs, then vertical runs: consecutive kept edges form one LineString
    for r in range(rows_n):
        run = [(r, 0)]
        for c in range(1, cols_n):
            if keep(r, c - 1, r, c):
                run.append((r, c))
            else:
                if len(run) > 1:
                    lines.append(run)
                run = [(r, c)]
        if len(run) > 1:
            lines.append(run)
    for c in range(cols_n):
        run = [(0, c)]
        for r in range(1, rows_n):
            if keep(r - 1, c, r, c):
                run.append((r, c))
            else:
                if len(run) > 1:
                    lines.append(run)
                run = [(r, c)]
        if len(run) > 1:
            lines.append(run)

    def collection(name: str, features: list[dict]) -> dict:
        return {
            "type": "FeatureCollection",
            "name": name,
            "crs": {"type": "name", "properties": {"name": CRS_NAME}},
            "features": features,
        }

    def feature(props: dict, geometry: dict) -> dict:
        return {"type": "Feature", "properties": props, "geometry": geometry}

    stadtteile = []
    for i, (name, quad) in enumerate(districts):
        sel = district_of == i
        stadtteile.append(
            feature(
                {
                    "stadtteil_nr": i + 1,
                    "stadtteil": name,
                    "einwohner": int(people[sel].sum()),
                    "kinder_unter_6": int(under6[sel].sum()),
                    "kinder_6_bis_9": int(age6[sel].sum()),
                    "stand": "2025-12-31",
                },
                {"type": "Polygon", "coordinates": [_ring(quad)]},
            )
        )
    einrichtungen = [
        feature(
            {
                "einrichtung_nr": n,
                "name": title,
                "art": art,
                "stadtteil": district,
                "plaetze": places,
                "stand": "2025-09-01",
            },
            {"type": "Point", "coordinates": [round(float(x), 1), round(float(y), 1)]},
        )
        for n, (art, title, district, places, x, y) in enumerate(facilities, start=1)
    ]
    gewaesser = [
        feature(
            {"name": "Mühlenbach", "art": "Fluss"},
            {"type": "Polygon", "coordinates": [_ring(river)]},
        )
    ]
    gruen = [
        feature({"name": name, "art": art}, {"type": "Polygon", "coordinates": [_ring(blob[::-1])]})
        for name, art, blob in greens
    ]
    wege = [
        feature(
            {"weg_nr": n},
            {
                "type": "LineString",
                "coordinates": [
                    [round(float(sx[r, c]), 1), round(float(sy[r, c]), 1)] for r, c in run
                ],
            },
        )
        for n, run in enumerate(lines, start=1)
    ]
    grid_rows = [
        [f"{x:.0f}", f"{y:.0f}", str(p), str(k6), str(k9)]
        for x, y, p, k6, k9 in zip(gx, gy, people, under6, age6, strict=True)
        if p > 0
    ]
    return {
        "stadtteile": collection("stadtteile", stadtteile),
        "einrichtungen": collection("einrichtungen", einrichtungen),
        "gewaesser": collection("gewaesser", gewaesser),
        "gruenflaechen": collection("gruenflaechen", gruen),
        "wege": collection("wege", wege),
        "grid": grid_rows,
    }


GRID_COLUMNS = ["x", "y", "einwohner", "kinder_unter_6", "kinder_6_bis_9"]


def _dump(data: dict) -> bytes:
    """One feature per line: readable diffs, stable bytes."""
    head = {k: v for k, v in data.items() if k != "features"}
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    text += ",\n".join(json.dumps(f, ensure_ascii=False) for f in data["features"])
    return (text + "\n]}\n").encode("utf-8")


def write(out: Path) -> Path:
    layers = generate()
    out.mkdir(parents=True, exist_ok=True)
    for name in ("stadtteile", "einrichtungen", "gewaesser", "gruenflaechen", "wege"):
        (out / f"{name}.geojson").write_bytes(_dump(layers[name]))
    _synth.write_csv(out, "bevoelkerung-raster", GRID_COLUMNS, layers["grid"])
    return out


if __name__ == "__main__":
    _synth.main(DATASET_ID, __doc__.splitlines()[0], write)
