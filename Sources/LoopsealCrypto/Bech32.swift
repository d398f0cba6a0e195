/// BIP 173 bech32, as age uses it for `age1…` recipients and `AGE-SECRET-KEY-1…` identities
/// (no 90-character limit, no bech32m). Internal: callers use ``PublicKey`` and ``Identity``.
enum Bech32 {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in charset.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for value in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(value)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Regroups bits; `pad` is true when encoding (8 -> 5) and false when decoding (5 -> 8).
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0, bits = 0
        var out: [UInt8] = []
        let maxValue = (1 << to) - 1
        for value in data {
            guard Int(value) >> from == 0 else { return nil }
            acc = (acc << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxValue))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxValue)) }
        } else if bits >= from || ((acc << (to - bits)) & maxValue) != 0 {
            return nil
        }
        return out
    }

    /// Encodes `data` with the human-readable part `hrp` (lowercase output).
    static func encode(hrp: String, data: [UInt8]) -> String {
        let hrpBytes = Array(hrp.lowercased().utf8)
        let values = convertBits(data, from: 8, to: 5, pad: true) ?? []
        let mod = polymod(expand(hrpBytes) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> (5 * (5 - UInt32($0)))) & 31) }
        let chars = (values + checksum).map { charset[Int($0)] }
        return String(decoding: hrpBytes + [UInt8(ascii: "1")] + chars, as: UTF8.self)
    }

    /// Decodes a bech32 string into its lowercase human-readable part and data bytes.
    static func decode(_ string: String) throws -> (hrp: String, data: [UInt8]) {
        let bytes = Array(string.utf8)
        guard bytes.allSatisfy({ $0 >= 33 && $0 <= 126 }) else {
            throw CryptoError.invalidKeyEncoding("contains characters outside bech32")
        }
        let lower = string.lowercased(), upper = string.uppercased()
        guard string == lower || string == upper else {
            throw CryptoError.invalidKeyEncoding("mixes upper and lower case")
        }
        let text = Array(lower.utf8)
        guard let separator = text.lastIndex(of: UInt8(ascii: "1")), separator >= 1,
              text.count - separator - 1 >= 6
        else { throw CryptoError.invalidKeyEncoding("is not bech32 (no separator or too short)") }
        let hrp = Array(text[..<separator])
        var values: [UInt8] = []
        for char in text[(separator + 1)...] {
            let mapped = char < 128 ? reverse[Int(char)] : -1
            guard mapped >= 0 else {
                throw CryptoError.invalidKeyEncoding("has a character that is not in the bech32 alphabet")
            }
            values.append(UInt8(mapped))
        }
        guard polymod(expand(hrp) + values) == 1 else {
            throw CryptoError.invalidKeyEncoding("has a bad checksum (mistyped or truncated?)")
        }
        guard let data = convertBits(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            throw CryptoError.invalidKeyEncoding("has invalid padding")
        }
        return (String(decoding: hrp, as: UTF8.self), data)
    }
}
