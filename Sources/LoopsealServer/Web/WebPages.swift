import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import LoopsealValue

/// Who is signed in: shown in the page header next to the sign-out form.
struct WebViewer: Sendable {
    /// The token's name, or its id when it has none.
    var name: String
    var role: Role
    /// The session's CSRF token, for the sign-out form.
    var csrf: String
}

/// One manual transition offered as a button.
struct RunAction: Sendable, Equatable {
    var transition: String
    var label: String
}

/// One secret field of the secret-request form.
struct SecretField: Sendable, Equatable {
    var key: String
    var description: String?
    /// True when the workspace already holds a value (the field may then stay empty).
    var hasValue: Bool
}

/// The `secret-input` widget form of a run.
struct SecretForm: Sendable, Equatable {
    /// The transition fired with `{keys}`.
    var transition: String
    var label: String
    var fields: [SecretField]
}

/// What the run page shows besides the run itself: derived from the run, its definition and
/// the workspace's keys by ``RunView/build(run:definition:manualTransitions:keys:canWrite:)``.
struct RunView: Sendable {
    var run: WorkflowRun
    var actions: [RunAction]
    var secretForm: SecretForm?
    var canWrite: Bool
    /// Its parent, children and the child it waits on.
    var family: RunFamily = .none

    /// Decides the run page's widgets. A `secret-input` widget enabled in the run's place
    /// (whose transition, if named, can fire now) shows the form; without any `secret-input`
    /// widget, a waiting run with missing requested keys and one manual transition shows it
    /// too. Every other manual transition becomes a button, labelled by a `button` widget
    /// naming it when there is one. Readers get no forms; a pending run offers no transition
    /// (its `family` may carry its child's form instead).
    static func build(run: WorkflowRun, definition: WorkflowDefinition?, manualTransitions: [String],
                      keys: [SecretKeyInfo], canWrite: Bool, family: RunFamily = .none) -> RunView {
        guard canWrite, run.status == .waiting else {
            return RunView(run: run, actions: [], secretForm: nil, canWrite: canWrite, family: family)
        }
        let widgets = definition?.widgets ?? []
        let form = secretForm(run: run, definition: definition, manualTransitions: manualTransitions, keys: keys)
        var actions: [RunAction] = []
        for transition in manualTransitions where transition != form?.transition {
            let button = widgets.first { widget in
                widget.widget == "button" && widget.transition?.0 == transition && isEnabled(widget, in: run.place)
            }
            actions.append(RunAction(transition: transition, label: button?.label ?? transition))
        }
        return RunView(run: run, actions: actions, secretForm: form, canWrite: canWrite, family: family)
    }

    /// The secret form of `run`, or nil when it shows none. A widget that names no transition
    /// applies only when a single manual transition can fire.
    static func secretForm(run: WorkflowRun, definition: WorkflowDefinition?, manualTransitions: [String],
                           keys: [SecretKeyInfo]) -> SecretForm? {
        guard run.status == .waiting, !run.requestedKeys.isEmpty else { return nil }
        let stored = Set(keys.filter(\.hasValue).map(\.key))
        let descriptions = keyDescriptions(run, definition: definition)
        let fields = run.requestedKeys.map { SecretField(key: $0, description: descriptions[$0], hasValue: stored.contains($0)) }
        let inputs = (definition?.widgets ?? []).filter { $0.widget == "secret-input" }
        for widget in inputs where isEnabled(widget, in: run.place) {
            let transition = widget.transition?.0 ?? (manualTransitions.count == 1 ? manualTransitions[0] : "")
            guard manualTransitions.contains(transition) else { continue }
            return SecretForm(transition: transition, label: widget.label ?? "Store secrets", fields: fields)
        }
        guard inputs.isEmpty, manualTransitions.count == 1, fields.contains(where: { !$0.hasValue }) else { return nil }
        return SecretForm(transition: manualTransitions[0], label: "Store secrets", fields: fields)
    }

