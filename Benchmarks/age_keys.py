"""Decodes age's bech32 keys (`age1…`, `AGE-SECRET-KEY-1…`) for the benchmark scripts."""

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_data(text):
    """The key bytes of a bech32 string (checksum not verified: inputs come from loopseal keygen)."""
    text = text.strip().lower()
    values = [CHARSET.index(c) for c in text[text.rindex("1") + 1:]][:-6]
    acc, bits, out = 0, 0, []
    for v in values:
        acc, bits = (acc << 5) | v, bits + 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)
