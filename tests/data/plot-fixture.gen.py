#!/usr/bin/python3
"""plot-fixture.gen.py - writes plot-fixture.csv and
plot-fixture.provenance.txt beside itself.

FIXTURE, NOT MEASUREMENTS.  Every number in the output is invented, to
exercise plots/suitebench-plot with every kind of row suitebench writes or
will write: DTLS 1.2 and TLS 1.2, three libraries, cross pairs
(client != server), unsupported and failed scenarios, static_ram,
stack_peak and ram_total, and
code_* rows for the prebuilt, tailored and cortex-m4 builds.  The OpenSSL
DTLS figures are loosely modelled on one real run; the others are only
plausible in shape.  Every row carries the warning "fixture".
Regenerate with:  /usr/bin/python3 tests/data/plot-fixture.gen.py
"""

import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ["client", "server", "protocol", "kx", "suite", "payload", "side",
           "metric", "unit", "status", "reason", "n", "median", "p25", "p75",
           "min", "max", "mad", "warnings", "build", "granularity",
           "digest", "conditions", "aead", "payload_label"]
AEADS = {"psk-ccm8": "aes-128-ccm-8", "ecdhe-ecdsa-gcm": "aes-128-gcm",
         "ecdhe-ecdsa-chacha20": "chacha20-poly1305"}
WARN = "fixture"

# name, kx, tag + explicit nonce bytes, AEAD cost per byte (cycles)
SUITES = [("psk-ccm8", "psk", 16, 1.9),
          ("ecdhe-ecdsa-gcm", "ecdhe-ecdsa", 24, 0.6),
          ("ecdhe-ecdsa-chacha20", "ecdhe-ecdsa", 16, 1.1)]
PAIRS = {"dtls1.2": [("openssl", "openssl"), ("mbedtls", "mbedtls"),
                     ("openssl", "mbedtls"), ("bearssl", "bearssl")],
         "tls1.2": [("openssl", "openssl"), ("mbedtls", "mbedtls"),
                    ("bearssl", "bearssl"), ("bearssl", "openssl")]}
# library -> (handshake kcycles: psk client, psk server, ecdsa client,
# ecdsa server; record fixed cycles; heap client, heap server)
LIBS = {"openssl": (65, 66, 980, 445, 480, 90816, 90304),
        "mbedtls": (150, 160, 3400, 1750, 900, 38200, 41900),
        "bearssl": (None, None, 2150, 1180, 350, None, None)}
STATIC_RAM = {"client": 36944, "server": 37328}
# caller-owned objects of a heap library, and each library's stack during
# the handshake (client, server; ECDSA adds 2 KiB)
HEAP_LIB_STATIC = {"openssl": 0, "mbedtls": 1160}
STACK = {"openssl": (2944, 3008), "mbedtls": (2104, 2264),
         "bearssl": (3800, 4900)}
PAYLOADS = [16, 256, 1024]
MTU = 1232


def unsupported(proto, suite, kx, pair):
    for side, lib in zip(("client", "server"), pair):
        if lib == "bearssl" and proto.startswith("dtls"):
            return f"{side} bearssl: BearSSL has no DTLS"
        if lib == "bearssl" and "psk" in kx:
            return f"{side} bearssl: BearSSL has no PSK cipher suites"
    return None


def num(v):
    return f"{v:.0f}" if v == int(v) else f"{v:.6g}"


class Out:
    def __init__(self):
        self.rows = []

    def add(self, key, payload, side, metric, unit, median, spread=0.0,
            n=20, build="", granularity="", label=None):
        lo, hi = median * (1 - spread), median * (1 + 1.5 * spread)
        lo, hi = round(lo), round(hi)
        self.rows.append(list(key) + [
            "" if payload is None else str(payload), side, metric, unit,
            "ok", "", str(n), num(median), num(lo), num(hi), num(lo),
            num(round(hi * 1.1) if spread else hi), num(round(median * spread / 2)),
            WARN, build, granularity, "", "", AEADS.get(key[4], ""),
            "" if payload is None else (label or str(payload))])

    def na(self, key, status, reason, metric="scenario", side="both",
           build="", granularity=""):
        self.rows.append(list(key) + ["", side, metric, "", status, reason,
                                      "", "", "", "", "", "", "", WARN,
                                      build, granularity, "", "",
                                      AEADS.get(key[4], ""), ""])


