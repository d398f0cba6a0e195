import Foundation
import LoopsealCrypto
import LoopsealStore

/// The controllers an agent accepts: an `--authorized-keys` file with one `age1…` key per line,
/// optionally followed by a name (`age1… ci-deploy` or `age1… # ci-deploy`). Lines starting
/// with `#` and blank lines are ignored.
public struct AuthorizedKeys: Sendable, Equatable {
    /// Names by key (empty string when the line gives none).
    public var names: [PublicKey: String]

    /// Creates the list from keys and names.
    public init(names: [PublicKey: String]) { self.names = names }

    /// The keys.
    public var keys: Set<PublicKey> { Set(names.keys) }

    /// The name given to `key`, or the key itself, for logs.
    public func label(_ key: PublicKey) -> String {
        if let name = names[key], !name.isEmpty { return name }
        return key.description
    }

    /// Parses the file's text; errors name `source` and the line.
    public static func parse(_ text: String, source: String) throws -> AuthorizedKeys {
        var names: [PublicKey: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let key: PublicKey
            do { key = try PublicKey(string: String(parts[0])) } catch {
                throw StoreError.malformed(file: source, line: index + 1, column: 1,
                                           problem: "expected an age1… public key, optionally followed by a name (\(error))")
            }
            var name = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            if name.hasPrefix("#") { name = String(name.dropFirst()).trimmingCharacters(in: .whitespaces) }
            names[key] = name
        }
        guard !names.isEmpty else {
            throw StoreError.malformed(file: source, line: nil, column: nil,
                                       problem: "holds no age1… key: add the controller's public key (loopseal keygen prints it)")
        }
        return AuthorizedKeys(names: names)
    }

    /// Reads and parses a file.
    public static func load(_ path: String) throws -> AuthorizedKeys {
        guard let bytes = try FileIO.contentsIfExists(path) else {
            throw StoreError.io(path: path, problem: "no such authorized-keys file: create it with one controller age1… key per line")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), source: path)
    }
}
