/// Workflows shipped inside Loopseal. A repository's own `workflows/NAME.yaml` overrides one.
public enum BuiltInWorkflows {
    /// The folder built-in workflows are named under in run files and messages; nothing is read from it.
    public static let folder = "<built-in>"

    /// The `file` of built-in workflow `name` (`<built-in>/request-secrets.yaml`).
    public static func file(_ name: String) -> String { "\(folder)/\(name).yaml" }

    /// The built-in workflow whose file is `file`, when there is one.
    static func name(ofFile file: String) -> String? {
        guard file.hasPrefix(folder + "/"), file.hasSuffix(".yaml") else { return nil }
        let name = String(file.dropFirst(folder.count + 1).dropLast(5))
        return sources[name] == nil ? nil : name
    }

    /// Names of the built-in workflows, sorted.
    public static var names: [String] { sources.keys.sorted() }

    /// Built-in workflow `name` as parsed, not validated.
    static func parsed(_ name: String) -> WorkflowDefinition? {
        sources[name].flatMap { WorkflowParser.parse(text: $0, file: file(name)).0 }
    }

    /// Built-in workflow `name`, validated; nil when there is none of that name.
    static func definition(_ name: String, tools: ToolRegistry = .builtIn) throws -> WorkflowDefinition? {
        guard let text = sources[name] else { return nil }
        let (parsed, parseProblems) = WorkflowParser.parse(text: text, file: file(name))
        let problems = parseProblems + (parsed.map { WorkflowValidator.validate($0, tools: tools) } ?? [])
        guard problems.isEmpty, let parsed else { throw WorkflowValidationError(problems: problems) }
        return parsed
    }

    /// `SecretsRequestWorkflow` (the seed's): asks a person for the keys in `args.variables`
    /// (`[{key, description?}]`), then reports which have a value. `request_secrets_task` and
    /// MCP's `request_secrets` start it.
    static let requestSecrets = """
        title: Request secrets
        description: Asks a person for the secrets listed in args.variables ([{key, description}]), then reports which have a value.
        ui:
          widgets:
            - widget: secret-input
              enabledWhen: [requesting]
              options:
                transition: secrets_submitted
                label: Store secrets
            - widget: markdown
              showWhen: [end]
              options:
                label: Report
        transitions:
          - id: request
            from: start
            to: requesting
            call:
              - tool: request_secrets
                args:
                  variables: ${{ args.variables }}
              - tool: create_document
                args:
                  document: secret_request
                  content:
                    variables: ${{ args.variables }}

          - id: secrets_submitted
            from: requesting
            to: verifying
            wait: true
            call:
              - tool: get_secret_keys
                assign:
                  secretKeys: ${{ result.data }}

          - id: report
            from: verifying
            to: end
            call:
              - tool: create_document
                args:
                  document: markdown
                  content:
                    markdown: |
                      # Requested secrets
                      {{#each args.variables}}
                      {{#each @root.state.secretKeys}}
                      {{#if (eq this.key ../key)}}
                      - **{{this.key}}**: {{#if this.hasValue}}has value{{else}}missing{{/if}}
                      {{/if}}
                      {{/each}}
                      {{/each}}

        """

    /// Rotation (`loopseal rotate`): asks for a new value of `args.key`, waits for a person to
    /// confirm, then syncs this host's targets.
    static let rotateSecret = """
        title: Rotate a secret
        description: Requests a new value for args.key, waits for confirmation, then syncs the workspace's targets.
        ui:
          widgets:
            - widget: secret-input
              enabledWhen: [awaiting_value]
              options:
                transition: value_provided
                label: Save new value
            - widget: button
              enabledWhen: [confirming]
              options:
                transition: confirm
                label: Confirm and sync
            - widget: button
              enabledWhen: [confirming]
              options:
                transition: cancel
                label: Cancel
            - widget: button
              enabledWhen: [sync_failed]
              options:
                transition: acknowledge_failure
                label: Acknowledge
        transitions:
          - id: request_new_value
            from: start
            to: awaiting_value
            call:
              - tool: request_secrets
                args:
                  variables:
                    - key: ${{ args.key }}
                      description: New value for {{ args.key }}
              - tool: create_document
                args:
                  document: message
                  content:
                    content: "Enter the new value of {{ args.key }}, then confirm to sync it."

          - id: value_provided
            from: awaiting_value
            to: confirming
            wait: true

          - id: confirm
            from: confirming
            to: syncing
            wait: true
            assign:
              confirmedBy: ${{ runtime.transition.payload.by || 'someone' }}

          - id: cancel
            from: confirming
            to: end
            wait: true

          - id: sync
            from: syncing
            to: end
            retryAttempts: 2
            retryDelay: 500
            onError: sync_failed
            call:
              - tool: sync_secrets
                assign:
                  synced: ${{ result.data.count }}
              - tool: create_document
                args:
                  document: markdown
                  content:
                    markdown: "Rotated **{{ args.key }}** (confirmed by {{ state.confirmedBy }}) and synced {{ state.synced }} target(s)."

          - id: acknowledge_failure
            from: sync_failed
            to: end
            wait: true

        """

    /// Rotation of several secrets in one run (`loopseal rotate --exposed-to`, `loopseal remind`):
    /// asks for new values of the keys in `args.variables` (`[{key, description?}]`), waits for a
    /// person to confirm, then syncs this host's targets.
    static let rotateSecrets = """
        title: Rotate secrets
        description: Requests new values for the keys in args.variables ([{key, description}]), waits for confirmation, then syncs the workspace's targets.
        ui:
          widgets:
            - widget: secret-input
              enabledWhen: [awaiting_values]
              options:
                transition: values_provided
                label: Save new values
            - widget: button
              enabledWhen: [confirming]
              options:
                transition: confirm
                label: Confirm and sync
            - widget: button
              enabledWhen: [confirming]
              options:
                transition: cancel
                label: Cancel
            - widget: button
              enabledWhen: [sync_failed]
              options:
                transition: acknowledge_failure
                label: Acknowledge
        transitions:
          - id: request_new_values
            from: start
            to: awaiting_values
            call:
              - tool: request_secrets
                args:
                  variables: ${{ args.variables }}
              - tool: create_document
                args:
                  document: secret_request
                  content:
                    variables: ${{ args.variables }}

          - id: values_provided
            from: awaiting_values
            to: confirming
            wait: true

          - id: confirm
            from: confirming
            to: syncing
            wait: true
            assign:
              confirmedBy: ${{ runtime.transition.payload.by || 'someone' }}

          - id: cancel
            from: confirming
            to: end
            wait: true

          - id: sync
            from: syncing
            to: end
            retryAttempts: 2
            retryDelay: 500
            onError: sync_failed
            call:
              - tool: sync_secrets
                assign:
                  synced: ${{ result.data.count }}
              - tool: create_document
                args:
                  document: markdown
                  content:
                    markdown: |
                      Rotated {{#each args.variables}}**{{this.key}}**{{#unless @last}}, {{/unless}}{{/each}} (confirmed by {{ state.confirmedBy }}) and synced {{ state.synced }} target(s).

          - id: acknowledge_failure
            from: sync_failed
            to: end
            wait: true

        """

    private static let sources: [String: String] = ["request-secrets": requestSecrets, "rotate-secret": rotateSecret, "rotate-secrets": rotateSecrets]
}