def flights(proto, kx, client, server):
    """Bytes per flight, by sender; DTLS has the cookie round trip."""
    cert = 800 if "ecdsa" in kx else 0
    extra = 8 if "mbedtls" in (client, server) else 0
    if proto.startswith("dtls"):
        return [("client", 87 + extra + (47 if cert else 0)),
                ("server", 60),
                ("client", 119 + extra + (47 if cert else 0)),
                ("server", 131 + cert + extra),
                ("client", 111 + (47 if cert else 0)),
                ("server", 67)]
    return [("client", 59 + extra + (47 if cert else 0)),
            ("server", 83 + cert + extra),
            ("client", 62 + (47 if cert else 0)),
            ("server", 51)]


def scenario(out, proto, suite, kx, tagnonce, perbyte, pair):
    key = (pair[0], pair[1], proto, kx, suite)
    reason = unsupported(proto, suite, kx, pair)
    if reason:
        out.na(key, "unsupported", reason)
        return
    if proto == "tls1.2" and pair == ("mbedtls", "mbedtls") and \
            suite == "ecdhe-ecdsa-chacha20":
        out.na(key, "failed", "handshake did not complete: server "
               "mbedtls: fixture failure to exercise the failed style")
        return
    ecdsa = "ecdsa" in kx
    libs = dict(zip(("client", "server"), pair))
    for side, lib in libs.items():
        p = LIBS[lib]
        stack = STACK[lib][0 if side == "client" else 1] + \
            (2048 if ecdsa else 0)
        if p[5] is None:
            static, heap = STATIC_RAM[side], 0
        else:
            static = HEAP_LIB_STATIC[lib]
            heap = (p[5] if side == "client" else p[6]) + \
                (24000 if ecdsa else 0)
            out.add(key, None, side, "heap_peak", "bytes", heap, 0.001)
        out.add(key, None, side, "static_ram", "bytes", static, n=1)
        out.add(key, None, side, "stack_peak", "bytes", stack, n=1)
        out.add(key, None, side, "ram_total", "bytes", heap + static + stack,
                0.001)
    tls_less = 0.93 if proto == "tls1.2" else 1.0
    for side, lib in libs.items():
        p = LIBS[lib]
        k = (p[2] if side == "client" else p[3]) if ecdsa else \
            (p[0] if side == "client" else p[1])
        out.add(key, None, side, "handshake_cycles", "cycles",
                round(k * 1000 * tls_less), 0.02)
    fl = flights(proto, kx, *pair)
    sent = {"client": 0, "server": 0}
    for side, b in fl:
        sent[side] += b
    for side in ("client", "server"):
        out.add(key, None, side, "handshake_bytes", "bytes", sent[side])
    out.add(key, None, "both", "handshake_bytes", "bytes",
            sent["client"] + sent["server"])
    out.add(key, None, "both", "handshake_flights", "flights", len(fl))
    for i, (side, b) in enumerate(fl, 1):
        out.add(key, None, side, f"flight{i}_bytes", "bytes", b)
    header = 13 if proto.startswith("dtls") else 5
    overhead = header + tagnonce
    # As the runner does for --payload max: the largest payload whose
    # record fits the MTU, then a record of that size labelled "max".
    largest = MTU - overhead
    for side in ("client", "server"):
        out.add(key, None, side, "max_payload", "bytes", largest, n=1)
    for payload in PAYLOADS + [largest]:
        label = "max" if payload == largest else None
        for side, lib in libs.items():
            fixed = LIBS[lib][4]
            out.add(key, payload, side, "encrypt_cycles", "cycles",
                    round(fixed + perbyte * payload * (1.2 if lib ==
                          "mbedtls" else 1.0), 1), 0.005, label=label)
            out.add(key, payload, "server" if side == "client" else
                    "client", "decrypt_cycles", "cycles",
                    round(fixed * 1.5 + perbyte * payload, 1), 0.005,
                    label=label)
            out.add(key, payload, side, "record_overhead", "bytes",
                    overhead, label=label)
            if LIBS[lib][5] is not None:
                base = LIBS[lib][5] if side == "client" else LIBS[lib][6]
                out.add(key, payload, side, "heap_peak", "bytes",
                        round(base * 0.87), n=1, label=label)