    private static func isEnabled(_ widget: WidgetDefinition, in place: String) -> Bool {
        widget.enabledWhen.isEmpty || widget.enabledWhen.contains(place)
    }

    /// Descriptions of requested keys, from `request_secrets` results and `secret_request`
    /// documents (`variables: [{key, description}]`), then from plain `description:` texts of
    /// the definition's `request_secrets` calls; the first one found wins.
    static func keyDescriptions(_ run: WorkflowRun, definition: WorkflowDefinition? = nil) -> [String: String] {
        var out: [String: String] = [:]
        func collect(_ value: TemplateValue, depth: Int) {
            guard depth < 8 else { return }
            switch value {
            case .object(let object):
                for (name, item) in zip(object.keys, object.values) {
                    if name == "variables", case .array(let variables) = item {
                        for variable in variables.items {
                            guard case .string(let key)? = variable.property("key"),
                                  let description = variable.property("description"), !description.isNull,
                                  out[key] == nil else { continue }
                            out[key] = description.javaScriptString
                        }
                    } else {
                        collect(item, depth: depth + 1)
                    }
                }
            case .array(let array):
                for item in array.items { collect(item, depth: depth + 1) }
            default:
                break
            }
        }
        collect(run.toolResults, depth: 0)
        for document in run.documents where document.type == .secretRequest { collect(document.content, depth: 0) }
        for transition in definition?.transitions ?? [] {
            for call in transition.calls where call.tool == "request_secrets" {
                guard case .object(let args, _) = call.args, case .list(let variables, _)? = args.last(where: { $0.0 == "variables" })?.1 else {
                    continue
                }
                for variable in variables {
                    guard case .object(let fields, _) = variable,
                          let key = plainText(fields.last(where: { $0.0 == "key" })?.1),
                          let description = plainText(fields.last(where: { $0.0 == "description" })?.1),
                          out[key] == nil else { continue }
                    out[key] = description
                }
            }
        }
        return out
    }

    /// A string written in the workflow with nothing to evaluate.
    private static func plainText(_ value: ArgValue?) -> String? {
        switch value {
        case .constant(.string(let text), _)?, .text(.plain(let text), _)?: return text
        default: return nil
        }
    }
}

/// Renders the web pages: models in, HTML out. Templates compile once; one that does not
/// (a programming error the tests catch) fails each render with its template error.
struct WebPages: Sendable {
    private let engine: TemplateEngine
    private let templates: [String: Result<Template, TemplateError>]

    /// The pages, compiled from ``WebTemplates``.
    init() {
        engine = TemplateEngine(partials: .templates([
            "csrf": WebTemplates.csrfField, "badge": WebTemplates.keyBadge, "secretForm": WebTemplates.secretForm,
        ]), strict: false)
        let sources = [
            "layout": WebTemplates.layout, "signin": WebTemplates.signIn, "workspaces": WebTemplates.workspaces,
            "workspace": WebTemplates.workspace, "run": WebTemplates.run, "error": WebTemplates.error,
        ]
        var compiled: [String: Result<Template, TemplateError>] = [:]
        for (name, source) in sources {
            do {
                compiled[name] = .success(try engine.compile(source, name: name))
            } catch {
                compiled[name] = .failure(error)
            }
        }
        templates = compiled
    }

    // MARK: Pages

    /// The sign-in form; `error` explains a refused attempt.
    func signIn(csrf: String, error: String? = nil) throws -> String {
        try page("signin", title: "Sign in", viewer: nil, [
            ("csrf", .string(csrf)), ("error", error.map(TemplateValue.string) ?? .null),
        ])
    }

    /// The workspaces `viewer`'s token is scoped to.
    func workspaces(_ ids: [String], viewer: WebViewer) throws -> String {
        try page("workspaces", title: "Workspaces", viewer: viewer, [
            ("workspaces", .list(ids.map { id in
                .dictionary([("id", .string(id)), ("href", .string(WebPaths.workspace(id)))])
            })),
        ])
    }

