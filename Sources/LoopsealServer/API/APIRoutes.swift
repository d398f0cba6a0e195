import Hummingbird
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import LoopsealValue

/// The REST API (DESIGN.md §8) under `/api/v1`: workspaces, secrets (keys and flags only,
/// never values) and runs. Every route needs a bearer token scoped to the workspace, but the
/// API's own OpenAPI document (`docs/openapi.json`, embedded), which needs none.
enum APIRoutes {
    static func add(to router: Router<ServerRequestContext>, core: ServerCore) {
        router.get("api/v1/openapi.json") { _, _ in APIResponse.json(text: OpenAPIDocument.json) }
        let api = router.group("api/v1").add(middleware: BearerAuthMiddleware(core: core))

        api.get("workspaces") { _, context in
            let token = try context.requireToken()
            return try APIResponse.json(core.workspaceIDs(for: token).map { ["id": $0] })
        }

        // MARK: Secrets
        api.get("workspaces/:workspaceId/secrets") { _, context in
            let (workspace, _) = try context.workspace(core, .reader)
            return APIResponse.json(encoded: try await core.secretListing(workspace).json)
        }
        api.post("workspaces/:workspaceId/secrets") { request, context in
            let (workspace, token) = try context.workspace(core, .writer)
            let body = try await secretBody(request, fields: ["key", "value"])
            let info = try await core.createSecret(workspace, key: body.key ?? "", value: try body.requireValue(), token: token)
            return try APIResponse.json(info, status: .created)
        }
        api.put("workspaces/:workspaceId/secrets/upsert") { request, context in
            let (workspace, token) = try context.workspace(core, .writer)
            let body = try await secretBody(request, fields: ["key", "value"])
            return try APIResponse.json(try await core.upsertSecret(workspace, key: body.key ?? "", value: try body.requireValue(), token: token))
        }
        api.put("workspaces/:workspaceId/secrets/:id") { request, context in
            let (workspace, token) = try context.workspace(core, .writer)
            let id = try context.parameter("id")
            let body = try await secretBody(request, fields: ["value"])
            return try APIResponse.json(try await core.updateSecret(workspace, id: id, value: try body.requireValue(), token: token))
        }
        api.delete("workspaces/:workspaceId/secrets/:id") { _, context in
            let (workspace, token) = try context.workspace(core, .admin)
            try await core.deleteSecret(workspace, id: try context.parameter("id"), token: token)
            return APIResponse.json(.dictionary([("success", .bool(true))]))
        }

        // MARK: Runs
        api.get("workspaces/:workspaceId/runs") { _, context in
            let (workspace, _) = try context.workspace(core, .reader)
            let runs = try await core.runs(workspace)
            return APIResponse.json(.list(runs.map { run in
                .dictionary([("id", .string(run.id)), ("workflow", .string(run.workflow)), ("status", .string(run.status.rawValue)),
                             ("place", .string(run.place)), ("createdAt", .string(run.createdAt))])
            }))
        }
        api.post("workspaces/:workspaceId/runs") { request, context in
            let (workspace, token) = try context.workspace(core, .admin)
            guard let body = try RequestBody.value(try await RequestBody.json(request, required: true)) else {
                throw APIError.invalid("the request needs a JSON body {\"workflow\": NAME, \"input\"?: {…}}")
            }
            if case .object(let fields) = body, let unknown = fields.keys.first(where: { $0 != "workflow" && $0 != "input" }) {
                throw APIError.invalid("body: unknown field '\(printable(String(unknown.prefix(40))))'; expected 'workflow' and 'input'")
            }
            guard case .string(let workflow)? = body.property("workflow") else {
                throw APIError.invalid("body: 'workflow' (a workflow name under workflows/) is required and must be a string")
            }
            let input = body.property("input") ?? .dictionary([])
            guard case .object = input else { throw APIError.invalid("body: 'input' must be an object") }
            let run = try await core.startRun(workspace, workflow: workflow, input: input, token: token)
            return APIResponse.json(try await runValue(run, workspace, core), status: .created)
        }
        api.get("workspaces/:workspaceId/runs/:runId") { _, context in
            let (workspace, _) = try context.workspace(core, .reader)
            let run = try await core.run(workspace, id: try context.parameter("runId"))
            return APIResponse.json(try await runValue(run, workspace, core))
        }
        api.post("workspaces/:workspaceId/runs/:runId/transitions/:transitionId") { request, context in
            let (workspace, token) = try context.workspace(core, .writer)
            let runID = try context.parameter("runId")
            let transition = try context.parameter("transitionId")
            var payload: TemplateValue?
            if let body = try RequestBody.value(try await RequestBody.json(request, required: false)) {
                guard case .object(let object) = body, object.keys.allSatisfy({ $0 == "payload" }) else {
                    throw APIError.invalid("body: expected {\"payload\"?: …}")
                }
                payload = body.property("payload")
            }
            _ = try await core.run(workspace, id: runID)
            let run = try await core.fire(workspace, runID: runID, transition: transition, payload: payload, token: token)
            return APIResponse.json(try await runValue(run, workspace, core))
        }
    }

