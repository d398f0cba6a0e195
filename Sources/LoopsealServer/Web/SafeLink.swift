/// Decides whether a link (or image) URL from a document may become an `href`, judging the URL a
/// browser would navigate to, not its spelling: character references are decoded first
/// (``HTMLEntities``), then, as the URL parser does, tabs and line breaks are removed and leading
/// and trailing controls and spaces are trimmed. What is left must be an http, https or mailto
/// URL, or a relative reference (a path, query or fragment) that names no scheme and no other host.
/// The href written is that decoded URL, escaped again: the browser reads back exactly what was
/// judged, whatever entity tricks the source held.
enum SafeLink {
    /// The escaped attribute value for `raw` (a URL as written in the document), or nil when the
    /// URL is not safe to link to.
    static func href<S: StringProtocol>(_ raw: S) -> String? {
        let url = normalized(HTMLEntities.decode(raw))
        guard isSafe(url) else { return nil }
        return escapedAttribute(url)
    }

    /// `url` for a double-quoted attribute: `&` (the only one a safe URL can hold) and, to be
    /// sure, `"`, `'`, `<` and `>` become character references.
    private static func escapedAttribute(_ url: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in url.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#x27;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// `url` as a browser's URL parser sees it before parsing: every tab, LF and CR removed,
    /// then C0 controls and spaces trimmed from both ends.
    static func normalized(_ url: String) -> String {
        var scalars = url.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }
        let trimmed: (Unicode.Scalar) -> Bool = { $0.value <= 0x20 }
        while let first = scalars.first, trimmed(first) { scalars.removeFirst() }
        while let last = scalars.last, trimmed(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// True for a decoded, normalized URL that is http(s), mailto, or relative without a scheme or
    /// host, and holds no control, space or character that needs escaping.
    static func isSafe(_ url: String) -> Bool {
        guard !url.isEmpty, !url.unicodeScalars.contains(where: { scalar in
            scalar.value <= 0x20 || (0x7F...0x9F).contains(scalar.value) || "\"'<>`\\".unicodeScalars.contains(scalar)
        }) else { return false }
        let lower = url.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") { return true }
        // `//host` is another site, whatever follows.
        if lower.hasPrefix("//") { return false }
        // A relative reference must not carry a scheme (`javascript:`, `data:`, `vbscript:`, …).
        let firstSegment = lower.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !firstSegment.contains(":")
    }
}
