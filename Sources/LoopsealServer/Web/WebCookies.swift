import Hummingbird

/// The `Set-Cookie` values of the web pages: every cookie is HttpOnly and SameSite=Strict, and
/// `Secure` when the request came over https or the server is told browsers always reach it
/// over https (`--secure-cookies`, or an https `--public-url`: a TLS proxy in front).
struct WebCookies: Sendable {
    /// Mark every cookie `Secure`, whatever the request's scheme.
    let alwaysSecure: Bool

    /// The policy of `configuration`.
    init(_ configuration: ServerConfiguration) {
        alwaysSecure = configuration.secureCookies || configuration.publicURL?.isHTTPS == true
    }

    /// The session cookie for `session`, lasting `lifetime` seconds.
    func session(_ session: WebSession, lifetime: Double, _ request: Request) -> String {
        "\(SessionStore.cookieName)=\(session.id)" + attributes(path: "/", maxAge: Int(lifetime), request)
    }

    /// The sign-in form's CSRF cookie.
    func signIn(_ value: String, _ request: Request) -> String {
        "\(SessionStore.signInCookieName)=\(value)" + attributes(path: "/signin", maxAge: 3600, request)
    }

    /// Deletes cookie `name` set for `path`.
    func expired(_ name: String, path: String, _ request: Request) -> String {
        "\(name)=" + attributes(path: path, maxAge: 0, request)
    }

    private func attributes(path: String, maxAge: Int, _ request: Request) -> String {
        let secure = alwaysSecure || request.head.scheme?.lowercased() == "https"
        return "; Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
