/// Decodes HTML character references the way a browser does in an attribute value, so a link's
/// safety can be judged on what the browser would navigate to: decimal (`&#106;`) and hex
/// (`&#x6A;`) references with or without `;` and with any number of leading zeros, and the named
/// references that stand for ASCII characters (`&colon;`, `&Tab;`, `&NewLine;`, `&sol;`, …) plus
/// the common legacy ones (`&amp`, `&lt`, `&nbsp`, …; these also without `;`, except before `=`
/// or a letter or digit, as in attributes). An `&` that starts nothing known stays as it is.
enum HTMLEntities {
    /// `text` with every character reference replaced by the character it stands for.
    static func decode<S: StringProtocol>(_ text: S) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("&") else { return String(text) }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "&", let (decoded, length) = reference(scalars, at: index) {
                out.append(contentsOf: decoded)
                index += length
            } else {
                out.append(scalar)
                index += 1
            }
        }
        return String(out)
    }

    /// The reference starting at `start` (an `&`): what it decodes to and how many scalars it spans.
    private static func reference(_ scalars: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int)? {
        let next = start + 1
        guard next < scalars.count else { return nil }
        if scalars[next] == "#" { return numeric(scalars, at: start) }
        var end = next
        while end < scalars.count, end - next < longestName, isASCIIAlphanumeric(scalars[end]) { end += 1 }
        guard end > next else { return nil }
        // The longest known name that prefixes the run wins, as in the HTML tokenizer.
        for length in stride(from: end - next, through: 1, by: -1) {
            let name = String(String.UnicodeScalarView(scalars[next..<(next + length)]))
            let after = next + length
            if after < scalars.count, scalars[after] == ";", let value = named[name] {
                return (Array(value.unicodeScalars), length + 2)
            }
            if let value = legacy[name] {
                // In an attribute, `&copy=` and `&copyx` are not references.
                if after < scalars.count, scalars[after] == "=" || isASCIIAlphanumeric(scalars[after]) { return nil }
                return (Array(value.unicodeScalars), length + 1)
            }
        }
        return nil
    }

    /// `&#DIGITS;?` or `&#xHEX;?`. Zero, surrogates and values past U+10FFFF become U+FFFD;
    /// 0x80–0x9F are read as windows-1252, as browsers do.
    private static func numeric(_ scalars: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int)? {
        var index = start + 2
        var radix: UInt32 = 10
        if index < scalars.count, scalars[index] == "x" || scalars[index] == "X" {
            radix = 16
            index += 1
        }
        let digitsStart = index
        var value: UInt32 = 0
        while index < scalars.count, let digit = digitValue(scalars[index], radix: radix) {
            value = min(value * radix + digit, 0x11_0000)
            index += 1
        }
        guard index > digitsStart else { return nil }
        if index < scalars.count, scalars[index] == ";" { index += 1 }
        return ([scalar(for: value)], index - start)
    }

    private static func scalar(for value: UInt32) -> Unicode.Scalar {
        if (0x80...0x9F).contains(value), let mapped = windows1252[value] { return mapped }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    private static func digitValue(_ scalar: Unicode.Scalar, radix: UInt32) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f" where radix == 16: return scalar.value - 0x61 + 10
        case "A"..."F" where radix == 16: return scalar.value - 0x41 + 10
        default: return nil
        }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static let longestName = 32

    /// Named references that need `;`: every HTML name for an ASCII character, and a few more.
    private static let named: [String: String] = [
        "Tab": "\t", "NewLine": "\n", "excl": "!", "quot": "\"", "QUOT": "\"", "num": "#", "dollar": "$",
        "percnt": "%", "amp": "&", "AMP": "&", "apos": "'", "lpar": "(", "rpar": ")", "ast": "*", "midast": "*",
        "plus": "+", "comma": ",", "period": ".", "sol": "/", "colon": ":", "semi": ";", "lt": "<", "LT": "<",
        "equals": "=", "gt": ">", "GT": ">", "quest": "?", "commat": "@", "lsqb": "[", "lbrack": "[",
        "bsol": "\\", "rsqb": "]", "rbrack": "]", "Hat": "^", "lowbar": "_", "UnderBar": "_", "grave": "`",
        "DiacriticalGrave": "`", "lcub": "{", "lbrace": "{", "verbar": "|", "vert": "|", "VerticalLine": "|",
        "rcub": "}", "rbrace": "}", "fjlig": "fj", "nbsp": "\u{A0}", "NonBreakingSpace": "\u{A0}",
        "copy": "\u{A9}", "COPY": "\u{A9}", "reg": "\u{AE}", "REG": "\u{AE}", "shy": "\u{AD}",
        "ZeroWidthSpace": "\u{200B}", "NoBreak": "\u{2060}",
    ]

    /// Legacy references that browsers also decode without `;`.
    private static let legacy: [String: String] = [
        "amp": "&", "AMP": "&", "lt": "<", "LT": "<", "gt": ">", "GT": ">", "quot": "\"", "QUOT": "\"",
        "nbsp": "\u{A0}", "copy": "\u{A9}", "COPY": "\u{A9}", "reg": "\u{AE}", "REG": "\u{AE}", "shy": "\u{AD}",
    ]

    /// What browsers show for `&#128;` … `&#159;`.
    private static let windows1252: [UInt32: Unicode.Scalar] = [
        0x80: "\u{20AC}", 0x82: "\u{201A}", 0x83: "\u{0192}", 0x84: "\u{201E}", 0x85: "\u{2026}", 0x86: "\u{2020}",
        0x87: "\u{2021}", 0x88: "\u{02C6}", 0x89: "\u{2030}", 0x8A: "\u{0160}", 0x8B: "\u{2039}", 0x8C: "\u{0152}",
        0x8E: "\u{017D}", 0x91: "\u{2018}", 0x92: "\u{2019}", 0x93: "\u{201C}", 0x94: "\u{201D}", 0x95: "\u{2022}",
        0x96: "\u{2013}", 0x97: "\u{2014}", 0x98: "\u{02DC}", 0x99: "\u{2122}", 0x9A: "\u{0161}", 0x9B: "\u{203A}",
        0x9C: "\u{0153}", 0x9E: "\u{017E}", 0x9F: "\u{0178}",
    ]
}
