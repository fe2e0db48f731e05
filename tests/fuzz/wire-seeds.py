#!/usr/bin/python3
"""wire-seeds.py SUITEBENCH OUTDIR - seed inputs for fuzz_wire from real
connections: `suitebench run --pcap` of a few scenarios, each pcap turned
into fuzz_wire's form (fuzz_wire.c: a mode byte, then per send a control
byte, a length byte and the bytes).  Run once; the seeds are committed."""

import os
import struct
import subprocess
import sys
import tempfile

SCENARIOS = [  # (backend, protocol, suite, explicit nonce bytes)
    ("wolfssl", "dtls1.3", "tls13-ecdhe-ecdsa-gcm", 0),
    ("wolfssl", "tls1.3", "tls13-psk-gcm", 0),
    ("openssl", "dtls1.2", "psk-ccm8", 8),
    ("openssl", "dtls1.2", "ecdhe-ecdsa-gcm", 8),
    ("mbedtls", "dtls1.2", "ecdhe-ecdsa-chacha20", 0),
    ("openssl", "tls1.2", "psk-ccm8", 8),
    ("bearssl", "tls1.2", "ecdhe-ecdsa-gcm", 8),
    ("mbedtls", "tls1.2", "ecdhe-ecdsa-chacha20", 0),
]


def sends(pcap):
    """(direction, payload) of each packet: raw IPv4, UDP or TCP."""
    at = 24
    while at + 16 <= len(pcap):
        incl = struct.unpack_from("<I", pcap, at + 8)[0]
        frame = pcap[at + 16:at + 16 + incl]
        at += 16 + incl
        ihl = (frame[0] & 0x0F) * 4
        direction = 0 if frame[12:16] == bytes([10, 0, 0, 1]) else 1
        if frame[9] == 17:
            yield direction, frame[ihl + 8:]
        else:
            yield direction, frame[ihl + (frame[ihl + 12] >> 4) * 4:]


def seed(pcap, stream, nonce, dtls13):
    out = bytearray([(1 if stream else 0) | (2 if nonce else 0) | 4
                     | (8 if dtls13 else 0)])
    for i, (direction, data) in enumerate(sends(pcap)):
        data = data[:0x3FFF]
        ctl = direction | (len(data) >> 8) << 1 | (0x80 if i % 3 == 2 else 0)
        out += bytes([ctl, len(data) & 0xFF]) + data
    return bytes(out)


def main(tool, outdir):
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for backend, proto, suite, nonce in SCENARIOS:
            path = os.path.join(tmp, "c.pcap")
            subprocess.run([tool, "run", "--backend", backend, "--protocol",
                            proto, "--suite", suite, "--deterministic",
                            "--payload", "16", "--reps", "1", "--warmup",
                            "1", "--budget", "0", "-q", "--pcap", path],
                           check=True)
            with open(path, "rb") as f:
                data = seed(f.read(), proto.startswith("tls"), nonce,
                            proto == "dtls1.3")
            name = f"{proto}-{suite}-{backend}"
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
