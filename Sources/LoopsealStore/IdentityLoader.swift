import Foundation
import LoopsealCrypto

/// Finds the identities (secret keys) that can open secrets, in DESIGN.md §2 order:
/// `--identity FILE`s, `LOOPSEAL_IDENTITY` (the key itself: the CI deploy-key case),
/// `LOOPSEAL_IDENTITY_FILE`, then every file in `~/.config/loopseal/identities/`.
public struct IdentityLoader: Sendable {
    /// Files named with `--identity`.
    public var files: [String]
    /// The environment to read variables from.
    public var environment: [String: String]

    /// The variables this loader reads, from the process environment.
    public static var processEnvironment: [String: String] {
        ProcessEnvironment.values(["LOOPSEAL_IDENTITY", "LOOPSEAL_IDENTITY_FILE", "XDG_CONFIG_HOME", "HOME"])
    }

    /// Creates a loader.
    public init(files: [String] = [], environment: [String: String] = Self.processEnvironment) {
        self.files = files
        self.environment = environment
    }

    /// The identities directory: `$XDG_CONFIG_HOME/loopseal/identities` or `~/.config/loopseal/identities`.
    public var identitiesDirectory: String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return "\(xdg)/loopseal/identities" }
        if let home = environment["HOME"], !home.isEmpty { return "\(home)/.config/loopseal/identities" }
        return nil
    }

    /// Every identity found, in lookup order. Throws ``StoreError/noIdentity(searched:)`` when none.
    public func load() throws -> [Identity] {
        var identities: [Identity] = []
        var searched: [String] = []
        for file in files {
            searched.append(file)
            identities += try Self.parse(try text(of: file), source: file)
        }
        searched.append("$LOOPSEAL_IDENTITY")
        if let inline = environment["LOOPSEAL_IDENTITY"], !inline.isEmpty {
            identities += try Self.parse(inline, source: "$LOOPSEAL_IDENTITY")
        }
        searched.append("$LOOPSEAL_IDENTITY_FILE")
        if let file = environment["LOOPSEAL_IDENTITY_FILE"], !file.isEmpty {
            identities += try Self.parse(try text(of: file), source: file)
        }
        if let directory = identitiesDirectory {
            searched.append(directory)
            let names = (try? FileIO.directoryEntries(directory)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = "\(directory)/\(name)"
                guard !FileIO.isDirectory(path) else { continue }
                identities += try Self.parse(try text(of: path), source: path)
            }
        }
        guard !identities.isEmpty else { throw StoreError.noIdentity(searched: searched) }
        return identities
    }

    /// Every identity found, or none: for work that only goes better with an identity (telling
    /// an unchanged value from a changed one). Files named explicitly must load; otherwise an
    /// unusable identity is the same as none.
    public func loadIfAny() throws -> [Identity] {
        guard files.isEmpty else { return try load() }
        return (try? load()) ?? []
    }

    /// Parses identity text: one `AGE-SECRET-KEY-1…` per line; `#` lines and blank lines ignored.
    /// Errors name the source and line, never the line's content.
    public static func parse(_ text: String, source: String) throws -> [Identity] {
        var result: [Identity] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                result.append(try Identity(string: line))
            } catch {
                throw StoreError.invalidIdentity(source: source, line: index + 1, problem: "not an AGE-SECRET-KEY-1… identity (\(error))")
            }
        }
        if result.isEmpty {
            throw StoreError.invalidIdentity(source: source, line: nil, problem: "holds no AGE-SECRET-KEY-1… line")
        }
        return result
    }

    private func text(of path: String) throws -> String {
        guard let bytes = try FileIO.contentsIfExists(path) else {
            throw StoreError.invalidIdentity(source: path, line: nil, problem: "no such identity file")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
