"""``python -m spbe_crawler.demo [--dir var/demo]``: run the demo web until Ctrl-C.

Prints the environment lines that point a crawler (or ``curl``) at it.
"""

from __future__ import annotations

import argparse
import shlex
import threading
from collections import Counter

from spbe_crawler.demo.server import DemoWeb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spbe_crawler.demo", description="Jalankan web demo SPBE (Kota Bandar Lampung) di 127.0.0.1."
    )
    parser.add_argument("--dir", default="var/demo", help="direktori berkas rute, CA, registri dan manifes")
    args = parser.parse_args(argv)
    with DemoWeb(args.dir) as web:
        for name, value in web.env.items():
            print(f"export {name}={shlex.quote(value)}")
        statuses = Counter(entry["expected_status"] for entry in web.manifest.values() if entry["routed"])
        print(f"# Web demo berjalan: {sum(statuses.values())} host, HTTP di port {web.http_port}, HTTPS di port {web.https_port}.")
        print(f"# Registri: {web.registry_csv}  Manifes: {web.manifest_file}")
        print(
            f"# Contoh: curl --cacert {shlex.quote(str(web.ca_file))} --connect-to "
            f"bandarlampungkota.go.id:443:127.0.0.1:{web.https_port} https://bandarlampungkota.go.id/"
        )
        print("# Tekan Ctrl-C untuk berhenti.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\n# Web demo dihentikan.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
