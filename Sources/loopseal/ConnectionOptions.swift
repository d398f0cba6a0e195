import ArgumentParser
import LoopsealServer

/// Timeouts and the connection cap of `serve` and `agent` (``ConnectionLimits``).
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds a client has, from connecting, to send a complete request head; the connection is closed after.", valueName: "seconds"))
    var headerTimeout: Double = 10

    @Option(help: ArgumentHelp("Seconds a client has, after a request head, to send the whole body.", valueName: "seconds"))
    var bodyTimeout: Double = 30

    @Option(help: ArgumentHelp("Seconds a kept-alive connection may wait for its next complete request head.", valueName: "seconds"))
    var idleTimeout: Double = 30

    @Option(help: ArgumentHelp(
        "Open connections at most; past it, the connection that has waited longest for a request head is closed.",
        discussion: "Default: 4096, or fewer when the open file limit ('ulimit -n', raised to its hard limit at start) is lower, keeping 256 descriptors for files.",
        valueName: "n"))
    var maxConnections: Int?

    func validate() throws {
        for (name, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)]
        where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) \(value): give a number of seconds above 0 and at most 86400")
        }
        if let maxConnections, maxConnections < 1 {
            throw ValidationError("--max-connections \(maxConnections): give at least 1")
        }
    }

    /// The limits, after raising the open file limit; refuses a cap the limit cannot hold.
    func limits() throws -> ConnectionLimits {
        let fileLimit = ConnectionLimits.raiseOpenFileLimit()
        let fitting = ConnectionLimits.fittingMaxConnections(openFileLimit: fileLimit)
        if let maxConnections, maxConnections > fitting {
            throw CLIError("--max-connections \(maxConnections) does not fit the open file limit of \(fileLimit) (\(ConnectionLimits.reservedDescriptors) are kept for files): give at most \(fitting), or raise the hard limit ('ulimit -Hn', LimitNOFILE= in systemd)")
        }
        return ConnectionLimits(headerTimeout: Self.duration(headerTimeout), bodyTimeout: Self.duration(bodyTimeout),
                                idleTimeout: Self.duration(idleTimeout),
                                maxConnections: maxConnections ?? min(ConnectionLimits.defaultMaxConnections, fitting))
    }

    private static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
