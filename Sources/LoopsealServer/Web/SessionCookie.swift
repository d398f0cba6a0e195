import LoopsealCrypto

/// A web session carried by the browser itself: the `loopseal_session` cookie's value when the
/// server has a session key (`serve --session-key`), so any replica holding the same key accepts
/// it and nothing is kept on the server.
///
/// The value reads `v1.<token id>.<csrf>.<expires>.<mac>`: the format version, the id of the
/// token signed in with (12 hex digits), the session's CSRF token (64 hex digits, random per
/// sign-in), the end of the session in whole seconds since 1970, and the keyed BLAKE2b-256 tag
/// (``MACKey``) of `"loopseal/web-session\n"` followed by the first four fields as written. The
/// tag is compared in constant time; another version, a field out of shape, a wrong tag or an
/// end in the past (or further ahead than a session lasts) is refused. The cookie holds no
/// token and no value: only what a request must check the token record against.
enum SessionCookie {
    /// The version this server writes and accepts.
    static let version = "v1"
    /// What the tag covers before the fields: no tag made for anything else can match one.
    private static let domain = Array("loopseal/web-session\n".utf8)
    /// The longest value looked at; a signed value is about 160 characters.
    private static let maxLength = 256

    /// The cookie value of `session`'s fields, signed with `key`.
    static func value(tokenID: String, csrf: String, expires: Int, key: MACKey) -> String {
        let fields = "\(version).\(tokenID).\(csrf).\(expires)"
        return "\(fields).\(Hash.hex(key.tag(domain + Array(fields.utf8))))"
    }

    /// The session in cookie value `value`, or nil when it is not one `key` signed, or has
    /// ended at `now`, or ends more than `lifetime` seconds (plus a minute of clock skew)
    /// after `now`.
    static func session(_ value: String, key: MACKey, now: Double, lifetime: Double) -> WebSession? {
        guard value.utf8.count <= maxLength else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == version, isHex(parts[1], count: 12), isHex(parts[2], count: 64),
              isHex(parts[4], count: 2 * MACKey.tagLength), let tag = bytes(hex: parts[4]),
              (1...12).contains(parts[3].utf8.count), parts[3].utf8.allSatisfy({ (48...57).contains($0) }),
              let expires = Int(parts[3]) else { return nil }
        let fields = parts[0...3].joined(separator: ".")
        guard key.verify(tag, for: domain + Array(fields.utf8)) else { return nil }
        guard Double(expires) > now, Double(expires) <= now + lifetime + 60 else { return nil }
        return WebSession(id: value, tokenID: parts[1], csrf: parts[2], expires: Double(expires))
    }

    private static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        func nibble(_ digit: UInt8) -> UInt8 { digit <= 57 ? digit - 48 : digit - 87 }
        return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }
}
