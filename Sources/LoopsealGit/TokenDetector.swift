import Foundation
import LoopsealStore
import LoopsealCrypto

/// Something in a line of text that looks like a credential. Holds where it is and what kind
/// it seems to be, never the matched text itself.
public struct TokenFinding: Sendable, Equatable {
    /// What it looks like, for people: "a GitHub token (ghp_…)".
    public var kind: String
    /// 1-based byte column where it starts.
    public var column: Int
    /// Its length in bytes.
    public var length: Int

    /// Creates a finding.
    public init(kind: String, column: Int, length: Int) {
        self.kind = kind
        self.column = column
        self.length = length
    }
}

/// Finds credentials in lines of text: well-known token prefixes, and long runs of
/// base64/hex characters whose Shannon entropy says they are random rather than words.
///
/// Rules (the README's "Git integration" section explains them to users):
/// - Known prefixes always count: `AGE-SECRET-KEY-1…`, `LOOPSEAL-SIGNING-KEY-1…`,
///   `-----BEGIN … PRIVATE KEY-----`, AWS `AKIA…`/`ASIA…`, GitHub `ghp_ gho_ ghu_ ghs_ ghr_`
///   and `github_pat_`, Slack `xox[baprs]-` and webhooks, Stripe `sk_live_`/`rk_live_`, GitLab
///   `glpat-`, Google `AIza…`, npm `npm_`, Anthropic/OpenAI `sk-ant-`/`sk-proj-`, JWTs, and
///   Loopseal's own server tokens `lst_…`.
/// - A run is a maximal stretch of `[A-Za-z0-9+/_-]` (plus trailing `=` padding; inside a URL
///   `/` ends a run) at least ``minimumRunLength`` long. Runs made of words (see
///   ``isWordLike(_:)``: `getDefaultConfiguration2`) or more than 10% `_ - /`
///   (`X509_STORE_CTX_set0_trusted_stack`, paths, UUIDs) are ignored, as are SRI hashes
///   (`sha512-…`), `data:…;base64,` payloads, SSH public keys and commit ids pinned with `@`.
/// - A run mixing upper case, lower case and digits is a token when its entropy reaches
///   ``strongThreshold(length:)``, anywhere.
/// - Any other run (hex, one-case base32/36) is a token only when its entropy is at least
///   ``contextualThreshold`` and the line names a secret (`secret`, `token`, `password`, …):
///   hex runs are mostly commit ids and checksums.
public enum TokenDetector {
    /// A line holding this text is never reported.
    public static let allowMarker = "loopseal:allow"
    /// Shortest run the entropy rule looks at.
    public static let minimumRunLength = 32
    /// Runs whose letter words average this many characters or more are identifiers or prose.
    public static let wordLikeLength = 3.5
    /// Runs with this share of their letters in words of 3+ letters are identifiers.
    public static let longWordShare = 0.85
    /// Entropy (bits per character) a run needs when the line names a secret.
    public static let contextualThreshold = 3.0

    /// The entropy a mixed-case-and-digit run of `length` characters needs to count as random:
    /// 80% of `log2(min(length, 64))`, the most a string of that length over the base64
    /// alphabet can reach. Random base64 of 32 characters measures 4.56 bits per character at
    /// the median and 4.08 at the 0.1th percentile (threshold 4.0); at 64 characters, 5.18 and
    /// 4.83 (threshold 4.8). With the word and separator rules, about 1.1% of random base64 or
    /// base62 strings of 32 characters are missed, 0.4% at 40 and 0.1% at 64 (simulated).
    public static func strongThreshold(length: Int) -> Double {
        0.8 * log2(Double(min(max(length, 2), 64)))
    }

