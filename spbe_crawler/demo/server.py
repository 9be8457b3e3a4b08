"""``DemoWeb``: the whole offline demo web on 127.0.0.1, started in-process (threads, no root).

    with DemoWeb(tmp_dir) as web:
        os.environ.update(web.env)   # SPBE_CONNECT_TO_FILE, SPBE_ALLOWED_NETWORKS, SSL_CERT_FILE
        ...                          # survey https://bandarlampungkota.go.id/ as if it were online

The crawler reaches it through the connect-to routes of ``spbe_crawler.net.policy`` (the same code
path as the real internet); ``manifest`` says what the survey should find on every host.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from spbe_crawler.demo.assets import PORTALS_DIR, PROBLEM_PAGES_DIR, scan_portals, scan_problem_pages
from spbe_crawler.demo.httpd import DemoHTTPServer, DemoHTTPSServer
from spbe_crawler.demo.manifest import Ports, build_manifest, registry_rows, route_lines, write_registry
from spbe_crawler.demo.plan import PLAN_FILE, load_plan
from spbe_crawler.demo.rawservers import Blackhole, Drip, refused_port
from spbe_crawler.demo.region import Region, build_region
from spbe_crawler.demo.sites import DemoApp
from spbe_crawler.demo.tls import DemoTLS
from spbe_crawler.demo.units import read_opds, read_units

TLS_BEHAVIOURS = ("tls_expired", "tls_self_signed", "tls_wrong_host")


class DemoWeb:
    """The demo web. ``start()`` builds the region, starts every server and writes the files."""

    def __init__(
        self,
        directory: str | Path,
        *,
        bind: str = "127.0.0.1",
        problem_pages_dir: Path = PROBLEM_PAGES_DIR,
        portals_dir: Path = PORTALS_DIR,
        plan_file: Path = PLAN_FILE,
        wilayah_file: Path | None = None,
        opd_file: Path | None = None,
        today: Callable[[], date] = date.today,
        drip_interval: float = 1.0,
    ):
        self.directory = Path(directory)
        self.bind = bind
        self._sources = (Path(problem_pages_dir), Path(portals_dir), Path(plan_file), wilayah_file, opd_file)
        self.today = today
        self.drip_interval = drip_interval
        self.routes_file = self.directory / "routes.txt"
        self.ca_file = self.directory / "demo-ca.pem"
        self.registry_csv = self.directory / "registry.csv"
        self.manifest_file = self.directory / "manifest.json"
        self.bands_file = self.directory / "assessor-bands.json"
        self.bands: dict[str, Any] = {}  # framework + indicator -> [lowest, highest] assessor level
        self.region: Region | None = None
        self.manifest: dict[str, dict[str, Any]] = {}
        self.env: dict[str, str] = {}
        self.ports: Ports | None = None
        self._servers: list[Any] = []
        self._threads: list[threading.Thread] = []

    @property
    def http_port(self) -> int:
        return self._require_ports().http

    @property
    def https_port(self) -> int:
        return self._require_ports().https

    def _require_ports(self) -> Ports:
        if self.ports is None:
            raise RuntimeError("web demo belum dijalankan (panggil start())")
        return self.ports

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> DemoWeb:
        if self._servers:
            return self
        self.directory.mkdir(parents=True, exist_ok=True)
        self.region = self._build_region()
        tls = self._tls(self.region)
        app = DemoApp(self.region, self.today)
        self._start_servers(app, tls)
        self._write_files()
        self.env = {
            "SPBE_CONNECT_TO_FILE": str(self.routes_file),
            "SPBE_ALLOWED_NETWORKS": "127.0.0.0/8",
            "SSL_CERT_FILE": str(self.ca_file),
        }
        return self

    def _build_region(self) -> Region:
        problem_dir, portals_dir, plan_file, wilayah_file, opd_file = self._sources
        plan = load_plan(plan_file)
        code = str(plan["pemda_code"])
        return build_region(
            plan, read_units(code, wilayah_file), read_opds(code, opd_file), scan_problem_pages(problem_dir), scan_portals(portals_dir)
        )

    def _tls(self, region: Region) -> DemoTLS:
        special = {host: s.behaviour for host, s in region.sites.items() if s.behaviour in TLS_BEHAVIOURS}
        tls = DemoTLS(self.directory, region.root, special, set(region.sites))
        self.ca_file = tls.ca_file
        return tls

    def _start_servers(self, app: DemoApp, tls: DemoTLS) -> None:
        http = DemoHTTPServer((self.bind, 0), app)
        https = DemoHTTPSServer((self.bind, 0), app, tls)
        blackhole = Blackhole(self.bind)
        drip_http = Drip(self.bind, self.drip_interval)
        drip_https = Drip(self.bind, self.drip_interval, tls=lambda: tls.server_context)
        self._servers = [http, https, blackhole, drip_http, drip_https]
        for server in (http, https):
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name=f"demo-{server.scheme}", daemon=True)
            thread.start()
            self._threads.append(thread)
        for listener in (blackhole, drip_http, drip_https):
            listener.start()
        self.ports = Ports(
            http.server_address[1], https.server_address[1], refused_port(self.bind), blackhole.port, drip_http.port, drip_https.port
        )

    def _write_files(self) -> None:
        region, ports = self.region, self._require_ports()
        assert region is not None
        self.manifest = build_manifest(region, self.today())
        self.routes_file.write_text("\n".join(route_lines(region, ports, self.bind)) + "\n", encoding="utf-8")
        write_registry(self.registry_csv, registry_rows(region))
        self.manifest_file.write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        raw = region.plan.data.get("assessor_bands") or {}
        self.bands = {"framework": raw.get("framework"), "bands": {int(k): list(v) for k, v in (raw.get("bands") or {}).items()}}
        self.bands_file.write_text(json.dumps(self.bands, indent=2) + "\n", encoding="utf-8")

    def stop(self) -> None:
        for server in self._servers:
            if isinstance(server, DemoHTTPServer):
                server.shutdown()
                server.server_close()
            else:
                server.stop()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers, self._threads = [], []
