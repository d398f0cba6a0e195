import Foundation
import Hummingbird
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import LoopsealValue

/// The web pages of `loopseal serve`: sign-in with a token, workspaces, a workspace's keys and
/// runs, a run's documents and widgets (transition buttons, the secret-request form).
///
/// Every page carries a strict Content-Security-Policy and `Cache-Control: no-store`; every form
/// carries the session's CSRF token; POSTs answer 303 See Other. Secret values travel only from
/// the form body into ``SecureBytes`` and on to the store, and never reach a page, log line or
/// error message.
public enum WebRoutes {
    /// Adds the pages to `router`. `sessions` holds the signed-in browsers (default: signed
    /// cookies with the configuration's ``ServerConfiguration/sessionKey``, else in memory);
    /// `limiter` rate-limits the sign-in form.
    public static func add(to router: Router<ServerRequestContext>, core: ServerCore, sessions: SessionStore? = nil,
                           limiter: SignInLimiter = SignInLimiter()) {
        let sessions = sessions ?? SessionStore(signingKey: core.configuration.sessionKey)
        let web = WebHandlers(core: core, sessions: sessions, limiter: limiter, pages: WebPages(), cookies: WebCookies(core.configuration))
        let group = router.group().add(middleware: WebPageMiddleware(pages: web.pages, cookies: web.cookies))
        group.get("/static/app.css") { _, _ in WebResponse.stylesheet() }
        group.get("/") { request, _ in try await web.home(request) }
        group.get("/signin") { request, _ in try await web.signInPage(request) }
        group.post("/signin") { request, context in try await web.signIn(request, context) }
        group.post("/signout") { request, _ in try await web.signOut(request) }
        group.get("/workspaces") { request, _ in try await web.workspaces(request) }
        group.get("/workspaces/:workspaceId") { request, context in try await web.workspace(request, context) }
        group.post("/workspaces/:workspaceId/runs") { request, context in try await web.startRun(request, context) }
        group.get("/workspaces/:workspaceId/runs/:runId") { request, context in try await web.run(request, context) }
        group.post("/workspaces/:workspaceId/runs/:runId/transitions/:transitionId") { request, context in
            try await web.fire(request, context)
        }
        group.post("/workspaces/:workspaceId/runs/:runId/secrets") { request, context in
            try await web.provideSecrets(request, context)
        }
    }
}

/// Why a page request stopped; ``WebPageMiddleware`` turns it into a page or a redirect.
enum WebFailure: Error {
    /// No live session: GETs go to the sign-in page, other methods get 401.
    case signIn(clearCookie: Bool)
    /// A form without the session's CSRF token.
    case csrf
    /// The request's body is not a form.
    case unsupportedMediaType
}

/// The route handlers.
struct WebHandlers: Sendable {
    let core: ServerCore
    let sessions: SessionStore
    let limiter: SignInLimiter
    let pages: WebPages
    let cookies: WebCookies

    /// A signed-in request: its session and the token's current record.
    struct Viewer {
        let session: WebSession
        let token: TokenRecord
        var page: WebViewer { WebViewer(name: token.name ?? token.id, role: token.role, csrf: session.csrf) }
    }

    // MARK: Sign-in

    func home(_ request: Request) async throws -> Response {
        WebResponse.redirect(try await viewer(request) == nil ? "/signin" : "/workspaces")
    }

    func signInPage(_ request: Request) async throws -> Response {
        if try await viewer(request) != nil { return WebResponse.redirect("/workspaces") }
        let csrf = signInToken(request) ?? SessionStore.randomHex()
        return WebResponse.html(try pages.signIn(csrf: csrf), cookies: [cookies.signIn(csrf, request)])
    }

