#!/usr/bin/env python3
"""The peer for `loopseal export`: opens every sealed file of a workspace with PyNaCl in one
process (read, parse, unseal the data key, decrypt the value) and prints KEY='value' lines.

usage: pynacl_export.py ROOT WORKSPACE_ID IDENTITY_FILE
"""
import base64
import os
import sys

import nacl.bindings
from age_keys import bech32_data
from nacl.public import PrivateKey, SealedBox


def main():
    root, workspace, identity_file = sys.argv[1:4]
    secret = next(l for l in open(identity_file) if l.startswith("AGE-SECRET-KEY-1"))
    private = PrivateKey(bech32_data(secret))
    box = SealedBox(private)
    directory = os.path.join(root, "workspaces", workspace, "secrets")
    out = []
    for name in sorted(os.listdir(directory)):
        fields, recipients = {}, {}
        with open(os.path.join(directory, name)) as f:
            for line in f:
                if line.startswith("  "):
                    k, v = line.strip().split(": ", 1)
                    recipients[k] = v
                elif not line.startswith("#") and ": " in line:
                    k, v = line.rstrip("\n").split(": ", 1)
                    fields[k] = v
        data_key = box.decrypt(base64.b64decode(next(iter(recipients.values()))))
        blob = base64.b64decode(fields["value"])
        aad = ("loopseal/1/%s/%s" % (workspace, fields["key"])).encode()
        value = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(blob[24:], aad, blob[:24], data_key)
        out.append("%s='%s'\n" % (fields["key"], value.decode()))
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