# build -> library -> (granularity, text, rodata, data, bss) for the
# client; the server is 15% larger.  Per-suite builds vary by suite.
CODE = {"prebuilt": {"openssl": ("whole-library", 1480000, 402000, 38000,
                                 2900),
                     "mbedtls": ("whole-library", 352000, 61000, 1200, 40),
                     "bearssl": ("per-suite", 61000, 9800, 0, 0)},
        "tailored": {"mbedtls": ("per-suite", 71000, 6200, 400, 16),
                     "bearssl": ("per-suite", 43000, 7100, 0, 0)},
        "cortex-m4": {"mbedtls": ("per-suite", 47000, 5100, 280, 12),
                      "bearssl": ("per-suite", 24500, 6900, 0, 0)}}
SUITE_SIZE = {"psk-ccm8": 0.45, "ecdhe-ecdsa-gcm": 1.05,
              "ecdhe-ecdsa-chacha20": 1.08}


def code_rows(out):
    for build, libs in CODE.items():
        sides = ("client",) if build == "cortex-m4" else ("client",
                                                          "server")
        for name, kx, _, _ in SUITES:
            for lib in ("openssl", "mbedtls", "bearssl"):
                proto = "tls1.2" if lib == "bearssl" else "dtls1.2"
                key = (lib, lib, proto, kx, name)
                if lib not in libs:
                    if build == "cortex-m4" and lib == "openssl":
                        out.na(key, "unsupported", "openssl: no bare-metal "
                               "Cortex-M4 build of OpenSSL", "code_text",
                               "client", build, "per-suite")
                    continue
                gran, *sizes = libs[lib]
                if lib == "bearssl" and "psk" in kx:
                    out.na(key, "unsupported", "bearssl: BearSSL has no "
                           "PSK cipher suites", "code_text", "both", build,
                           gran)
                    continue
                scale = SUITE_SIZE[name] if gran == "per-suite" else 1.0
                for side in sides:
                    grow = 1.15 if side == "server" else 1.0
                    for metric, v in zip(("code_text", "code_rodata",
                                          "code_data", "code_bss"), sizes):
                        out.add(key, None, side, metric, "bytes",
                                round(v * scale * grow), n=1, build=build,
                                granularity=gran)


def main():
    out = Out()
    for proto, pairs in PAIRS.items():
        for name, kx, tagnonce, perbyte in SUITES:
            for pair in pairs:
                scenario(out, proto, name, kx, tagnonce, perbyte, pair)
    code_rows(out)
    with open(os.path.join(HERE, "plot-fixture.csv"), "w", newline="",
              encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(COLUMNS)
        w.writerows(out.rows)
    with open(os.path.join(HERE, "plot-fixture.provenance.txt"), "w",
              encoding="utf-8") as f:
        f.write("""\
fixture: FIXTURE, NOT MEASUREMENTS - invented rows for tests/plots/plot_test.sh, written by tests/data/plot-fixture.gen.py
tool: suitebench (fixture)
command: /usr/bin/python3 tests/data/plot-fixture.gen.py
date: 2026-01-01T00:00:00Z (fixture)
system: fixture
cpu: FIXTURE (no machine: invented numbers)
cycle_source: fixture; unit: TSC cycles
cycle_frequency_hz: 2600000000
compiler: fixture
build_type: fixture
library_openssl: OpenSSL 3.0 (fixture)
library_mbedtls: Mbed TLS 2.28 (fixture)
library_bearssl: BearSSL 0.6 (fixture)
mtu: 1232
""")


if __name__ == "__main__":
    main()