    /// A secret write body. Each fragment is copied into one buffer reserved up front and zeroed
    /// where it arrived (its storage is shared with the HTTP decoder); the copy is zeroed once parsed.
    private static func secretBody(_ request: Request, fields: Set<String>) async throws -> SecretBody {
        try RequestBody.requireJSONBody(request)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ServerLimits.maxBodyBytes)
        defer { SecureMemory.zero(&bytes) }
        for try await fragment in request.body {
            let fits = bytes.count + fragment.readableBytes <= ServerLimits.maxBodyBytes
            fragment.withUnsafeReadableBytes { raw in
                if fits { bytes.append(contentsOf: raw) }
                SecureMemory.zero(UnsafeMutableRawBufferPointer(mutating: raw))
            }
            guard fits else { throw APIError.tooLarge }
        }
        return try bytes.withUnsafeBytes { try SecretBody.parse($0, allowed: fields) }
    }

    /// What the API shows of a run: status, place, what it waits for, key names, documents, and
    /// its links both ways: `parent` (`{runId, transition}`, the run that started it),
    /// `children` (`[{runId, workflow, transition, show}]`) and `pendingOn` (`{runId,
    /// transition}`, the child a `pending` run waits on). Names and ids only, never state.
    static func runValue(_ run: WorkflowRun, _ workspace: Workspace, _ core: ServerCore) async throws -> TemplateValue {
        let missing = run.status == .waiting ? try await core.missingKeys(workspace, run: run) : []
        return .dictionary([
            ("id", .string(run.id)), ("workflow", .string(run.workflow)), ("status", .string(run.status.rawValue)),
            ("place", .string(run.place)), ("error", run.error.map(TemplateValue.string) ?? .null),
            ("parent", run.parent.map { .dictionary([("runId", .string($0.run)), ("transition", .string($0.transition))]) } ?? .null),
            ("children", .list(run.children.map { child in
                .dictionary([("runId", .string(child.run)), ("workflow", .string(child.workflow)),
                             ("transition", .string(child.transition)), ("show", .string(child.show.rawValue))])
            })),
            ("pendingOn", run.pendingTransition.map {
                .dictionary([("runId", .string($0.child)), ("transition", .string($0.transition))])
            } ?? .null),
            ("waitingFor", .list(core.manualTransitions(workspace, run: run).map(TemplateValue.string))),
            ("requestedKeys", .list(run.requestedKeys.map(TemplateValue.string))),
            ("missingKeys", .list(missing.map(TemplateValue.string))),
            ("documents", .list(run.documents.map { document in
                .dictionary([("id", .string(document.id)), ("type", .string(document.type.rawValue)),
                             ("transition", .string(document.transition)), ("markdown", .string(document.markdown))])
            })),
            ("createdAt", .string(run.createdAt)), ("updatedAt", .string(run.updatedAt)),
        ])
    }
}

extension SecretBody {
    func requireValue() throws -> SecureBytes {
        guard let value else { throw APIError.invalid("body: field 'value' is required") }
        return value
    }
}

extension ServerRequestContext {
    /// The authenticated token; 401 when there is none.
    func requireToken() throws -> TokenRecord {
        guard let token else { throw APIError.unauthorized }
        return token
    }

    /// A path parameter.
    func parameter(_ name: String) throws -> String {
        guard let value = parameters.get(name) else { throw APIError.invalid("missing path parameter '\(name)'") }
        return value
    }

    /// The `:workspaceId` workspace if the token may see it (404 otherwise) and has `role` (403).
    func workspace(_ core: ServerCore, _ role: Role) throws -> (Workspace, TokenRecord) {
        let token = try requireToken()
        let workspace = try core.workspace(try parameter("workspaceId"), for: token)
        try core.require(role, token)
        return (workspace, token)
    }
}
