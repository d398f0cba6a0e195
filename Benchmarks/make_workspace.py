#!/usr/bin/env python3
"""Writes a workspace of N sealed secrets with PyNaCl, following DESIGN.md §3 (format 1).

usage: make_workspace.py ROOT WORKSPACE_ID N AGE1_RECIPIENT [plain|mixed]
Values are 40 random URL-safe characters (plain, the default); `mixed` makes most of them the
kind that needs quoting in dotenv (quotes, backslashes, `${VAR}`, `#`, spaces, newlines, CR LF,
non-ASCII, a trailing backslash). Loopseal reading these files is itself an interop check.
"""
import base64
import os
import secrets
import sys
import uuid

import nacl.bindings
from age_keys import bech32_data
from nacl.public import PublicKey, SealedBox


MIXED = [
    "p@ss'word\"{0}\"",
    "C:\\Users\\{0}\\",
    "postgres://u:{0}@db:5432/app?sslmode=require#frag",
    "${{HOME}}/{0} and $PATH",
    "  leading and trailing spaces {0}  ",
    "-----BEGIN KEY-----\n{0}\n{0}\n-----END KEY-----\n",
    "windows\r\nline {0}\r\n",
    "caf\u00e9 \u2603 \U0001f511 {0}",
    "value # not a comment {0}",
    "{0}=with=equals",
]


def value_for(i, mode):
    token = secrets.token_urlsafe(30)
    if mode == "plain" or i % (len(MIXED) + 1) == len(MIXED):
        return token.encode()
    return MIXED[i % (len(MIXED) + 1)].format(token).encode()


def main():
    root, workspace, count, recipient = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    mode = sys.argv[5] if len(sys.argv) > 5 else "plain"
    if mode not in ("plain", "mixed"):
        sys.exit("values must be plain or mixed")
    directory = os.path.join(root, "workspaces", workspace)
    os.makedirs(os.path.join(directory, "secrets"), exist_ok=True)
    with open(os.path.join(directory, "workspace.yaml"), "w") as f:
        f.write("workspace: %s\nrecipients:\n  bench: %s\ntargets: []\n" % (workspace, recipient))
    box = SealedBox(PublicKey(bech32_data(recipient)))
    for i in range(count):
        key = "SECRET_%05d" % i
        value = value_for(i, mode)
        data_key, nonce = os.urandom(32), os.urandom(24)
        aad = ("loopseal/1/%s/%s" % (workspace, key)).encode()
        ct = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(value, aad, nonce, data_key)
        with open(os.path.join(directory, "secrets", key + ".sealed"), "w") as f:
            f.write("# Sealed by loopseal. Change it with `loopseal set`; do not edit by hand.\n")
            f.write("loopseal: 1\nid: %s\nkey: %s\nvalue: %s\nrecipients:\n  %s: %s\n" % (
                uuid.uuid4(), key, base64.b64encode(nonce + ct).decode(), recipient,
                base64.b64encode(box.encrypt(data_key)).decode()))


if __name__ == "__main__":
    main()
