import LoopsealStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine a sync runs on, for the targets' `hosts:` (a target without `hosts:` applies to
/// every host): `--host NAME`, else `$LOOPSEAL_HOST`, else the machine's host name.
public struct SyncHost: Sendable, Equatable, CustomStringConvertible {
    /// Where the name came from.
    public enum Source: String, Sendable {
        /// `--host NAME`.
        case option = "--host"
        /// `$LOOPSEAL_HOST`.
        case environment = "$LOOPSEAL_HOST"
        /// gethostname(2).
        case hostName = "the machine's host name"
    }

    /// The variable that names the host when no `--host` is given.
    public static let environmentVariable = "LOOPSEAL_HOST"

    /// The host's name.
    public let name: String
    /// Where ``name`` came from.
    public let source: Source

    /// A host called `name`; refuses what cannot be a host name (empty, spaces, glob characters)
    /// when a person gave it (the machine's own name is taken as it is).
    public init(name: String, source: Source) throws {
        guard !name.isEmpty, source == .hostName || name.utf8.allSatisfy(HostPattern.isHostNameByte) else {
            if source == .hostName { throw SyncError("this machine has no host name: pass --host NAME or set LOOPSEAL_HOST") }
            throw SyncError("\(source.rawValue) '\(name)' is not a host name: use letters, digits, '-', '.' and '_' (a pattern such as web-* belongs in a target's hosts:, not here)")
        }
        self.name = name
        self.source = source
    }

    /// `option` when given, else `environment[LOOPSEAL_HOST]` when set, else the host name.
    public static func resolve(option: String?, environment: [String: String]) throws -> SyncHost {
        if let option { return try SyncHost(name: option, source: .option) }
        if let named = environment[environmentVariable] { return try SyncHost(name: named, source: .environment) }
        return try SyncHost(name: try machineName(), source: .hostName)
    }

    /// The host of this process: `$LOOPSEAL_HOST`, else the machine's host name.
    public static func current() throws -> SyncHost {
        try resolve(option: nil, environment: ProcessEnvironment.values([environmentVariable]))
    }

    /// True when `target` lists no `hosts:` or one of its patterns matches this host.
    public func applies(to target: SyncTarget) -> Bool {
        target.hosts?.contains { $0.matches(name) } ?? true
    }

    /// `web-1 (from --host)`.
    public var description: String { "\(name) (from \(source.rawValue))" }

    private static func machineName() throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else {
            throw SyncError("cannot read this machine's host name (errno \(errno)): pass --host NAME or set LOOPSEAL_HOST")
        }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SyncError {
    /// `target` was named, but its `hosts:` leave out `host`.
    static func notForThisHost(_ target: SyncTarget, host: SyncHost) -> SyncError {
        SyncError("target '\(target.name)' is for hosts \(target.hostsText), and this host is \(host): nothing was synced; sync it on one of those hosts, or pass --host NAME if this machine is one of them")
    }
}