    /// A workspace: its keys (Stored/Missing, and their metadata: never a value), its runs and, when `workflows` is given (admins),
    /// the start-run form.
    func workspace(_ id: String, keys: [SecretKeyInfo], runs: [WorkflowRun], workflows: [WorkflowSummary]?,
                   viewer: WebViewer) throws -> String {
        var start = TemplateValue.null
        if let workflows {
            start = .dictionary([
                ("action", .string(WebPaths.runs(id))), ("csrf", .string(viewer.csrf)),
                ("workflows", .list(workflows.map { workflow in
                    .dictionary([("name", .string(workflow.name)), ("title", workflow.title.map(TemplateValue.string) ?? .null)])
                })),
            ])
        }
        return try page("workspace", title: id, viewer: viewer, [
            ("workspace", .string(id)),
            ("keys", .list(keys.map { info in
                .dictionary([("key", .string(info.key)), ("hasValue", .bool(info.hasValue))]
                            + info.metadata.fields.map { ($0.name, $0.value.map(TemplateValue.string) ?? .null) })
            })),
            ("runs", .list(runs.map { run in
                .dictionary([
                    ("id", .string(run.id)), ("href", .string(WebPaths.run(id, run.id))), ("workflow", .string(run.workflow)),
                    ("status", .string(run.status.rawValue)), ("place", .string(run.place)), ("updatedAt", .string(run.updatedAt)),
                ])
            })),
            ("start", start),
        ])
    }

    /// A run: facts (with the run that started it), widgets (secret form, transition buttons;
    /// for a pending run the child it waits on, its form inline with `show: inline`), documents
    /// (a `workflow_link` as a link to the child's page with its status) and history.
    func run(_ view: RunView, workspace: String, viewer: WebViewer) throws -> String {
        let run = view.run
        let family = view.family
        var parent = TemplateValue.null
        if let link = run.parent {
            parent = linked(link.run, family.parent, workspace: workspace, [("transition", .string(link.transition))])
        }
        var pending = TemplateValue.null
        if let child = family.pending {
            let form = child.form.map { secretFormValue($0, run: child.id, workspace: workspace, viewer: viewer) }
            pending = linked(child.id, child.run, workspace: workspace, [("transition", .string(child.transition)), ("form", form ?? .null)])
        }
        return try page("run", title: "Run \(run.id)", viewer: viewer, [
            ("workspace", .string(workspace)), ("workspaceHref", .string(WebPaths.workspace(workspace))),
            ("run", .dictionary([
                ("id", .string(run.id)), ("workflow", .string(run.workflow)), ("status", .string(run.status.rawValue)),
                ("place", .string(run.place)), ("error", run.error.map(TemplateValue.string) ?? .null),
                ("createdAt", .string(run.createdAt)), ("updatedAt", .string(run.updatedAt)),
            ])),
            ("parent", parent),
            ("pending", pending),
            ("secretForm", view.secretForm.map { secretFormValue($0, run: run.id, workspace: workspace, viewer: viewer) } ?? .null),
            ("actions", .list(view.actions.map { action in
                .dictionary([
                    ("label", .string(action.label)), ("csrf", .string(viewer.csrf)),
                    ("action", .string(WebPaths.transition(workspace, run.id, action.transition))),
                ])
            })),
            ("readOnly", .bool(!view.canWrite && (run.status == .waiting || family.pending?.run?.status == .waiting))),
            ("documents", .list(run.documents.map { document in
                var content: (String, TemplateValue) = ("html", .string(SafeMarkdown.html(document.markdown)))
                if document.type == .workflowLink {
                    let id = document.content.property("workflowId").map(\.javaScriptString) ?? ""
                    content = ("link", linked(id, family.child(id), workspace: workspace))
                }
                return .dictionary([("type", .string(document.type.rawValue)), ("transition", .string(document.transition)), content])
            })),
            ("history", .list(run.history.map { entry in
                .dictionary([
                    ("transition", .string(entry.transition)), ("from", .string(entry.from)), ("to", .string(entry.to)),
                    ("manual", .bool(entry.manual)), ("at", .string(entry.at)),
                    ("error", entry.error.map(TemplateValue.string) ?? .null),
                ])
            })),
        ])
    }

