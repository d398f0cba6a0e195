import LoopsealCrypto

/// The text `run resume --fill` reads from stdin: `KEY=value` lines, and for a value with line
/// breaks a block as in GitHub's `GITHUB_ENV` (`KEY<<END`, the value's lines, a line `END`).
/// Blank lines and `#` comments between entries are skipped; a CR before a line break is dropped.
enum FillInput {
    /// The values in input order (a later entry for a key replaces an earlier one). `accept`
    /// checks each key with its 1-based line number and throws to refuse it.
    static func parse(_ input: SecureBytes, accept: (String, Int) throws -> Void) throws -> [(key: String, value: SecureBytes)] {
        var values: [(key: String, value: SecureBytes)] = []
        try input.withUnsafeBytes { bytes in
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
                line.last == 0x0D ? line.dropLast() : line
            }
            if lines.last?.isEmpty == true { lines.removeLast() }
            var index = 0
            while index < lines.count {
                let line = lines[index]
                let number = index + 1
                index += 1
                if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
                if let block = heredocStart(line) {
                    try accept(block.key, number)
                    guard let end = lines[index...].firstIndex(where: { $0.elementsEqual(block.delimiter.utf8) }) else {
                        throw CLIError("stdin line \(number): no line '\(block.delimiter)' ends the value of \(block.key)")
                    }
                    var value: [UInt8] = []
                    // Reserved whole, so that appending never leaves a freed, unwiped copy.
                    value.reserveCapacity(lines[index..<end].reduce(0) { $0 + $1.count + 1 })
                    defer { Terminal.wipe(&value) }
                    for (offset, part) in lines[index..<end].enumerated() {
                        if offset > 0 { value.append(0x0A) }
                        value.append(contentsOf: part)
                    }
                    values.removeAll { $0.key == block.key }
                    values.append((block.key, try SecureBytes(copying: value)))
                    index = end + 1
                    continue
                }
                guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                    throw CLIError("stdin line \(number): expected KEY=value, or KEY<<END for a value with line breaks")
                }
                let key = String(decoding: line[line.startIndex..<equals], as: UTF8.self)
                try accept(key, number)
                values.removeAll { $0.key == key }
                values.append((key, try SecureBytes(copying: line[line.index(after: equals)...])))
            }
        }
        return values
    }

    /// `KEY<<DELIMITER` with a non-empty key and delimiter and no `=` before the `<<` (so a
    /// `KEY=value` line is never decoded into a String: values stay in secure memory).
    private static func heredocStart(_ line: Slice<UnsafeRawBufferPointer>) -> (key: String, delimiter: String)? {
        let less = UInt8(ascii: "<"), equals = UInt8(ascii: "=")
        var index = line.startIndex
        while index < line.endIndex, line[index] != equals {
            let next = line.index(after: index)
            if line[index] == less, next < line.endIndex, line[next] == less {
                let key = line[line.startIndex..<index]
                let delimiter = line[line.index(after: next)...]
                guard !key.isEmpty, !delimiter.isEmpty, !delimiter.contains(equals) else { return nil }
                return (String(decoding: key, as: UTF8.self), String(decoding: delimiter, as: UTF8.self))
            }
            index = next
        }
        return nil
    }
}
