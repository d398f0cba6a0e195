#!/usr/bin/env python3
"""Opens Loopseal sealed files with PyNaCl, independently of Loopseal, following DESIGN.md §3.

usage: pynacl_open.py WORKSPACE_ID FILE...   (identity text, AGE-SECRET-KEY-1…, on stdin)
Prints a JSON object {KEY: value} (values as UTF-8 text) to stdout.
"""
import base64
import json
import sys

import nacl.bindings
import yaml
from nacl.public import PrivateKey, SealedBox

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_decode(text):
    """BIP 173 bech32 (what age uses), written here from the spec, not shared with Loopseal."""
    text = text.strip().lower()
    pos = text.rindex("1")
    hrp, data = text[:pos], [CHARSET.index(c) for c in text[pos + 1:]]

    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if ((top >> i) & 1) else 0
        return chk

    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    assert polymod(expanded + data) == 1, "bad bech32 checksum"
    acc, bits, out = 0, 0, []
    for v in data[:-6]:
        acc = (acc << 5) | v
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return hrp, bytes(out)


def main():
    workspace, files = sys.argv[1], sys.argv[2:]
    identity = next(l for l in sys.stdin.read().splitlines() if l.startswith("AGE-SECRET-KEY-1"))
    hrp, secret = bech32_decode(identity)
    assert hrp == "age-secret-key-", hrp
    private = PrivateKey(secret)
    out = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        assert doc["loopseal"] == 1
        mine = None
        for recipient, sealed in doc["recipients"].items():
            _, pk = bech32_decode(recipient)
            if pk == bytes(private.public_key):
                mine = base64.b64decode(sealed)
        assert mine is not None, "identity is not a recipient of " + path
        data_key = SealedBox(private).decrypt(mine)
        blob = base64.b64decode(doc["value"])
        nonce, ciphertext = blob[:24], blob[24:]
        aad = ("loopseal/1/%s/%s" % (workspace, doc["key"])).encode()
        value = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, aad, nonce, data_key)
        out[doc["key"]] = value.decode("utf-8")
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
