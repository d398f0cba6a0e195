import ArgumentParser
import LoopsealKit
import LoopsealStore

struct Remind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remind",
        abstract: "Start one rotation run per owner for their due or exposed secrets, and print each run's link.",
        discussion: """
            Asks each owner (the secret's 'owner' metadata; secrets without one form one more run) for \
            new values of the secrets 'loopseal due --within' lists as due or overdue, and of those \
            'loopseal exposure' lists. Each run is the built-in rotate-secrets workflow: the owner fills \
            its form on the server (the link, with --public-url) or with 'loopseal run resume ID --fill'; \
            storing the values records the rotation, and a confirmation syncs the targets. Prints one \
            line per owner: OWNER  RUN  LINK. No value is read or printed.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var host: HostOptions
    @Option(help: ArgumentHelp("The window: remind of what is due within it (90d, 12w, 6m, 1y).", valueName: "period"))
    var within: String = "14d"
    @Option(help: "The server's URL as people open it (its --public-url): print web links instead of CLI commands.")
    var publicURL: String?
    @Flag(help: "Print JSON: [{\"owner\", \"keys\", \"run\", \"link\"}].") var json = false

    func run() throws {
        guard let window = RotationPeriod(string: within) else {
            throw StoreError.invalidMetadata(field: "--within", problem: "'\(within)' is not a period: use \(RotationPeriod.grammar)")
        }
        let ws = try workspace.resolve()
        let reminders = try SecretReminders.start(runs: try RunSupport.service(ws, identities, host: host),
                                                  identities: try identities.loadIfAny(), within: window)
        let rows = reminders.map { Row($0, link: link(for: $0, workspace: ws.id)) }
        if json { return Terminal.print(try JSON.encode(rows) + "\n") }
        for row in rows { Terminal.print("\(row.owner ?? "(no owner)")  \(row.run)  \(row.link)  (\(row.keys.joined(separator: ", ")))\n") }
        if rows.isEmpty { Terminal.warn("nothing due within \(window) and nothing exposed") }
    }

    /// The run's web page with --public-url, else the command that fills it.
    private func link(for reminder: SecretReminder, workspace: String) -> String {
        guard let publicURL else { return "loopseal run resume \(reminder.run.id) --fill" }
        return reminder.link(baseURL: publicURL, workspace: workspace)
    }

    /// One line of the output.
    struct Row: Encodable {
        var owner: String?
        var keys: [String]
        var run: String
        var link: String

        init(_ reminder: SecretReminder, link: String) {
            owner = reminder.owner
            keys = reminder.keys
            run = reminder.run.id
            self.link = link
        }
    }
}
