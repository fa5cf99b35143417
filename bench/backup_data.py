"""The data of the backup benchmark (bench/backups.py): a CMS-like web root and a MariaDB database.

The web root looks like a court's WordPress site: ``wp-admin``, ``wp-includes``, plugins and themes of many
small PHP, JS and CSS files (text, compressible), and ``wp-content/uploads/<year>/<month>`` with images and
PDFs (random bytes, as incompressible as real JPEGs and scanned rulings), some of them tens of MB. About a
quarter of the bytes are small text files, three quarters large binary ones. Everything comes from one seed,
so the same command makes the same tree.

The database is a WordPress-like schema (posts, postmeta, options) plus the court's case table, filled by
the server itself (``INSERT ... SELECT`` over MariaDB's ``seq_1_to_N`` tables), to about ``--db-mb`` MB of
dump.

    .venv/bin/python -m bench.backup_data --tree /var/tmp/www --size-mb 1024
    .venv/bin/python -m bench.backup_data --database jaga_bench_site --db-mb 100
    .venv/bin/python -m bench.backup_data --tree /var/tmp/www --change 0.01     # change 1 % of the files
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
from pathlib import Path
from typing import Any

MB = 1024 * 1024
TEXT_SHARE = 0.25  # of the bytes: small PHP / JS / CSS files; the rest are images and PDFs
TEXT_SUFFIXES = (".php", ".php", ".php", ".js", ".css", ".html", ".json", ".txt")
_WORD_TEXT = (
    "function return array echo esc_html get_option wp_enqueue_script add_action apply_filters "
    "perkara putusan sidang jadwal pengadilan negeri panitera hakim mediasi gugatan banding kasasi "
    "var const let document querySelector addEventListener classList toggle display flex margin padding "
    "color background border width height public private static class extends implements namespace use"
)
WORDS = _WORD_TEXT.split()


def _corpus(rng: random.Random, size: int) -> bytes:
    """Code-like text: lines of identifiers, strings and punctuation, as real sources compress (about 3x)."""
    lines: list[str] = []
    total = 0
    while total < size:
        indent = "    " * rng.randint(0, 3)
        words = rng.choices(WORDS, k=rng.randint(2, 9))
        tail = rng.choice(("();", " {", "}", " = '" + rng.choice(WORDS) + "';", ",", ";", ""))
        line = f"{indent}{'_'.join(words[:2])} {' '.join(words[2:])}{tail}{rng.randint(0, 99999)}\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def _text_size(rng: random.Random) -> int:
    return int(min(200_000, max(300, rng.lognormvariate(8.4, 1.0))))  # median about 4.4 KB


def _binary_size(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.02:
        return rng.randint(20 * MB, 60 * MB)  # a video or a long scanned PDF
    if roll < 0.30:
        return rng.randint(1 * MB, 8 * MB)  # a PDF of a ruling, a photo at full size
    return rng.randint(60_000, 900_000)  # thumbnails and web images


def _text_folder(rng: random.Random) -> str:
    top = rng.choices(("wp-admin", "wp-includes", "wp-content/plugins", "wp-content/themes"), (3, 4, 6, 2))[0]
    if top.startswith("wp-content/"):
        top += f"/{rng.choice(WORDS)}-{rng.randint(1, 40)}"
    depth = rng.randint(0, 3)
    return "/".join([top, *(rng.choice(("js", "css", "includes", "src", "lib", "admin", "assets", "vendor",
                                        "templates", "lang")) for _ in range(depth))])  # fmt: skip


def tree_make(root: Path, *, size_mb: int, seed: int = 8) -> dict[str, Any]:
    """A CMS-like web root of about ``size_mb`` MB under ``root`` (which must not exist yet)."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    corpus = _corpus(rng, 8 * MB)
    target = size_mb * MB
    text_target = int(target * TEXT_SHARE)
    counts = {"text_files": 0, "text_bytes": 0, "binary_files": 0, "binary_bytes": 0}
    for name in ("index.php", "wp-config.php", "wp-login.php", ".htaccess", "robots.txt"):
        (root / name).write_bytes(corpus[: rng.randint(300, 4000)])
    while counts["text_bytes"] < text_target:
        size = _text_size(rng)
        folder = root / _text_folder(rng)
        folder.mkdir(parents=True, exist_ok=True)
        start = rng.randrange(0, len(corpus) - size)
        path = folder / f"{rng.choice(WORDS)}-{counts['text_files']}{rng.choice(TEXT_SUFFIXES)}"
        path.write_bytes(corpus[start : start + size])
        counts["text_files"] += 1
        counts["text_bytes"] += size
    while counts["text_bytes"] + counts["binary_bytes"] < target:
        size = min(_binary_size(rng), target - counts["text_bytes"] - counts["binary_bytes"] + 1)
        year = rng.randint(2016, 2026)
        folder = root / "wp-content" / "uploads" / str(year) / f"{rng.randint(1, 12):02d}"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = ".pdf" if rng.random() < 0.4 else rng.choice((".jpg", ".jpg", ".png", ".webp"))
        head = b"%PDF-1.7\n" if suffix == ".pdf" else b"\xff\xd8\xff\xe0\x00\x10JFIF"
        with (folder / f"berkas-{counts['binary_files']}{suffix}").open("wb") as handle:
            handle.write(head)
            left = size - len(head)
            while left > 0:
                chunk = min(left, 4 * MB)
                handle.write(rng.randbytes(chunk))
                left -= chunk
        counts["binary_files"] += 1
        counts["binary_bytes"] += size
    return {**counts, "files": counts["text_files"] + counts["binary_files"] + 5, "seed": seed}