    /// A linked run for the page: `id`, and when `run` (loaded under that id) is there, `href`,
    /// `workflow` and `status`; without it, `missing`. Then `extra`.
    private func linked(_ id: String, _ run: WorkflowRun?, workspace: String, _ extra: [(String, TemplateValue)] = []) -> TemplateValue {
        guard let run, run.id == id else { return .dictionary([("id", .string(id)), ("missing", .bool(true))] + extra) }
        return .dictionary([
            ("id", .string(id)), ("href", .string(WebPaths.run(workspace, id))), ("workflow", .string(run.workflow)),
            ("status", .string(run.status.rawValue)),
        ] + extra)
    }

    /// The `secretForm` partial's context: `form` posting to run `run`'s secrets.
    private func secretFormValue(_ form: SecretForm, run: String, workspace: String, viewer: WebViewer) -> TemplateValue {
        .dictionary([
            ("label", .string(form.label)), ("action", .string(WebPaths.secrets(workspace, run))),
            ("csrf", .string(viewer.csrf)),
            ("fields", .list(form.fields.map { field in
                .dictionary([
                    ("id", .string("secret-\(field.key)")), ("name", .string(FormBody.secretPrefix + field.key)),
                    ("key", .string(field.key)), ("description", field.description.map(TemplateValue.string) ?? .null),
                    ("hasValue", .bool(field.hasValue)),
                ])
            })),
        ])
    }

    /// An error page for `status` with `message`; `signIn` adds a sign-in link.
    func error(status: Int, title: String, message: String, viewer: WebViewer?, signIn: Bool = false) throws -> String {
        try page("error", title: title, viewer: viewer, [
            ("status", .number(Double(status))), ("title", .string(title)), ("message", .string(message)),
            ("signIn", .bool(signIn)),
        ])
    }

    // MARK: Rendering

    private func page(_ name: String, title: String, viewer: WebViewer?, _ pairs: [(String, TemplateValue)]) throws -> String {
        let body = try render(name, .dictionary(pairs))
        var viewerValue = TemplateValue.null
        if let viewer {
            viewerValue = .dictionary([
                ("name", .string(viewer.name)), ("role", .string(viewer.role.rawValue)), ("csrf", .string(viewer.csrf)),
            ])
        }
        return try render("layout", .dictionary([("title", .string(title)), ("viewer", viewerValue), ("body", .string(body))]))
    }

    private func render(_ name: String, _ context: TemplateValue) throws -> String {
        guard let compiled = templates[name] else {
            throw TemplateError(kind: .render, template: name, line: 1, column: 1, message: "no page template '\(name)'")
        }
        return try engine.render(try compiled.get(), context: context)
    }
}

/// The web pages' paths. Ids in them are already validated (lowercase letters, digits, `_`, `-`).
enum WebPaths {
    static func workspace(_ id: String) -> String { "/workspaces/\(id)" }
    static func runs(_ workspace: String) -> String { "/workspaces/\(workspace)/runs" }
    static func run(_ workspace: String, _ run: String) -> String { "/workspaces/\(workspace)/runs/\(run)" }
    static func secrets(_ workspace: String, _ run: String) -> String { "\(self.run(workspace, run))/secrets" }
    static func transition(_ workspace: String, _ run: String, _ transition: String) -> String {
        "\(self.run(workspace, run))/transitions/\(percentEncoded(transition))"
    }

    /// Encodes everything but unreserved characters, for a path segment.
    static func percentEncoded(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
