import Foundation

/// The address people open in a browser when a proxy stands in front of `loopseal serve`
/// (`--public-url`): an absolute http or https URL naming a host (and maybe a port), with no
/// path, query or fragment: the pages link from the root of the host. An https one tells the
/// server that browsers reach it over TLS, so its cookies get `Secure` although the proxy
/// forwards plain HTTP.
public struct PublicURL: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// The URL without a trailing slash, e.g. `https://secrets.example.com`.
    public let description: String

    /// True for an https URL.
    public var isHTTPS: Bool { scheme == "https" }

    /// Parses `text`, or says what is wrong with it and what it should look like.
    public init(_ text: String) throws(PublicURLError) {
        let example = "such as https://secrets.example.com"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw PublicURLError("'\(text)' is not an http or https URL \(example)")
        }
        guard let host = components.host, !host.isEmpty else { throw PublicURLError("'\(text)' names no host: give one, \(example)") }
        guard components.user == nil, components.password == nil else {
            throw PublicURLError("'\(text)' holds a user name or password: give the address only, \(example)")
        }
        guard components.query == nil, components.fragment == nil, components.path.isEmpty || components.path == "/" else {
            throw PublicURLError("'\(text)' has a path, query or fragment: the pages are served from the root of the host, "
                                 + "so give the scheme and host only, \(example)")
        }
        self.scheme = scheme
        let port = components.port.map { ":\($0)" } ?? ""
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        description = "\(scheme)://\(shownHost.lowercased())\(port)"
    }
}

/// Why a ``PublicURL`` was refused; the message names the URL (never anything secret).
public struct PublicURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
