import ArgumentParser

/// `--listen` of `serve` and `agent`: `HOST:PORT`, `[IPv6]:PORT`, or `:PORT` (127.0.0.1).
/// Port 0 picks a free port. A bad value is a usage error naming the option, the value and
/// the forms accepted.
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible, Equatable, Sendable {
    /// The address to bind, without brackets.
    let host: String
    /// The port, 0 to 65535.
    let port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`, explaining what is wrong and the forms accepted.
    init(parsing text: String) throws(ListenAddressError) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ListenAddressError("an IPv6 address goes in brackets before the port: [ADDRESS]:PORT, e.g. [::1]:8080")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            // An IPv6 address without brackets still works: the port is what follows the last ':'.
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            throw ListenAddressError(Self.forms)
        }
        if host.isEmpty { host = "127.0.0.1" }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ListenAddressError("the port must be a number from 0 to 65535 (0 picks a free one)")
        }
        self.init(host: String(host), port: port)
    }

    init?(argument: String) {
        guard let address = try? ListenAddress(parsing: argument) else { return nil }
        self = address
    }

    /// How the address is written back: `HOST:PORT`, brackets around an IPv6 host.
    var description: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// `--listen`'s help with `fallback` as its default (shown by hand: ArgumentParser shows no
    /// default for an option parsed with `transform:`, which it needs for a reasoned error).
    static func help(default fallback: ListenAddress) -> ArgumentHelp {
        ArgumentHelp("Address to listen on, HOST:PORT (port 0 picks a free one). (default: \(fallback))", valueName: "host:port")
    }

    /// The accepted forms, for messages.
    static let forms = "expected HOST:PORT, [IPv6]:PORT or :PORT (on 127.0.0.1), e.g. 127.0.0.1:8080"
}

/// Why a `--listen` value was refused; ArgumentParser shows it after the option and the value.
struct ListenAddressError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