    /// Signs in with the form's token, within the ``SignInLimiter``'s limits for the client's
    /// address: past them, 429 with `Retry-After`, before the form is even read.
    func signIn(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let client = SignInLimiter.clientKey(context.remoteAddress?.ipAddress)
        if case .refused(let seconds, let clientLimit) = limiter.attempt(client: client) {
            let whose = clientLimit ? "from your address" : "to this server"
            return try signInRefused(request, status: .tooManyRequests, retryAfter: seconds,
                                     "Too many sign-in attempts \(whose). Wait \(Self.duration(seconds)), then sign in again.")
        }
        let form = try await readForm(request)
        guard let expected = signInToken(request), let sent = form["csrf"], SessionStore.constantTimeEquals(sent, expected) else {
            throw WebFailure.csrf
        }
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, let record = try await core.authenticateRefreshing(bearer: token) else {
            limiter.failed(client: client)
            let message = token.isEmpty ? "Enter an API token." : "That token is unknown or revoked."
            return WebResponse.html(try pages.signIn(csrf: expected, error: message), status: .unauthorized)
        }
        if let old = cookie(request, SessionStore.cookieName) { sessions.delete(id: old) }
        guard let session = sessions.create(tokenID: record.id) else {
            return try signInRefused(request, status: .serviceUnavailable, retryAfter: 600,
                                     "This server holds as many signed-in sessions as it can. Sign in again when some have "
                                     + "ended (each lasts \(Self.duration(Int(sessions.lifetime))) at most), or restart the server.")
        }
        return WebResponse.redirect("/workspaces", cookies: [
            cookies.session(session, lifetime: sessions.lifetime, request),
            cookies.expired(SessionStore.signInCookieName, path: "/signin", request),
        ])
    }

    /// The sign-in page with `message`, answering `status` with `Retry-After`.
    private func signInRefused(_ request: Request, status: HTTPResponse.Status, retryAfter: Int, _ message: String) throws -> Response {
        let csrf = signInToken(request) ?? SessionStore.randomHex()
        var response = WebResponse.html(try pages.signIn(csrf: csrf, error: message), status: status,
                                        cookies: [cookies.signIn(csrf, request)])
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }

