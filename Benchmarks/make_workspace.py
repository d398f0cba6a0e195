#!/usr/bin/env python3
"""Writes a workspace of N sealed secrets with PyNaCl, following DESIGN.md §3 (format 1).

usage: make_workspace.py ROOT WORKSPACE_ID N AGE1_RECIPIENT
Values are 40 random URL-safe characters. Loopseal reading these files is itself an interop check.
"""
import base64
import os
import secrets
import sys
import uuid

import nacl.bindings
from age_keys import bech32_data
from nacl.public import PublicKey, SealedBox


def main():
    root, workspace, count, recipient = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    directory = os.path.join(root, "workspaces", workspace)
    os.makedirs(os.path.join(directory, "secrets"), exist_ok=True)
    with open(os.path.join(directory, "workspace.yaml"), "w") as f:
        f.write("workspace: %s\nrecipients:\n  bench: %s\ntargets: []\n" % (workspace, recipient))
    box = SealedBox(PublicKey(bech32_data(recipient)))
    for i in range(count):
        key = "SECRET_%05d" % i
        value = secrets.token_urlsafe(30).encode()
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