    /// Shannon entropy of `bytes` in bits per byte (0 for an empty input).
    public static func entropy<Bytes: Collection>(_ bytes: Bytes) -> Double where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        var result = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            result -= p * log2(p)
        }
        return result
    }

    /// The findings in one line (without its line break), in column order. A line holding
    /// ``allowMarker`` has none. `entropy: false` checks known prefixes only (lock files,
    /// certificate blocks).
    public static func scan<Line: Collection>(line: Line, entropy checkEntropy: Bool = true) -> [TokenFinding]
    where Line.Element == UInt8 {
        let bytes = Array(line)
        guard !contains(bytes, Array(allowMarker.utf8)) else { return [] }
        let prefixed = prefixFindings(bytes)
        var findings = prefixed
        if checkEntropy {
            for finding in runFindings(bytes) where !prefixed.contains(where: { overlaps($0, finding) }) {
                findings.append(finding)
            }
        }
        return findings.sorted { $0.column < $1.column }
    }

    // MARK: Known prefixes

    private struct PrefixRule: Sendable {
        var prefix: [UInt8]
        var kind: String
        var body: @Sendable (UInt8) -> Bool
        var minimum: Int
        /// The byte before the prefix must not be a letter or digit.
        var wordStart = true
    }

    private static let bech32Upper = Set("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".utf8)

    private static let prefixRules: [PrefixRule] = {
        var rules: [PrefixRule] = [
            PrefixRule(prefix: Array("AGE-SECRET-KEY-1".utf8), kind: "an age secret key (AGE-SECRET-KEY-1…)",
                       body: { bech32Upper.contains($0) }, minimum: 50),
            PrefixRule(prefix: Array("LOOPSEAL-SIGNING-KEY-1".utf8), kind: "a Loopseal signing key (LOOPSEAL-SIGNING-KEY-1…)",
                       body: { bech32Upper.contains($0) }, minimum: 50),
            PrefixRule(prefix: Array("github_pat_".utf8), kind: "a GitHub token (github_pat_…)", body: isWord, minimum: 22),
            PrefixRule(prefix: Array("sk_live_".utf8), kind: "a Stripe secret key (sk_live_…)", body: isAlnum, minimum: 16),
            PrefixRule(prefix: Array("rk_live_".utf8), kind: "a Stripe restricted key (rk_live_…)", body: isAlnum, minimum: 16),
            PrefixRule(prefix: Array("glpat-".utf8), kind: "a GitLab token (glpat-…)", body: isBase64URL, minimum: 20),
            PrefixRule(prefix: Array("AIza".utf8), kind: "a Google API key (AIza…)", body: isBase64URL, minimum: 35),
            PrefixRule(prefix: Array("npm_".utf8), kind: "an npm token (npm_…)", body: isAlnum, minimum: 36),
            PrefixRule(prefix: Array("sk-ant-".utf8), kind: "an Anthropic API key (sk-ant-…)", body: isBase64URL, minimum: 20),
            PrefixRule(prefix: Array("sk-proj-".utf8), kind: "an OpenAI API key (sk-proj-…)", body: isBase64URL, minimum: 20),
            PrefixRule(prefix: Array("hooks.slack.com/services/T".utf8), kind: "a Slack webhook URL",
                       body: { isAlnum($0) || $0 == UInt8(ascii: "/") }, minimum: 20, wordStart: false),
        ]
        for letter in "pousr" {
            rules.append(PrefixRule(prefix: Array("gh\(letter)_".utf8), kind: "a GitHub token (gh\(letter)_…)", body: isAlnum, minimum: 36))
        }
        for letter in "baprs" {
            rules.append(PrefixRule(prefix: Array("xox\(letter)-".utf8), kind: "a Slack token (xox\(letter)-…)",
                                    body: { isAlnum($0) || $0 == UInt8(ascii: "-") }, minimum: 10))
        }
        for prefix in ["AKIA", "ASIA"] {
            rules.append(PrefixRule(prefix: Array(prefix.utf8), kind: "an AWS access key id (\(prefix)…)",
                                    body: { isUpper($0) || isDigit($0) }, minimum: 16))
        }
        return rules
    }()

    /// Rule indices by the first byte of their prefix, so one pass over a line tries them all.
    private static let rulesByFirstByte: [[Int]] = {
        var table = [[Int]](repeating: [], count: 256)
        for (index, rule) in prefixRules.enumerated() {
            if let first = rule.prefix.first { table[Int(first)].append(index) }
        }
        return table
    }()

    private static func prefixFindings(_ bytes: [UInt8]) -> [TokenFinding] {
        var findings: [TokenFinding] = []
        var position = 0
        scanning: while position < bytes.count {
            for ruleIndex in rulesByFirstByte[Int(bytes[position])] {
                let rule = prefixRules[ruleIndex]
                let start = position
                guard bytes.count - start >= rule.prefix.count,
                      bytes[start..<(start + rule.prefix.count)].elementsEqual(rule.prefix),
                      !(rule.wordStart && start > 0 && isAlnum(bytes[start - 1])) else { continue }
                var end = start + rule.prefix.count
                while end < bytes.count && rule.body(bytes[end]) { end += 1 }
                guard end - start - rule.prefix.count >= rule.minimum else { continue }
                findings.append(TokenFinding(kind: rule.kind, column: start + 1, length: end - start))
                position = end
                continue scanning
            }
            position += 1
        }
        findings += privateKeyBlocks(bytes)
        findings += loopsealTokens(bytes)
        findings += jsonWebTokens(bytes)
        return findings
    }

    /// `-----BEGIN <label> PRIVATE KEY<label>-----` (RSA, EC, OPENSSH, PGP, ENCRYPTED, … blocks).
    private static func privateKeyBlocks(_ bytes: [UInt8]) -> [TokenFinding] {
        let begin = Array("-----BEGIN ".utf8)
        let dashes = Array("-----".utf8)
        var findings: [TokenFinding] = []
        var from = 0
        while let start = index(of: begin, in: bytes, from: from) {
            let labelStart = start + begin.count
            guard let close = index(of: dashes, in: bytes, from: labelStart) else { break }
            from = close + dashes.count
            let label = bytes[labelStart..<close]
            // Real labels are upper-case words ("RSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK"), so
            // prose such as "-----BEGIN … PRIVATE KEY-----" is not a key.
            if label.allSatisfy({ isUpper($0) || isDigit($0) || $0 == UInt8(ascii: " ") }),
               contains(Array(label), Array("PRIVATE KEY".utf8)) {
                findings.append(TokenFinding(kind: "a private key (-----BEGIN … PRIVATE KEY-----)", column: start + 1, length: from - start))
            }
        }
        return findings
    }

    /// `lst_<12 hex>_<64 hex>`, the tokens `loopseal token create` prints.
    private static func loopsealTokens(_ bytes: [UInt8]) -> [TokenFinding] {
        let prefix = Array("lst_".utf8)
        var findings: [TokenFinding] = []
        var from = 0
        while let start = index(of: prefix, in: bytes, from: from) {
            from = start + 1
            if start > 0, isAlnum(bytes[start - 1]) { continue }
            var end = start + prefix.count
            while end < bytes.count && (isHex(bytes[end]) || bytes[end] == UInt8(ascii: "_")) { end += 1 }
            guard end - start >= prefix.count + 12 + 1 + 64 else { continue }
            findings.append(TokenFinding(kind: "a Loopseal server token (lst_…)", column: start + 1, length: end - start))
            from = end
        }
        return findings
    }

    /// `eyJ….eyJ….…`: a JSON Web Token (header and claims are base64url JSON objects).
    private static func jsonWebTokens(_ bytes: [UInt8]) -> [TokenFinding] {
        let prefix = Array("eyJ".utf8)
        var findings: [TokenFinding] = []
        var from = 0
        while let start = index(of: prefix, in: bytes, from: from) {
            from = start + 1
            if start > 0, isBase64URL(bytes[start - 1]) { continue }
            var end = start
            var parts: [Int] = []
            var partStart = end
            while end < bytes.count && (isBase64URL(bytes[end]) || bytes[end] == UInt8(ascii: ".")) {
                if bytes[end] == UInt8(ascii: ".") {
                    parts.append(end - partStart)
                    partStart = end + 1
                }
                end += 1
            }
            parts.append(end - partStart)
            guard parts.count >= 3, parts[0] >= 10, parts[1] >= 10,
                  end - start > 4, Array(bytes[(start + parts[0] + 1)...].prefix(3)) == prefix else { continue }
            findings.append(TokenFinding(kind: "a JSON Web Token (eyJ…)", column: start + 1, length: end - start))
            from = end
        }
        return findings
    }

    // MARK: High-entropy runs

    /// Words that make a line name a secret. Not bare `private` or `key`: they are everywhere in code.
    private static let secretWords = ["secret", "token", "passw", "pwd", "apikey", "api_key", "api-key", "private_key",
                                      "privatekey", "private-key", "credential", "access_key", "accesskey", "auth_key",
                                      "authkey", "bearer", "signing_key", "session_key", "encryption_key", "client_key"]
    private static let exemptRunPrefixes = ["sha1-", "sha256-", "sha384-", "sha512-",
                                            "AAAAB3NzaC1", "AAAAC3NzaC1", "AAAAE2VjZHNh"].map { Array($0.utf8) }

    private static func runFindings(_ bytes: [UInt8]) -> [TokenFinding] {
        var findings: [TokenFinding] = []
        var lineNamesSecret: Bool?
        let inURL = urlMask(bytes)
        let isRun: (Int) -> Bool = { isRunByte(bytes[$0]) && !(bytes[$0] == UInt8(ascii: "/") && inURL?[$0] == true) }
        var start = 0
        while start < bytes.count {
            guard isRun(start) else { start += 1; continue }
            var end = start
            while end < bytes.count && isRun(end) { end += 1 }
            var padded = end
            while padded < bytes.count && bytes[padded] == UInt8(ascii: "=") { padded += 1 }
            defer { start = padded }
            let run = bytes[start..<end]
            guard run.count >= minimumRunLength, !isExempt(run, in: bytes, at: start) else { continue }
            var upper = false, lower = false, digit = false, separators = 0
            for byte in run {
                if isUpper(byte) {
                    upper = true
                } else if isLower(byte) {
                    lower = true
                } else if isDigit(byte) {
                    digit = true
                } else if byte != UInt8(ascii: "+") {
                    separators += 1
                }
            }
            // More than 10% `_`, `-` or `/`: an identifier, a path or a UUID, not base64 (where
            // they make 1.6% or 3.1% of the characters).
            guard separators * 10 <= run.count, !isWordLike(run) else { continue }
            let bits = entropy(run)
            if upper && lower && digit && bits >= strongThreshold(length: run.count) {
                findings.append(TokenFinding(kind: describeRun(padded - start, bits), column: start + 1, length: padded - start))
                continue
            }
            let classes = (upper ? 1 : 0) + (lower ? 1 : 0) + (digit ? 1 : 0)
            guard classes >= 2, bits >= contextualThreshold else { continue }
            if lineNamesSecret == nil {
                let lowered = bytes.map { isUpper($0) ? $0 + 32 : $0 }
                lineNamesSecret = secretWords.contains { contains(lowered, Array($0.utf8)) }
            }
            if lineNamesSecret == true {
                findings.append(TokenFinding(kind: describeRun(padded - start, bits) + " next to a secret's name",
                                             column: start + 1, length: padded - start))
            }
        }
        return findings
    }

    private static func describeRun(_ length: Int, _ bits: Double) -> String {
        let tenths = Int((bits * 10).rounded())
        return "a \(length)-character random-looking string (\(tenths / 10).\(tenths % 10) bits per character)"
    }

    /// For a line holding `://`: true at every byte of a URL (up to white space, a quote or
    /// a bracket), so `/` splits URL paths into segments judged one by one. nil without URLs.
    private static func urlMask(_ bytes: [UInt8]) -> [Bool]? {
        let marker = Array("://".utf8)
        guard var found = index(of: marker, in: bytes, from: 0) else { return nil }
        let stops = Set(" \t\"'`<>()[]{}".utf8)
        var mask = [Bool](repeating: false, count: bytes.count)
        while true {
            var end = found + marker.count
            while end < bytes.count && !stops.contains(bytes[end]) {
                mask[end] = true
                end += 1
            }
            guard let next = index(of: marker, in: bytes, from: end) else { return mask }
            found = next
        }
    }

    private static func isExempt(_ run: ArraySlice<UInt8>, in line: [UInt8], at start: Int) -> Bool {
        if exemptRunPrefixes.contains(where: { run.starts(with: $0) }) { return true }
        // Recipients' age keys and writers' signing keys are public by design; a valid one is never
        // a finding (a random bech32 key could otherwise spell "key" and name a secret itself).
        if run.starts(with: Array("age1".utf8)) || run.starts(with: Array("loopsealsign1".utf8)) {
            let text = String(decoding: run, as: UTF8.self)
            if (try? PublicKey(string: text)) != nil || (try? SigningPublicKey(string: text)) != nil { return true }
        }
        // A commit id pinned with `@` (`uses: actions/checkout@<sha>`).
        if run.count == 40, start > 0, line[start - 1] == UInt8(ascii: "@"), run.allSatisfy(isHex) { return true }
        let dataURI = Array("base64,".utf8)
        return start >= dataURI.count && Array(line[(start - dataURI.count)..<start]) == dataURI
    }

    /// Splits into words (`[A-Z]?[a-z]+`, `[A-Z]+` not followed by lower case) and calls the
    /// run word-like when the letter words average ``wordLikeLength`` letters or more, or when
    /// ``longWordShare`` of the letters sit in words of three letters or more. Identifiers
    /// score 3.0–4.1 and 0.85–0.92 (`CCryptoBoringSSL_d2i_RSAPublicKey_bio`: 3.3, 0.91);
    /// random base64 of 32 characters about 2.1 and 0.44 at the median.
    static func isWordLike(_ run: ArraySlice<UInt8>) -> Bool {
        var words = 0
        var letters = 0
        var longWordLetters = 0
        func word(_ length: Int) {
            words += 1
            letters += length
            if length >= 3 { longWordLetters += length }
        }
        var index = run.startIndex
        while index < run.endIndex {
            let byte = run[index]
            if isUpper(byte) {
                var end = index + 1
                while end < run.endIndex && isUpper(run[end]) { end += 1 }
                if end < run.endIndex && isLower(run[end]) {
                    if end - index > 1 {
                        word(end - index - 1)
                        index = end - 1
                        continue
                    }
                    while end < run.endIndex && isLower(run[end]) { end += 1 }
                }
                word(end - index)
                index = end
            } else if isLower(byte) {
                var end = index + 1
                while end < run.endIndex && isLower(run[end]) { end += 1 }
                word(end - index)
                index = end
            } else {
                index += 1
            }
        }
        guard words > 0 else { return false }
        return Double(letters) / Double(words) >= wordLikeLength || Double(longWordLetters) >= longWordShare * Double(letters)
    }

    // MARK: Bytes

    private static func overlaps(_ a: TokenFinding, _ b: TokenFinding) -> Bool {
        a.column < b.column + b.length && b.column < a.column + a.length
    }

    static func index(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        index(of: needle, in: haystack, from: 0) != nil
    }

    private static func isRunByte(_ c: UInt8) -> Bool {
        isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }
    private static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    private static func isLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) }
    private static func isAlnum(_ c: UInt8) -> Bool { isUpper(c) || isLower(c) || isDigit(c) }
    private static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == UInt8(ascii: "_") }
    private static func isBase64URL(_ c: UInt8) -> Bool { isWord(c) || c == UInt8(ascii: "-") }
}