    /// `seconds` for people: "1 second", "45 seconds", "3 minutes", "8 hours".
    static func duration(_ seconds: Int) -> String {
        func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }
        if seconds < 120 { return plural(max(seconds, 1), "second") }
        if seconds < 7200 { return plural((seconds + 59) / 60, "minute") }
        return plural((seconds + 3599) / 3600, "hour")
    }

    func signOut(_ request: Request) async throws -> Response {
        guard let viewer = try await viewer(request) else {
            return WebResponse.redirect("/signin", cookies: [cookies.expired(SessionStore.cookieName, path: "/", request)])
        }
        let form = try await readForm(request)
        try checkCSRF(form, viewer)
        sessions.delete(id: viewer.session.id)
        return WebResponse.redirect("/signin", cookies: [cookies.expired(SessionStore.cookieName, path: "/", request)])
    }

    // MARK: Pages

    func workspaces(_ request: Request) async throws -> Response {
        let viewer = try await signedIn(request)
        return WebResponse.html(try pages.workspaces(core.workspaceIDs(for: viewer.token), viewer: viewer.page))
    }

    func workspace(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let viewer = try await signedIn(request)
        let workspace = try core.workspace(parameter(context, "workspaceId"), for: viewer.token)
        let keys = try await core.listSecrets(workspace)
        let runs = try await core.runs(workspace)
        let workflows = viewer.token.role >= .admin ? core.workflows(workspace) : nil
        return WebResponse.html(try pages.workspace(workspace.id, keys: keys, runs: runs, workflows: workflows, viewer: viewer.page))
    }

    func run(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let viewer = try await signedIn(request)
        let workspace = try core.workspace(parameter(context, "workspaceId"), for: viewer.token)
        let run = try await core.run(workspace, id: parameter(context, "runId"))
        let keys = try await core.listSecrets(workspace)
        let canWrite = viewer.token.role >= .writer
        let view = RunView.build(run: run, definition: core.definition(workspace, run: run),
                                 manualTransitions: core.manualTransitions(workspace, run: run), keys: keys,
                                 canWrite: canWrite, family: try await family(of: run, workspace, keys: keys, canWrite: canWrite))
        return WebResponse.html(try pages.run(view, workspace: workspace.id, viewer: viewer.page))
    }

    /// The runs linked to `run`, with the secret form of the child it is pending on when a
    /// writer views it (shown only for `show: inline`).
    private func family(of run: WorkflowRun, _ workspace: Workspace, keys: [SecretKeyInfo], canWrite: Bool) async throws -> RunFamily {
        let linked = try await core.linkedRuns(workspace, of: run)
        var form: SecretForm?
        if canWrite, let id = run.pendingTransition?.child, let child = linked.children.first(where: { $0.id == id }) {
            form = RunView.secretForm(run: child, definition: core.definition(workspace, run: child),
                                      manualTransitions: core.manualTransitions(workspace, run: child), keys: keys)
        }
        return RunFamily(parent: linked.parent, children: linked.children,
                         pending: PendingChild.of(run, children: linked.children, form: form))
    }

    // MARK: Actions

    func startRun(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let (viewer, form) = try await signedInForm(request)
        let workspace = try core.workspace(parameter(context, "workspaceId"), for: viewer.token)
        try core.require(.admin, viewer.token)
        guard let workflow = form["workflow"], !workflow.isEmpty else { throw APIError.invalid("choose a workflow") }
        var input = TemplateValue.dictionary([])
        let text = (form["input"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty {
            do {
                input = try TemplateValue(jsonText: text)
            } catch {
                throw APIError.invalid("the input is not valid JSON: \(error.message)")
            }
            guard case .object = input else { throw APIError.invalid("the input must be a JSON object") }
        }
        let run = try await core.startRun(workspace, workflow: workflow, input: input, token: viewer.token)
        return WebResponse.redirect(WebPaths.run(workspace.id, run.id))
    }

    func fire(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let (viewer, _) = try await signedInForm(request)
        let workspace = try core.workspace(parameter(context, "workspaceId"), for: viewer.token)
        try core.require(.writer, viewer.token)
        let runID = try parameter(context, "runId")
        let transition = try parameter(context, "transitionId")
        _ = try await core.fire(workspace, runID: runID, transition: transition, payload: nil, token: viewer.token)
        return WebResponse.redirect(WebPaths.run(workspace.id, runID))
    }

    func provideSecrets(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let (viewer, form) = try await signedInForm(request)
        let workspace = try core.workspace(parameter(context, "workspaceId"), for: viewer.token)
        try core.require(.writer, viewer.token)
        let run = try await core.run(workspace, id: parameter(context, "runId"))
        let keys = try await core.listSecrets(workspace)
        guard let secretForm = RunView.secretForm(run: run, definition: core.definition(workspace, run: run),
                                                  manualTransitions: core.manualTransitions(workspace, run: run), keys: keys) else {
            throw APIError(.conflict, "conflict", "run '\(run.id)' is \(run.status.rawValue) and is not asking for secrets now")
        }
        _ = try await core.provideSecrets(workspace, runID: run.id, values: form.secrets, transition: secretForm.transition,
                                          token: viewer.token)
        return WebResponse.redirect(await page(after: run, workspace))
    }

    /// Where a person goes once run `run`'s form is stored: the parent's page when the parent
    /// shows this child inline (the callback has just advanced it), else the run's own page.
    /// Taken from the run's `parent` link as saved, never from the form.
    private func page(after run: WorkflowRun, _ workspace: Workspace) async -> String {
        if let link = run.parent, let parent = try? await core.run(workspace, id: link.run), parent.id == link.run,
           parent.children.first(where: { $0.run == run.id })?.show == .inline {
            return WebPaths.run(workspace.id, link.run)
        }
        return WebPaths.run(workspace.id, run.id)
    }

    // MARK: Sessions and forms

    /// The signed-in viewer, or nil. A session whose token was revoked is ended here; a tokens
    /// file that cannot be read is a server error, and ends no session. A signed session whose
    /// token this replica does not know yet asks for a pull first (``ServerCore/tokenRefreshing(id:)``).
    func viewer(_ request: Request) async throws -> Viewer? {
        guard let id = cookie(request, SessionStore.cookieName), let session = sessions.session(id: id) else { return nil }
        guard let token = try await core.tokenRefreshing(id: session.tokenID) else {
            sessions.delete(tokenID: session.tokenID)
            return nil
        }
        return Viewer(session: session, token: token)
    }

    private func signedIn(_ request: Request) async throws -> Viewer {
        guard let viewer = try await viewer(request) else {
            throw WebFailure.signIn(clearCookie: cookie(request, SessionStore.cookieName) != nil)
        }
        return viewer
    }

    /// A signed-in POST: the viewer and the form, whose CSRF token has been checked.
    private func signedInForm(_ request: Request) async throws -> (Viewer, FormBody) {
        let viewer = try await signedIn(request)
        let form = try await readForm(request)
        try checkCSRF(form, viewer)
        return (viewer, form)
    }

    private func checkCSRF(_ form: FormBody, _ viewer: Viewer) throws {
        guard let sent = form["csrf"], SessionStore.constantTimeEquals(sent, viewer.session.csrf) else { throw WebFailure.csrf }
    }

    /// Reads an urlencoded body of at most 64 KiB, zeroing the bytes it was read from.
    private func readForm(_ request: Request) async throws -> FormBody {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else { throw WebFailure.unsupportedMediaType }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > FormBody.maxBytes {
            throw FormBodyError.tooLarge(limit: FormBody.maxBytes)
        }
        return try await FormBody.read(request.body)
    }

    private func parameter(_ context: ServerRequestContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name) else { throw APIError.invalid("missing '\(name)'") }
        return raw.removingPercentEncoding ?? raw
    }

    // MARK: Cookies

    /// The value of cookie `name`, from every `Cookie` header.
    func cookie(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                guard let equals = pair.firstIndex(of: "="), pair[..<equals] == name else { continue }
                let value = String(pair[pair.index(after: equals)...])
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// The sign-in form's CSRF token from its cookie, when well formed.
    private func signInToken(_ request: Request) -> String? {
        guard let value = cookie(request, SessionStore.signInCookieName), value.utf8.count == 64,
              value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        return value
    }
}

/// Responses of the web pages.
enum WebResponse {
    /// An HTML page.
    static func html(_ html: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        if !cookies.isEmpty { headers[values: .setCookie] = cookies }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 See Other to `location`.
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location]
        if !cookies.isEmpty { headers[values: .setCookie] = cookies }
        return Response(status: .seeOther, headers: headers)
    }

    /// `/static/app.css`.
    static func stylesheet() -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: WebTemplates.stylesheet)))
    }

    /// The policy every page carries: nothing but same-site styles, images and form posts.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Adds the headers every web response carries.
    static func secure(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.cacheControl] = "no-store"
        response.headers[.xContentTypeOptions] = "nosniff"
        if let frameOptions = HTTPFields.Element.Name("X-Frame-Options") { response.headers[frameOptions] = "DENY" }
        if let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy") { response.headers[referrerPolicy] = "no-referrer" }
    }
}