def tree_change(root: Path, *, fraction: float, seed: int = 9) -> dict[str, Any]:
    """Change ``fraction`` of the files (by count): text files get a line edited and one appended, binary
    files get 64 KB rewritten in the middle, as an editor and an upload replacement would."""
    rng = random.Random(seed)
    files = sorted(str(path) for path in root.rglob("*") if path.is_file())
    chosen = rng.sample(files, max(1, round(len(files) * fraction)))
    changed_bytes = 0
    for name in chosen:
        path = Path(name)
        data = bytearray(path.read_bytes())
        if path.suffix in (".pdf", ".jpg", ".png", ".webp"):
            at = len(data) // 2
            patch = rng.randbytes(min(64 * 1024, max(1, len(data) - at)))
            data[at : at + len(patch)] = patch
        else:
            data += f"\n// diubah {rng.randint(0, 10**9)}\n".encode()
            if data:
                data[rng.randrange(len(data))] = ord("x")
        path.write_bytes(bytes(data))
        changed_bytes += len(data)
    return {"files_changed": len(chosen), "bytes_of_changed_files": changed_bytes, "of_files": len(files)}


def _mariadb(sql: str, *, database: str = "", host: str = "127.0.0.1", port: int = 3306) -> str:
    args = ["mariadb", "-h", host, "-P", str(port), "-u", "root", "-N", "-B", "-e", sql]
    if database:
        args.append(database)
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def database_make(name: str, *, db_mb: int, host: str = "127.0.0.1", port: int = 3306) -> dict[str, Any]:
    """A WordPress-like database of about ``db_mb`` MB of dump on the server (dropped first if it exists)."""
    _mariadb(f"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}`", host=host, port=port)
    # Dump bytes per row, measured: posts ~1.16 KB, postmeta ~107 B, perkara ~295 B.
    posts = max(1, int(db_mb * 0.55 * MB / 1160))
    meta = max(1, int(db_mb * 0.25 * MB / 107))
    cases = max(1, int(db_mb * 0.20 * MB / 295))
    statements = f"""
        CREATE TABLE wp_posts (ID BIGINT PRIMARY KEY, post_author BIGINT, post_date DATETIME,
          post_title TEXT, post_content LONGTEXT, post_status VARCHAR(20), post_name VARCHAR(200),
          KEY (post_date)) ENGINE=InnoDB;
        CREATE TABLE wp_postmeta (meta_id BIGINT PRIMARY KEY, post_id BIGINT, meta_key VARCHAR(255),
          meta_value LONGTEXT, KEY (post_id)) ENGINE=InnoDB;
        CREATE TABLE wp_options (option_id BIGINT PRIMARY KEY, option_name VARCHAR(191) UNIQUE,
          option_value LONGTEXT, autoload VARCHAR(20)) ENGINE=InnoDB;
        CREATE TABLE perkara (id BIGINT PRIMARY KEY, nomor VARCHAR(80), klasifikasi VARCHAR(100),
          para_pihak TEXT, tanggal_daftar DATE, status VARCHAR(40), amar TEXT) ENGINE=InnoDB;
        INSERT INTO wp_posts SELECT seq, 1 + seq % 7, '2016-01-01' + INTERVAL (seq % 3900) DAY,
          CONCAT('Pengumuman ', seq, ' ', LEFT(SHA2(seq, 256), 20)),
          CONCAT('<p>', REPEAT(CONCAT(SHA2(seq, 512), ' sidang perkara '), 7), '</p>'),
          IF(seq % 11, 'publish', 'draft'), CONCAT('pengumuman-', seq) FROM seq_1_to_{posts};
        INSERT INTO wp_postmeta SELECT seq, 1 + seq % {posts}, CONCAT('_meta_', seq % 40),
          CONCAT('a:1:{{s:4:"file";s:32:"', MD5(seq), '";}}') FROM seq_1_to_{meta};
        INSERT INTO wp_options SELECT seq, CONCAT('option_', seq), REPEAT(MD5(seq), 3), 'yes'
          FROM seq_1_to_500;
        INSERT INTO perkara SELECT seq, CONCAT(seq, '/Pdt.G/', 2016 + seq % 11, '/PN Bil'),
          ELT(1 + seq % 4, 'Wanprestasi', 'Perbuatan Melawan Hukum', 'Cerai Gugat', 'Pidana Biasa'),
          CONCAT('Penggugat ', MD5(seq), ' melawan Tergugat ', MD5(seq + 1)),
          '2016-01-01' + INTERVAL (seq % 3900) DAY, ELT(1 + seq % 3, 'Putus', 'Sidang', 'Banding'),
          CONCAT('Mengadili: ', SHA2(seq, 512)) FROM seq_1_to_{cases};
    """
    _mariadb(statements, database=name, host=host, port=port)
    counts = {table: int(_mariadb(f"SELECT COUNT(*) FROM {table}", database=name, host=host, port=port))
              for table in ("wp_posts", "wp_postmeta", "wp_options", "perkara")}  # fmt: skip
    return {"database": name, "tables": counts}


def database_drop(name: str, *, host: str = "127.0.0.1", port: int = 3306) -> None:
    _mariadb(f"DROP DATABASE IF EXISTS `{name}`", host=host, port=port)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, help="the web root to make (a new folder), or to change")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--change", type=float, default=0.0, help="change this fraction of the tree's files")
    parser.add_argument("--database", default="", help="a MariaDB database to make on the server")
    parser.add_argument("--db-mb", type=int, default=100)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if args.tree and args.change:
        report["change"] = tree_change(args.tree, fraction=args.change, seed=args.seed + 1)
    elif args.tree:
        report["tree"] = tree_make(args.tree, size_mb=args.size_mb, seed=args.seed)
    if args.database:
        report["database"] = database_make(args.database, db_mb=args.db_mb)
    print(json.dumps(report, indent=2))
    return 0 if report else os.EX_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