/// Adds the security headers to every web response and turns failures into error pages:
/// no session → sign-in (redirect for GET, 401 otherwise); bad CSRF → 403; API errors with
/// their status (404 for unknown or unscoped workspaces). Messages never hold values.
struct WebPageMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let pages: WebPages
    let cookies: WebCookies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = page(for: error, request: request, context: context)
        }
        WebResponse.secure(&response)
        return response
    }

    private func page(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case WebFailure.signIn(let clearCookie):
            let cookies = clearCookie ? [cookies.expired(SessionStore.cookieName, path: "/", request)] : []
            if request.method == .get || request.method == .head { return WebResponse.redirect("/signin", cookies: cookies) }
            return errorPage(.unauthorized, "Sign in first", "Your session has ended or the token was revoked: sign in again.",
                             signIn: true, cookies: cookies)
        case WebFailure.csrf:
            return errorPage(.forbidden, "Forbidden",
                             "The form's CSRF token is missing or wrong. Reload the page and submit the form again.")
        case WebFailure.unsupportedMediaType:
            return errorPage(.unsupportedMediaType, "Unsupported form", "Forms must be sent as application/x-www-form-urlencoded.")
        case let error as FormBodyError:
            return errorPage(error.status, error.status.reasonPhrase, "The form was refused: \(error.description).")
        case let error as any HTTPResponseError:
            return errorPage(error.status, error.status.reasonPhrase, error.status == .notFound ? "There is no such page." : error.status.reasonPhrase)
        default:
            let mapped = APIError.from(error)
            if mapped.status == .internalServerError {
                context.logger.error("web request failed", metadata: ["path": "\(request.uri.path)", "error": "\(mapped.message)"])
            }
            return errorPage(mapped.status, mapped.status.reasonPhrase, mapped.message)
        }
    }

    private func errorPage(_ status: HTTPResponse.Status, _ title: String, _ message: String, signIn: Bool = false,
                           cookies: [String] = []) -> Response {
        do {
            return WebResponse.html(try pages.error(status: status.code, title: title, message: message, viewer: nil, signIn: signIn),
                                    status: status, cookies: cookies)
        } catch {
            return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "\(status.code) \(title)\n")))
        }
    }
}
